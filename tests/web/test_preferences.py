"""The preferences page: name, language and lists; download my data; erase me."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import select

from newsletter.audience import subscriptions, suppression, tokens
from newsletter.core.db import session_scope
from newsletter.core.models import Subscriber, Subscription
from tests.conftest import SECRET
from tests.plugins.web import START, csrf_from, text_of


@pytest.fixture
def person(engine, public_lists) -> int:
    """Hatice receives the monthly list and, added by an admin, the private partners list."""
    with session_scope(engine) as session:
        result = subscriptions.subscribe(
            session, SECRET, "hatice@example.org", "Hatice Öztürk", "en",
            ["aylik-bulten", "ortaklar"], "admin", None, None, "consent", "v1", START,
        )  # fmt: skip
        for sub in session.exec(select(Subscription)):
            sub.status = "confirmed"
    return result.subscriber_id or 0


def _url(person: int, suffix: str = "") -> str:
    return f"/preferences/{tokens.make(SECRET, 'preferences', person, now=START)}{suffix}"


def _lists(engine) -> dict[int, str]:
    with session_scope(engine) as session:
        return {s.list_id: s.status for s in session.exec(select(Subscription))}


def _post(web: httpx.Client, url: str, **changes) -> httpx.Response:
    fields = {"csrf_token": csrf_from(web.get(url).text), "name": "Hatice Öztürk",
              "language": "en", "lists": ["aylik-bulten", "ortaklar"]}  # fmt: skip
    fields.update(changes)
    return web.post(url, data={k: v for k, v in fields.items() if v is not None})


def test_page_shows_current_settings(web: httpx.Client, person) -> None:
    page = web.get(_url(person))
    assert page.status_code == 200
    assert "These are the settings for hatice@example.org" in text_of(page.text)
    assert 'value="Hatice Öztürk"' in page.text
    assert 'value="aylik-bulten" checked' in page.text
    assert 'value="ortaklar" checked' in page.text  # a private list she is on is shown
    assert 'value="etkinlikler">' in page.text  # a public list she may join
    assert page.headers["cache-control"] == "no-store"


def test_saving_changes_name_language_and_lists(
    web: httpx.Client, engine, person, public_lists
) -> None:
    url = _url(person)
    response = _post(web, url, name="Hatice Ö. Demir", language="tr", lists=["etkinlikler"])
    assert response.status_code == 303
    assert response.headers["location"] == url + "?saved=1"
    with session_scope(engine) as session:
        who = session.get(Subscriber, person)
        assert (who.name, who.language) == ("Hatice Ö. Demir", "tr")
    assert _lists(engine) == {
        public_lists["aylik-bulten"]: "unsubscribed",
        public_lists["ortaklar"]: "unsubscribed",
        public_lists["etkinlikler"]: "confirmed",
    }
    saved = web.get(response.headers["location"])
    assert "Tercihleriniz kaydedildi." in text_of(saved.text)  # now in her new language
    assert '<html lang="tr"' in saved.text


def test_unchecking_everything_leaves_every_list(web: httpx.Client, engine, person) -> None:
    assert _post(web, _url(person), lists=None).status_code == 303
    assert set(_lists(engine).values()) == {"unsubscribed"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lists": ["yok-boyle"]}, "There is no newsletter called “yok-boyle”"),
        ({"language": "klingon"}, "Choose one of the languages offered."),
        ({"name": "x" * 201}, "Please keep the name under 200 characters."),
        ({"name": "Hatice\r\nBcc: x@example.org"}, "The name contains characters"),
        ({"name": "\u202eHatice"}, "The name contains characters that cannot be used."),
    ],
)
def test_bad_input_changes_nothing(web: httpx.Client, engine, person, changes, message) -> None:
    response = _post(web, _url(person), **changes)
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert set(_lists(engine).values()) == {"confirmed"}
    with session_scope(engine) as session:
        assert session.get(Subscriber, person).name == "Hatice Öztürk"


def test_a_private_list_not_held_cannot_be_joined(engine, web: httpx.Client, public_lists):
    with session_scope(engine) as session:
        result = subscriptions.subscribe(
            session, SECRET, "can@example.org", "", "en", ["etkinlikler"], "t", None, None,
            "consent", "v1", START,
        )  # fmt: skip
    url = _url(result.subscriber_id or 0)
    assert 'value="ortaklar"' not in web.get(url).text
    response = _post(web, url, lists=["etkinlikler", "ortaklar"])
    assert response.status_code == 422


def test_saving_needs_the_csrf_token(web: httpx.Client, engine, person) -> None:
    response = web.post(_url(person), data={"name": "X", "language": "en"})
    assert response.status_code == 403
    with session_scope(engine) as session:
        assert session.get(Subscriber, person).name == "Hatice Öztürk"


def test_download_my_data(web: httpx.Client, person) -> None:
    response = web.get(_url(person, "/data"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.content)
    assert data["subscriber"]["email"] == "hatice@example.org"
    assert {s["list"] for s in data["subscriptions"]} == {"aylik-bulten", "ortaklar"}
    assert data["consent"][0]["event"] == "subscribed"


def test_erase_asks_first_then_erases(web: httpx.Client, engine, person) -> None:
    confirm_page = web.get(_url(person, "/erase"))
    assert confirm_page.status_code == 200
    assert "This cannot be undone" in text_of(confirm_page.text)
    token = csrf_from(confirm_page.text)
    # Without the confirmation field nothing happens: back to the question.
    back = web.post(_url(person, "/erase"), data={"csrf_token": token})
    assert back.status_code == 303 and back.headers["location"].endswith("/erase")
    with session_scope(engine) as session:
        assert session.get(Subscriber, person) is not None
    done = web.post(_url(person, "/erase"), data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 200
    assert "We have deleted your data" in text_of(done.text)
    with session_scope(engine) as session:
        assert session.get(Subscriber, person) is None
        assert session.exec(select(Subscription)).all() == []
        assert suppression.is_suppressed(session, SECRET, "hatice@example.org")
    # The old link now says there is nothing left.
    assert "We hold no subscription" in text_of(web.get(_url(person)).text)
    assert web.get(_url(person, "/data")).status_code == 410


def test_erase_needs_the_csrf_token(web: httpx.Client, engine, person) -> None:
    assert web.post(_url(person, "/erase"), data={"confirm": "yes"}).status_code == 403
    with session_scope(engine) as session:
        assert session.get(Subscriber, person) is not None


@pytest.mark.parametrize("suffix", ["", "/data", "/erase"])
def test_bad_links_are_refused(web: httpx.Client, person, suffix: str) -> None:
    unsubscribe_token = tokens.make(SECRET, "unsubscribe", person, None, now=START)
    for token in ("nonsense", unsubscribe_token, _url(person).split("/")[-1][:-3] + "abc"):
        response = web.get(f"/preferences/{token}{suffix}")
        assert response.status_code == 400, token
        assert "This link is not valid" in text_of(response.text)
