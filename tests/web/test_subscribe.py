"""The subscribe pages over HTTP: the form, consent, double opt-in, and every bad input."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from newsletter.core.db import session_scope
from newsletter.core.models import ConsentRecord, MailJob, Subscriber, Subscription
from tests.plugins.web import csrf_from, text_of

CONSENT = "I agree to receive this newsletter by email."


def _fields(web: httpx.Client, **changes: str | list[str] | None) -> dict:
    fields: dict = {
        "csrf_token": csrf_from(web.get("/subscribe").text),
        "email": "Ayşe.Yılmaz@Örnek.org",
        "name": "Ayşe Yılmaz",
        "language": "tr",
        "lists": ["aylik-bulten"],
        "consent": "yes",
        "website": "",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def _stored(engine) -> tuple[list, list, list, list]:
    with session_scope(engine) as s:
        return (
            s.exec(select(Subscriber)).all(),
            s.exec(select(Subscription)).all(),
            s.exec(select(ConsentRecord)).all(),
            s.exec(select(MailJob)).all(),
        )


def test_index_lists_public_lists_only(web: httpx.Client, public_lists) -> None:
    page = web.get("/subscribe")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Aylık Bülten" in text and "Etkinlikler" in text
    assert "Ortaklar" not in text
    assert CONSENT in text
    for field in ("email", "name", "language", "consent"):
        assert f'<label for="{field}"' in page.text
    assert 'name="website"' in page.text and 'tabindex="-1"' in page.text


def test_index_without_public_lists(web: httpx.Client) -> None:
    page = web.get("/subscribe")
    assert "There are no newsletters open for subscription" in text_of(page.text)


def test_list_page_preselects_its_list(web: httpx.Client, public_lists) -> None:
    page = web.get("/subscribe/aylik-bulten")
    assert page.status_code == 200
    assert "Subscribe to Aylık Bülten" in text_of(page.text)
    assert "Gaziantep ve Şanlıurfa’dan haberler" in text_of(page.text)
    assert 'value="aylik-bulten" checked' in page.text
    assert 'value="etkinlikler" checked' not in page.text


@pytest.mark.parametrize("slug", ["ortaklar", "yok-boyle-liste", "%2e%2e"])
def test_private_or_unknown_list_page_is_404(web: httpx.Client, public_lists, slug: str) -> None:
    assert web.get(f"/subscribe/{slug}").status_code == 404


def test_subscribing_records_consent_and_queues_one_confirmation(
    web: httpx.Client, web_server, engine, public_lists
) -> None:
    response = web.post("/subscribe", data=_fields(web), headers={"User-Agent": "Firefox/140"})
    assert response.status_code == 200
    assert "Please check your inbox at Ayşe.Yılmaz@Örnek.org" in text_of(response.text)
    people, subs, records, jobs = _stored(engine)
    assert [(p.email, p.name, p.language) for p in people] == [
        ("ayşe.yılmaz@örnek.org", "Ayşe Yılmaz", "tr")
    ]
    assert [(s.list_id, s.status) for s in subs] == [(public_lists["aylik-bulten"], "unconfirmed")]
    (record,) = records
    assert record.event == "subscribed"
    assert record.consent_text == web_server_consent(engine)
    assert record.consent_version == "2026-11"
    assert record.ip == "127.0.0.1" and record.user_agent == "Firefox/140"
    assert record.at == web_server.clock.now
    assert record.source == "https://news.example.org/subscribe"
    assert [(j.kind, j.list_id, j.status) for j in jobs] == [
        ("confirmation", public_lists["aylik-bulten"], "queued")
    ]


def web_server_consent(engine) -> str:
    from newsletter.core.config import WebConfig

    return WebConfig().consent_text


def test_single_opt_in_list_is_active_at_once(web: httpx.Client, engine, public_lists) -> None:
    response = web.post("/subscribe", data=_fields(web, lists=["etkinlikler"]))
    assert response.status_code == 200
    _people, subs, _records, jobs = _stored(engine)
    assert [s.status for s in subs] == ["confirmed"] and jobs == []


def test_multipart_form_works_too(web: httpx.Client, engine, public_lists) -> None:
    fields = _fields(web)
    files = {k: (None, v if isinstance(v, str) else v[0]) for k, v in fields.items()}
    assert web.post("/subscribe", files=files).status_code == 200
    assert len(_stored(engine)[1]) == 1


def test_page_never_reveals_an_existing_subscription(
    web: httpx.Client, engine, public_lists
) -> None:
    first = web.post("/subscribe", data=_fields(web, lists=["aylik-bulten", "etkinlikler"]))
    again = web.post("/subscribe", data=_fields(web, lists=["aylik-bulten", "etkinlikler"]))
    assert first.status_code == again.status_code == 200
    assert text_of(first.text) == text_of(again.text)
    # Still only one confirmation email waiting (no more than one per address and list an hour).
    assert len(_stored(engine)[3]) == 1


def test_honeypot_looks_successful_but_stores_nothing(
    web: httpx.Client, engine, public_lists
) -> None:
    normal = web.post("/subscribe", data=_fields(web, email="bot@example.org"))
    people_before = len(_stored(engine)[0])
    trapped = web.post(
        "/subscribe", data=_fields(web, email="bot2@example.org", website="http://spam.example")
    )
    assert trapped.status_code == 200
    assert text_of(trapped.text).replace("bot2@", "bot@") == text_of(normal.text)
    assert len(_stored(engine)[0]) == people_before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": None}, "email", "Enter your email address."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "ayşe@"}, "email", "Enter a valid email address"),
        ({"email": "a" * 400 + "@example.org"}, "email", "Enter a valid email address"),
        ({"lists": None}, "lists", "Choose at least one newsletter."),
        (
            {"lists": ["yok-boyle-liste"]},
            "lists",
            "There is no newsletter called “yok-boyle-liste”",
        ),
        ({"lists": ["ortaklar"]}, "lists", "There is no newsletter called “ortaklar”"),
        ({"consent": None}, "consent", "Please tick the box"),
        ({"consent": "no"}, "consent", "Please tick the box"),
        ({"language": "xx"}, "language", "Choose one of the languages offered."),
        ({"language": None}, "language", "Choose one of the languages offered."),
        ({"name": "Ş" * 201}, "name", "Please keep the name under 200 characters."),
        ({"name": "Ayşe\x00"}, "name", "The name contains characters that cannot be used."),
        ({"name": "Ayşe\r\nBcc: x@example.org"}, "name", "The name contains characters"),
        ({"name": "Ayşe\nYılmaz"}, "name", "The name contains characters that cannot be used."),
        ({"name": "Ayşe\rYılmaz"}, "name", "The name contains characters that cannot be used."),
        ({"name": "Ayşe\tYılmaz"}, "name", "The name contains characters that cannot be used."),
        ({"name": "\u202eAyşe"}, "name", "The name contains characters that cannot be used."),
        ({"name": "Ayşe \u2067x\u2069"}, "name", "The name contains characters"),
        ({"name": "Ayşe\x1b[31m"}, "name", "The name contains characters that cannot be used."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_stores_nothing(
    web: httpx.Client, engine, public_lists, changes: dict, field: str, message: str
) -> None:
    response = web.post("/subscribe", data=_fields(web, **changes))
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert f'id="{field}-error"' in response.text
    assert 'role="alert"' in response.text
    assert _stored(engine) == ([], [], [], [])


@pytest.mark.parametrize(
    "name", ["Ayşe  Yılmaz", "نور\u200cالهدى", "Ayşe \u200fYılmaz", "Zoë O’Brien-Łukasz"]
)
def test_names_in_every_script_are_welcome(
    web: httpx.Client, engine, public_lists, name: str
) -> None:
    """Joiners (ZWNJ) and direction marks (RLM) are part of names; only controls are refused."""
    assert web.post("/subscribe", data=_fields(web, name=name)).status_code == 200
    (person,) = _stored(engine)[0]
    assert person.name == " ".join(name.split())


def test_form_keeps_what_was_typed_after_an_error(web: httpx.Client, public_lists) -> None:
    response = web.post("/subscribe", data=_fields(web, consent=None))
    assert 'value="Ayşe.Yılmaz@Örnek.org"' in response.text
    assert 'value="Ayşe Yılmaz"' in response.text
    assert '<option value="tr" selected>' in response.text


def test_markup_in_input_is_escaped(web: httpx.Client, public_lists) -> None:
    response = web.post("/subscribe", data=_fields(web, name="<script>x</script>", consent=None))
    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_get_only_route_rejects_bad_methods(web: httpx.Client, public_lists) -> None:
    assert web.post("/subscribe/aylik-bulten", data={}).status_code == 405


def test_turkish_page_shows_and_records_the_turkish_consent(
    web: httpx.Client, engine, public_lists, config
) -> None:
    page = web.get("/subscribe?lang=tr")
    assert config.web.consent_text_tr in text_of(page.text)
    fields = _fields(web)
    fields["csrf_token"] = csrf_from(page.text)
    assert web.post("/subscribe?lang=tr", data=fields).status_code == 200
    (record,) = _stored(engine)[2]
    assert record.consent_text == config.web.consent_text_tr
    assert record.consent_version == config.web.consent_version


def test_at_most_one_confirmation_email_per_address_and_list_an_hour(
    web: httpx.Client, web_server, engine, public_lists
) -> None:
    assert web.post("/subscribe", data=_fields(web)).status_code == 200
    with session_scope(engine) as session:  # the worker sent the first one
        session.exec(select(MailJob)).one().status = "sent"
    web_server.clock.advance(minutes=59)
    assert web.post("/subscribe", data=_fields(web)).status_code == 200
    assert len(_stored(engine)[3]) == 1
    web_server.clock.advance(minutes=2)
    assert web.post("/subscribe", data=_fields(web)).status_code == 200
    assert [j.status for j in _stored(engine)[3]] == ["sent", "queued"]
