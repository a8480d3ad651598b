"""RFC 8058 one-click unsubscribe, and the page a GET of the same link shows."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from newsletter.audience import subscriptions, suppression, tokens
from newsletter.core.db import session_scope
from newsletter.core.models import Subscription
from tests.conftest import SECRET
from tests.plugins.web import START, csrf_from, text_of

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def member(engine, public_lists) -> tuple[int, int, int]:
    """Emre receives both public lists: (subscriber id, monthly list id, events list id)."""
    with session_scope(engine) as session:
        result = subscriptions.subscribe(
            session, SECRET, "emre@example.org", "Emre Çelik", "en",
            ["aylik-bulten", "etkinlikler"], "test", None, None, "consent", "v1", START,
        )  # fmt: skip
        for sub in session.exec(select(Subscription)):
            sub.status = "confirmed"
    return result.subscriber_id or 0, public_lists["aylik-bulten"], public_lists["etkinlikler"]


def _token(member, list_id: int | None) -> str:
    return tokens.make(SECRET, "unsubscribe", member[0], list_id, now=START)


def _statuses(engine) -> dict[int, str]:
    with session_scope(engine) as session:
        return {s.list_id: s.status for s in session.exec(select(Subscription))}


def test_get_shows_one_button_and_changes_nothing(web: httpx.Client, engine, member) -> None:
    response = web.get(f"/unsubscribe/{_token(member, member[1])}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "stop receiving “Aylık Bülten” at emre@example.org" in text
    assert "Unsubscribe from everything" in text
    assert 'href="/preferences/' in response.text
    assert response.text.count('<button type="submit">') == 1
    assert response.headers["cache-control"] == "no-store"
    assert set(_statuses(engine).values()) == {"confirmed"}


def test_one_click_post_unsubscribes_from_that_list(web: httpx.Client, engine, member) -> None:
    response = web.post(f"/unsubscribe/{_token(member, member[1])}", data=ONE_CLICK)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert "location" not in response.headers
    assert "will no longer receive “Aylık Bülten”" in text_of(response.text)
    assert _statuses(engine) == {member[1]: "unsubscribed", member[2]: "confirmed"}
    again = web.post(f"/unsubscribe/{_token(member, member[1])}", data=ONE_CLICK)
    assert again.status_code == 200
    assert _statuses(engine) == {member[1]: "unsubscribed", member[2]: "confirmed"}


def test_one_click_as_multipart(web: httpx.Client, engine, member) -> None:
    response = web.post(
        f"/unsubscribe/{_token(member, member[2])}",
        files={"List-Unsubscribe": (None, "One-Click")},
    )
    assert response.status_code == 200
    assert _statuses(engine)[member[2]] == "unsubscribed"


def test_one_click_needs_no_cookie_or_csrf(web_server, engine, member) -> None:
    with httpx.Client(base_url=web_server.url) as mail_provider:
        response = mail_provider.post(f"/unsubscribe/{_token(member, None)}", data=ONE_CLICK)
    assert response.status_code == 200
    assert set(_statuses(engine).values()) == {"unsubscribed"}
    with session_scope(engine) as session:
        assert suppression.is_suppressed(session, SECRET, "emre@example.org")


def test_other_posts_need_the_csrf_token(web: httpx.Client, engine, member) -> None:
    for body in ({}, {"List-Unsubscribe": "one-click"}, {"scope": "all"}):
        response = web.post(f"/unsubscribe/{_token(member, member[1])}", data=body)
        assert response.status_code == 403
    assert set(_statuses(engine).values()) == {"confirmed"}


def test_page_button_unsubscribes_from_the_list(web: httpx.Client, engine, member) -> None:
    url = f"/unsubscribe/{_token(member, member[1])}"
    token = csrf_from(web.get(url).text)
    response = web.post(url, data={"csrf_token": token, "scope": "list"})
    assert response.status_code == 200
    assert _statuses(engine) == {member[1]: "unsubscribed", member[2]: "confirmed"}
    assert "Change your preferences" in text_of(response.text)


def test_page_can_unsubscribe_from_everything(web: httpx.Client, engine, member) -> None:
    url = f"/unsubscribe/{_token(member, member[1])}"
    token = csrf_from(web.get(url).text)
    response = web.post(url, data={"csrf_token": token, "scope": "all"})
    assert response.status_code == 200
    assert "will receive no more newsletters" in text_of(response.text)
    assert set(_statuses(engine).values()) == {"unsubscribed"}


def test_link_for_every_list(web: httpx.Client, member) -> None:
    page = web.get(f"/unsubscribe/{_token(member, None)}")
    assert "stop receiving all our newsletters" in text_of(page.text)
    assert "Unsubscribe from everything" not in text_of(page.text)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "token",
    ["nonsense", "TEST2", "eyJhIjoxfQ.AAAA.BBBB"],
)
def test_bad_link_is_explained_and_changes_nothing(
    web: httpx.Client, engine, member, method: str, token: str
) -> None:
    kwargs = {"data": ONE_CLICK} if method == "post" else {}
    response = getattr(web, method)(f"/unsubscribe/{token}", **kwargs)
    assert response.status_code == 400
    assert "This link is not valid" in text_of(response.text)
    assert set(_statuses(engine).values()) == {"confirmed"}


def test_tampered_token_is_refused(web: httpx.Client, engine, member) -> None:
    good = _token(member, member[1])
    response = web.post(f"/unsubscribe/{good[:-4]}AAAA", data=ONE_CLICK)
    assert response.status_code == 400
    confirm_token = tokens.make(SECRET, "confirm", member[0], member[1], now=START)
    assert web.post(f"/unsubscribe/{confirm_token}", data=ONE_CLICK).status_code == 400
    assert set(_statuses(engine).values()) == {"confirmed"}


def test_erased_person_gets_a_harmless_answer(web: httpx.Client, engine, member) -> None:
    with session_scope(engine) as session:
        subscriptions.erase(session, SECRET, "emre@example.org", START)
    token = _token(member, member[1])
    assert web.post(f"/unsubscribe/{token}", data=ONE_CLICK).status_code == 410
    page = web.get(f"/unsubscribe/{token}")
    assert page.status_code == 410  # Gone: the link was genuine, its person is no more
    assert "This link is no longer valid." in text_of(page.text)
    assert "We hold no subscription for this link" in text_of(page.text)


def test_turkish_subscriber_sees_turkish(web: httpx.Client, engine, member) -> None:
    with session_scope(engine) as session:
        subscriptions.update_preferences(
            session, SECRET, member[0], now=START, source="test", language="tr"
        )
    page = web.get(f"/unsubscribe/{_token(member, member[1])}")
    assert '<html lang="tr"' in page.text
    assert "Abonelikten çık" in text_of(page.text)


@pytest.mark.parametrize("path", ["/unsubscribe/TEST", "/preferences/TEST"])
def test_links_of_a_proof_email_explain_themselves(
    web: httpx.Client, engine, member, path: str
) -> None:
    page = web.get(path)
    assert page.status_code == 200
    assert "This link comes from a test email" in text_of(page.text)
    assert web.post("/unsubscribe/TEST", data=ONE_CLICK).status_code == 200
    assert set(_statuses(engine).values()) == {"confirmed"}
