"""The confirmation link: it confirms once and records who and when; bad links are explained."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from newsletter.audience import subscriptions, tokens
from newsletter.core.db import session_scope
from newsletter.core.models import ConsentRecord, MailJob, Subscription
from tests.conftest import SECRET
from tests.plugins.web import START, csrf_from, text_of


@pytest.fixture
def pending(engine, public_lists) -> tuple[int, int]:
    """Zeynep waits for confirmation of the monthly list: (subscriber id, list id)."""
    with session_scope(engine) as session:
        result = subscriptions.subscribe(
            session, SECRET, "zeynep.kaya@example.org", "Zeynep Kaya", "tr", ["aylik-bulten"],
            "test", None, None, "consent text", "v1", START,
        )  # fmt: skip
    return result.subscriber_id or 0, public_lists["aylik-bulten"]


def _token(pending: tuple[int, int], now=START, purpose: str = "confirm") -> str:
    return tokens.make(SECRET, purpose, pending[0], pending[1], now=now)


def _status(engine) -> str:
    with session_scope(engine) as session:
        return session.exec(select(Subscription)).one().status


def test_link_confirms_and_records_ip_agent_and_time(
    web: httpx.Client, web_server, engine, pending
) -> None:
    web_server.clock.advance(minutes=5)
    response = web.get(f"/confirm/{_token(pending)}", headers={"User-Agent": "Thunderbird/128"})
    assert response.status_code == 200
    text = text_of(response.text)
    # Zeynep chose Turkish: the page speaks it even to an English browser.
    assert "Aboneliğiniz onaylandı" in text
    assert "zeynep.kaya@example.org artık “Aylık Bülten” bültenini alacak" in text
    assert response.headers["cache-control"] == "no-store"
    with session_scope(engine) as session:
        sub = session.exec(select(Subscription)).one()
        record = session.exec(select(ConsentRecord).where(ConsentRecord.event == "confirmed")).one()
        jobs = session.exec(select(MailJob).where(MailJob.status == "queued")).all()
    assert sub.status == "confirmed" and sub.confirmed_at == START + timedelta(minutes=5)
    assert (record.ip, record.user_agent, record.at) == (
        "127.0.0.1",
        "Thunderbird/128",
        START + timedelta(minutes=5),
    )
    assert jobs == []  # the waiting confirmation email is no longer needed


def test_opening_the_link_twice_is_harmless(web: httpx.Client, engine, pending) -> None:
    token = _token(pending)
    assert web.get(f"/confirm/{token}").status_code == 200
    assert web.get(f"/confirm/{token}").status_code == 200
    with session_scope(engine) as session:
        confirmed = session.exec(select(ConsentRecord).where(ConsentRecord.event == "confirmed"))
        assert len(confirmed.all()) == 1


def test_expired_link_offers_a_new_one(web: httpx.Client, web_server, engine, pending) -> None:
    with session_scope(engine) as session:  # the first confirmation email went out long ago
        session.exec(select(MailJob)).one().status = "sent"
    web_server.clock.advance(days=8)  # confirm_days is 7
    response = web.get(f"/confirm/{_token(pending)}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    text = text_of(response.text)
    assert "This confirmation link has expired." in text
    assert "we will send you a new link" in text
    assert 'action="/subscribe?lang=en"' in response.text
    assert _status(engine) == "unconfirmed"
    # Sending the form on that page queues a fresh confirmation email.
    fields = {"csrf_token": csrf_from(response.text), "email": "zeynep.kaya@example.org",
              "language": "tr", "lists": "aylik-bulten", "consent": "yes"}  # fmt: skip
    assert web.post("/subscribe", data=fields).status_code == 200
    with session_scope(engine) as session:
        assert len(session.exec(select(MailJob)).all()) == 2


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"),  # signature changed
        lambda t: t[:20],  # cut short
        lambda t: "x" + t,  # payload changed
        lambda t: "nonsense",
    ],
)
def test_tampered_link_is_explained(web: httpx.Client, engine, pending, mangle) -> None:
    response = web.get(f"/confirm/{mangle(_token(pending))}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This confirmation link is not valid" in text_of(response.text)
    assert _status(engine) == "unconfirmed"


def test_link_made_for_another_purpose_is_refused(web: httpx.Client, engine, pending) -> None:
    response = web.get(f"/confirm/{_token(pending, purpose='unsubscribe')}")
    assert response.status_code == 400
    assert _status(engine) == "unconfirmed"


def test_link_after_unsubscribing_does_not_resubscribe(web: httpx.Client, engine, pending) -> None:
    with session_scope(engine) as session:
        subscriptions.unsubscribe(session, SECRET, pending[0], pending[1], "test", START)
    response = web.get(f"/confirm/{_token(pending)}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "cancelled or removed" in text_of(response.text)
    assert _status(engine) == "unsubscribed"


def test_link_of_an_erased_person(web: httpx.Client, engine, pending) -> None:
    with session_scope(engine) as session:
        subscriptions.erase(session, SECRET, "zeynep.kaya@example.org", START)
    response = web.get(f"/confirm/{_token(pending)}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "cancelled or removed" in text_of(response.text)
