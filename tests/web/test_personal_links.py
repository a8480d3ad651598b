"""Personal links (unsubscribe, one-click, preferences, data download, erase) over HTTP.

A link names its person only by id and the time it was made. Once that person is erased, their
old links must never act on anyone else, even on a database that hands the id out again.
"""

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

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _subscribe(web: httpx.Client, email: str, name: str, lists: list[str]) -> None:
    fields = {"csrf_token": csrf_from(web.get("/subscribe").text), "email": email, "name": name,
              "language": "en", "lists": lists, "consent": "yes"}  # fmt: skip
    assert web.post("/subscribe", data=fields).status_code == 200


def _person(engine, email: str) -> Subscriber:
    with session_scope(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.email == email)).one()


def _statuses(engine, subscriber_id: int) -> dict[int, str]:
    with session_scope(engine) as session:
        query = select(Subscription).where(Subscription.subscriber_id == subscriber_id)
        return {s.list_id: s.status for s in session.exec(query)}


def _hand_out_ids_again(engine) -> None:
    """Make the database give the next subscriber the highest id in use plus one, as SQLite did
    before migration 0007 (and as a restored backup or a reset sequence may still do)."""
    with engine.begin() as conn:
        has_sequence = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).first()
        if has_sequence:
            conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'subscribers'")


def _refused(response: httpx.Response) -> str:
    assert 400 <= response.status_code < 500, response.status_code
    assert response.headers["cache-control"] == "no-store"
    return text_of(response.text)


def test_links_of_an_erased_person_never_reach_the_next_holder_of_their_id(
    web: httpx.Client, web_server, engine, public_lists
) -> None:
    monthly, events = public_lists["aylik-bulten"], public_lists["etkinlikler"]
    _subscribe(web, "ali@example.org", "Ali Kaya", ["aylik-bulten", "etkinlikler"])
    ali = _person(engine, "ali@example.org")
    web_server.clock.advance(minutes=10)
    confirm = tokens.make(SECRET, "confirm", ali.id, monthly, now=web_server.clock())
    assert web.get(f"/confirm/{confirm}").status_code == 200
    # The next issue reaches Ali a day later, with his personal links.
    web_server.clock.advance(days=1)
    now = web_server.clock()
    preferences = f"/preferences/{tokens.make(SECRET, 'preferences', ali.id, now=now)}"
    one_click = f"/unsubscribe/{tokens.make(SECRET, 'unsubscribe', ali.id, events, now=now)}"
    everything = f"/unsubscribe/{tokens.make(SECRET, 'unsubscribe', ali.id, None, now=now)}"

    # Ali erases himself on his preferences page.
    web_server.clock.advance(days=1)
    erase_page = web.get(preferences + "/erase")
    done = web.post(preferences + "/erase",
                    data={"csrf_token": csrf_from(erase_page.text), "confirm": "yes"})  # fmt: skip
    assert "We have deleted your data" in text_of(done.text)

    # Berna subscribes later and gets Ali's old id.
    web_server.clock.advance(days=1)
    _hand_out_ids_again(engine)
    _subscribe(web, "berna@example.org", "Berna Şahin", ["aylik-bulten", "etkinlikler"])
    berna = _person(engine, "berna@example.org")
    assert berna.id == ali.id
    before = _statuses(engine, berna.id)
    assert before == {monthly: "unconfirmed", events: "confirmed"}

    token = csrf_from(web.get("/subscribe").text)
    answers = {
        "preferences page": web.get(preferences),
        "preferences save": web.post(preferences, data={
            "csrf_token": token, "name": "Ali Kaya", "language": "tr", "lists": []}),
        "data download": web.get(preferences + "/data"),
        "erase page": web.get(preferences + "/erase"),
        "erase": web.post(preferences + "/erase", data={"csrf_token": token, "confirm": "yes"}),
        "unsubscribe page": web.get(one_click),
        "one-click": web.post(one_click, data=ONE_CLICK),
        "unsubscribe everything": web.post(everything, data={"csrf_token": token, "scope": "all"}),
        "confirm": web.get(f"/confirm/{confirm}"),
    }  # fmt: skip
    for what, response in answers.items():
        text = _refused(response)
        assert "berna" not in text.lower() and "Şahin" not in text, what
        if what != "confirm":
            assert "this link is no longer valid" in text.lower(), what
    assert "cancelled or removed" in text_of(answers["confirm"].text)
    assert not answers["data download"].headers["content-type"].startswith("application/json")

    # Nothing of Berna changed: still subscribed, not renamed, not suppressed, not confirmed.
    again = _person(engine, "berna@example.org")
    assert (again.id, again.name, again.language) == (ali.id, "Berna Şahin", "en")
    assert _statuses(engine, berna.id) == before
    with session_scope(engine) as session:
        assert not suppression.is_suppressed(session, SECRET, "berna@example.org")
        assert suppression.is_suppressed(session, SECRET, "ali@example.org")


@pytest.fixture
def member(engine, public_lists) -> int:
    with session_scope(engine) as session:
        result = subscriptions.subscribe(
            session, SECRET, "deniz@example.org", "Deniz Ak", "en", ["etkinlikler"], "test",
            None, None, "consent", "v1", START,
        )  # fmt: skip
    return result.subscriber_id or 0


@pytest.mark.parametrize("suffix", ["", "/data", "/erase"])
def test_links_of_an_erased_person_say_so(web: httpx.Client, engine, member, suffix) -> None:
    url = f"/preferences/{tokens.make(SECRET, 'preferences', member, now=START)}{suffix}"
    with session_scope(engine) as session:
        subscriptions.erase(session, SECRET, "deniz@example.org", START)
    text = _refused(web.get(url, headers={"Accept-Language": "en"}))
    assert "this link is no longer valid" in text.lower()
    assert "you will not receive our emails" in text


def _personal_urls(member: int, list_id: int) -> list[str]:
    preferences = f"/preferences/{tokens.make(SECRET, 'preferences', member, now=START)}"
    unsubscribe = f"/unsubscribe/{tokens.make(SECRET, 'unsubscribe', member, list_id, now=START)}"
    return [unsubscribe, preferences, preferences + "/data", preferences + "/erase"]


def test_personal_pages_answer_head_and_change_nothing(
    web: httpx.Client, engine, member, public_lists
) -> None:
    for url in _personal_urls(member, public_lists["etkinlikler"]):
        response = web.head(url)
        assert response.status_code == 200, url
        assert response.content == b""
        assert response.headers["cache-control"] == "no-store"
    assert _statuses(engine, member) == {public_lists["etkinlikler"]: "confirmed"}
    with session_scope(engine) as session:
        assert session.get(Subscriber, member) is not None


def test_the_data_download_is_the_persons_own(web: httpx.Client, member) -> None:
    url = f"/preferences/{tokens.make(SECRET, 'preferences', member, now=START)}/data"
    data = json.loads(web.get(url).content)
    assert data["subscriber"]["email"] == "deniz@example.org"
