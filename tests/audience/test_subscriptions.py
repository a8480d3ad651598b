"""Subscribing, confirming, unsubscribing, preferences, data requests and erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from newsletter.audience import roster, subscriptions, suppression
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import (
    ConsentRecord,
    Delivery,
    Issue,
    MailingList,
    MailJob,
    Send,
    Subscriber,
    Subscription,
)
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

NOW = AUDIENCE_NOW
TEXT = "Bülteni e-postayla almayı kabul ediyorum."


def subscribe(session: Session, email: str, slugs: list[str], now=NOW, name="Elif Şahin"):
    return subscriptions.subscribe(
        session, AUDIENCE_SECRET, email, name, "tr", slugs, "https://news.example.org/subscribe",
        "203.0.113.7", "Firefox/140", TEXT, "2026-11", now,
    )  # fmt: skip


def jobs(session: Session) -> list[MailJob]:
    return list(session.exec(select(MailJob).order_by(MailJob.id)))


def status_of(session: Session, subscriber_id: int, mlist: MailingList) -> str:
    sub = subscriptions.subscription(session, subscriber_id, mlist.id)
    return sub.status if sub else "none"


def test_double_opt_in_leaves_unconfirmed_and_queues_one_confirmation(
    session: Session, double_list: MailingList
) -> None:
    result = subscribe(session, "Elif@Örnek.com.tr", ["aylik-tr"])
    person = session.get(Subscriber, result.subscriber_id)
    assert person.email == "elif@örnek.com.tr"
    assert person.email_ascii == "elif@xn--rnek-4qa.com.tr"
    assert status_of(session, person.id, double_list) == "unconfirmed"
    assert [(j.kind, j.subscriber_id, j.list_id, j.status) for j in jobs(session)] == [
        ("confirmation", person.id, double_list.id, "queued")
    ]
    assert result.pending == [double_list.id] and result.queued_jobs == [jobs(session)[0].id]


def test_at_most_one_confirmation_per_list_per_hour(
    session: Session, double_list: MailingList
) -> None:
    subscribe(session, "elif@example.com", ["aylik-tr"])
    subscribe(session, "ELIF@example.com", ["aylik-tr"], now=NOW + timedelta(minutes=20))
    assert len(jobs(session)) == 1
    jobs(session)[0].status = "sent"
    subscribe(session, "elif@example.com", ["aylik-tr"], now=NOW + timedelta(minutes=59))
    assert len(jobs(session)) == 1
    subscribe(session, "elif@example.com", ["aylik-tr"], now=NOW + timedelta(minutes=61))
    assert len(jobs(session)) == 2
    assert session.exec(select(Subscriber)).all().__len__() == 1


def test_single_opt_in_is_active_at_once(session: Session, single_list: MailingList) -> None:
    result = subscribe(session, "omer@example.com", ["updates-en"])
    assert result.confirmed == [single_list.id]
    assert status_of(session, result.subscriber_id, single_list) == "confirmed"
    assert jobs(session) == []


def test_existing_member_is_left_alone_and_not_renamed(
    session: Session, single_list: MailingList
) -> None:
    first = subscribe(session, "omer@example.com", ["updates-en"], name="Ömer Çelik")
    again = subscribe(session, "omer@example.com", ["updates-en"], name="Somebody Else")
    assert again.subscriber_id == first.subscriber_id and again.already == [single_list.id]
    assert session.get(Subscriber, first.subscriber_id).name == "Ömer Çelik"


def test_bounced_or_complained_address_is_refused_silently(
    session: Session, double_list: MailingList
) -> None:
    suppression.add(session, AUDIENCE_SECRET, "hakan@example.com", "complaint", NOW)
    result = subscribe(session, "Hakan@example.com", ["aylik-tr"])
    assert result.suppressed and result.subscriber_id is None
    assert session.exec(select(Subscriber)).all() == [] and jobs(session) == []


def test_after_unsubscribing_all_a_new_subscription_must_be_confirmed(
    session: Session, single_list: MailingList
) -> None:
    sid = subscribe(session, "deniz@example.com", ["updates-en"]).subscriber_id
    subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, None, "web", NOW)
    assert suppression.is_suppressed(session, AUDIENCE_SECRET, "deniz@example.com")
    later = NOW + timedelta(days=10)
    result = subscribe(session, "deniz@example.com", ["updates-en"], now=later)
    # Even on a single opt-in list: the person must prove the address is theirs again.
    assert result.pending == [single_list.id]
    assert status_of(session, sid, single_list) == "unconfirmed"
    subscriptions.confirm(session, sid, single_list.id, "203.0.113.9", "Edge", later,
                        secret=AUDIENCE_SECRET)  # fmt: skip
    assert status_of(session, sid, single_list) == "confirmed"
    assert not suppression.is_suppressed(session, AUDIENCE_SECRET, "deniz@example.com")


def test_subscribe_needs_known_lists_and_a_valid_address(
    session: Session, double_list: MailingList
) -> None:
    with pytest.raises(NotFound, match="no list with slug 'yok'"):
        subscribe(session, "a@example.com", ["yok"])
    with pytest.raises(UserError, match="invalid email address 'a@b'"):
        subscribe(session, "a@b", ["aylik-tr"])
    with pytest.raises(UserError, match="at least one list"):
        subscribe(session, "a@example.com", [])


def test_confirm_is_idempotent_and_refuses_after_unsubscribe(
    session: Session, double_list: MailingList
) -> None:
    sid = subscribe(session, "elif@example.com", ["aylik-tr"]).subscriber_id
    sub = subscriptions.confirm(session, sid, double_list.id, None, None, NOW + timedelta(hours=1))
    assert sub.status == "confirmed" and sub.confirmed_at == NOW + timedelta(hours=1)
    assert jobs(session) == []  # the queued confirmation is no longer needed
    later = NOW + timedelta(hours=2)
    again = subscriptions.confirm(session, sid, double_list.id, None, None, later)
    assert again.confirmed_at == NOW + timedelta(hours=1)
    subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, double_list.id, "web", NOW)
    with pytest.raises(StateError, match="unsubscribed from this list"):
        subscriptions.confirm(session, sid, double_list.id, None, None, NOW)
    with pytest.raises(NotFound):
        subscriptions.confirm(session, sid + 99, double_list.id, None, None, NOW)


def test_unsubscribe_one_list_keeps_the_others_and_adds_no_suppression(
    session: Session, double_list: MailingList, single_list: MailingList
) -> None:
    sid = subscribe(session, "elif@example.com", ["aylik-tr", "updates-en"]).subscriber_id
    left = subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, single_list.id, "web", NOW)
    assert left == [single_list.id]
    assert status_of(session, sid, double_list) == "unconfirmed"
    assert status_of(session, sid, single_list) == "unsubscribed"
    assert not suppression.is_suppressed(session, AUDIENCE_SECRET, "elif@example.com")
    again = subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, single_list.id, "web", NOW)
    assert again == []
    everything = subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, None, "one-click", NOW)
    assert everything == [double_list.id]
    assert suppression.find(session, AUDIENCE_SECRET, "elif@example.com").reason == "unsubscribed"
    assert jobs(session) == []


def test_preferences_join_leave_and_rename(
    session: Session, double_list: MailingList, single_list: MailingList
) -> None:
    sid = subscribe(session, "elif@example.com", ["aylik-tr"]).subscriber_id
    private = roster.lists.create(session, "ic", "İç liste", NOW)
    changes = subscriptions.update_preferences(
        session, AUDIENCE_SECRET, sid, now=NOW, source="preferences page", name="Elif Ş.",
        language="en", list_ids=[single_list.id], consent_text=TEXT,
    )  # fmt: skip
    assert changes == {
        "changed": ["name", "language"], "joined": [single_list.id], "left": [double_list.id]
    }  # fmt: skip
    assert status_of(session, sid, single_list) == "confirmed"
    assert status_of(session, sid, double_list) == "unsubscribed"
    assert session.get(Subscriber, sid).name == "Elif Ş."
    with pytest.raises(UserError, match="no such public list"):
        subscriptions.update_preferences(
            session, AUDIENCE_SECRET, sid, now=NOW, source="x", list_ids=[private.id]
        )


def test_rejoining_on_the_preferences_page_lifts_an_unsubscribe_suppression(
    session: Session, double_list: MailingList, single_list: MailingList
) -> None:
    sid = subscribe(session, "elif@example.com", ["aylik-tr"]).subscriber_id
    subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, None, "one-click", NOW)
    assert suppression.is_suppressed(session, AUDIENCE_SECRET, "elif@example.com")
    subscriptions.update_preferences(
        session, AUDIENCE_SECRET, sid, now=NOW, source="preferences page",
        list_ids=[single_list.id], consent_text=TEXT,
    )  # fmt: skip
    assert status_of(session, sid, single_list) == "confirmed"
    assert not suppression.is_suppressed(session, AUDIENCE_SECRET, "elif@example.com")


def test_rejoining_keeps_a_bounce_suppression(
    session: Session, single_list: MailingList
) -> None:
    sid = subscribe(session, "elif@example.com", ["updates-en"]).subscriber_id
    subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, None, "one-click", NOW)
    found = suppression.find(session, AUDIENCE_SECRET, "elif@example.com")
    found.reason = "hard_bounce"
    session.add(found)
    subscriptions.update_preferences(
        session, AUDIENCE_SECRET, sid, now=NOW, source="preferences page",
        list_ids=[single_list.id],
    )  # fmt: skip
    assert suppression.find(session, AUDIENCE_SECRET, "elif@example.com").reason == "hard_bounce"


def _delivery(session: Session, subscriber_id: int) -> Delivery:
    issue = Issue(title="Kasım 2026")
    session.add(issue)
    session.flush()
    send = Send(issue_id=issue.id, lists=["updates-en"])
    session.add(send)
    session.flush()
    delivery = Delivery(issue_id=issue.id, send_id=send.id, subscriber_id=subscriber_id,
                        status="sent")  # fmt: skip
    session.add(delivery)
    session.flush()
    return delivery


def test_person_data_holds_everything(session: Session, single_list: MailingList) -> None:
    sid = subscribe(session, "elif@example.com", ["updates-en"]).subscriber_id
    roster.edit(session, "elif@example.com", NOW, set_attributes={"şehir": "Hatay"})
    delivery = _delivery(session, sid)
    data = subscriptions.person_data(session, "ELIF@example.com")
    assert data["subscriber"]["email"] == "elif@example.com"
    assert data["subscriber"]["attributes"] == {"şehir": "Hatay"}
    assert [(s["list"], s["status"]) for s in data["subscriptions"]] == [
        ("updates-en", "confirmed")
    ]
    assert [(c["event"], c["consent_text"]) for c in data["consent"]] == [("subscribed", TEXT)]
    assert [d["id"] for d in data["deliveries"]] == [delivery.id]
    with pytest.raises(NotFound, match="no subscriber 'nobody@example.com'"):
        subscriptions.person_data(session, "nobody@example.com")


def test_erase_leaves_only_the_suppression_hash(session: Session, single_list: MailingList) -> None:
    sid = subscribe(session, "elif@example.com", ["updates-en"]).subscriber_id
    delivery = _delivery(session, sid)
    result = subscriptions.erase(session, AUDIENCE_SECRET, "Elif@example.com", NOW)
    assert result == {"found": True, "subscriptions": 1, "consent_records": 1,
                      "deliveries_unlinked": 1}  # fmt: skip
    session.expire_all()
    assert session.exec(select(Subscriber)).all() == []
    assert session.exec(select(Subscription)).all() == []
    records = session.exec(select(ConsentRecord)).all()
    assert [(r.event, r.subscriber_id, r.ip, r.consent_text) for r in records] == [
        ("erased", None, None, None)
    ]
    assert session.get(Delivery, delivery.id).subscriber_id is None
    assert suppression.find(session, AUDIENCE_SECRET, "elif@example.com").reason == "erased"
    # A later subscription through the form must be confirmed again.
    assert subscribe(session, "elif@example.com", ["updates-en"]).pending == [single_list.id]


def test_erase_unknown_address_still_suppresses(session: Session) -> None:
    assert subscriptions.erase(session, AUDIENCE_SECRET, "ghost@example.com", NOW)["found"] is False
    assert suppression.is_suppressed(session, AUDIENCE_SECRET, "ghost@example.com")


def test_search_ignores_case_accents_and_turkish_i(session: Session, double_list) -> None:
    roster.add(session, AUDIENCE_SECRET, "İPEK@örnek.com.tr", NOW, name="İpek Şahin",
               organisation="Kızılay", list_slugs=["aylik-tr"])  # fmt: skip
    roster.add(session, AUDIENCE_SECRET, "omar@example.com", NOW, name="عمر الخطيب",
               list_slugs=["aylik-tr"])  # fmt: skip
    # A subscriber written by other code through the ORM is searchable too.
    session.add(Subscriber(email="isik@example.com", email_ascii="isik@example.com",
                           name="IŞIK Doğan"))  # fmt: skip
    session.flush()
    for term, expected in [
        ("ŞAHİN", ["ipek@örnek.com.tr"]), ("sahin", ["ipek@örnek.com.tr"]),
        ("ipek@ornek", ["ipek@örnek.com.tr"]), ("kizilay", ["ipek@örnek.com.tr"]),
        ("الخطيب", ["omar@example.com"]), ("ışık", ["isik@example.com"]),
        ("%", []), ("_", []),
    ]:  # fmt: skip
        rows, total = roster.listing(session, roster.Filters(search=term))
        assert [r["email"] for r in rows] == expected, term
        assert total == len(expected)
        assert all("search_text" not in r for r in rows)


def test_listing_pages_and_caps_the_count(
    session: Session, single_list, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(7):
        roster.add(session, AUDIENCE_SECRET, f"kisi{i}@example.com", NOW, list_slugs=["updates-en"])
    monkeypatch.setattr(roster, "COUNT_LIMIT", 4)
    rows, total = roster.listing(session, roster.Filters("updates-en"), limit=3, offset=3)
    assert [r["email"] for r in rows] == ["kisi3@example.com", "kisi4@example.com",
                                          "kisi5@example.com"]  # fmt: skip
    assert total == 5  # more than COUNT_LIMIT
    assert roster.listing(session, roster.Filters("updates-en"), exact=True)[1] == 7
    with pytest.raises(UserError, match="status 'gone'"):
        roster.listing(session, roster.Filters(status="gone"))


def test_edit_address_and_collisions(session: Session, single_list) -> None:
    roster.add(session, AUDIENCE_SECRET, "eski@example.com", NOW, list_slugs=["updates-en"])
    roster.add(session, AUDIENCE_SECRET, "diger@example.com", NOW, list_slugs=["updates-en"])
    person = roster.edit(session, "eski@example.com", NOW, new_email="Yeni@Örnek.com.tr")
    assert (person.email, person.email_ascii) == ("yeni@örnek.com.tr", "yeni@xn--rnek-4qa.com.tr")
    with pytest.raises(StateError, match="already has the address diger@example.com"):
        roster.edit(session, "yeni@örnek.com.tr", NOW, new_email="DIGER@example.com")
    with pytest.raises(UserError, match="language 'Türkçe'"):
        roster.edit(session, "diger@example.com", NOW, language="Türkçe")
    with pytest.raises(UserError, match="status 'gone'"):
        roster.edit(session, "diger@example.com", NOW, status="gone")


def test_subscribe_without_language_takes_the_lists_default(
    session: Session, double_list: MailingList
) -> None:
    result = subscriptions.subscribe(
        session, AUDIENCE_SECRET, "dil@example.com", "", "", ["aylik-tr"], "form", None, None,
        TEXT, None, NOW,
    )  # fmt: skip
    assert session.get(Subscriber, result.subscriber_id).language == "tr"
    with pytest.raises(UserError, match="language 'Türkçe'"):
        subscriptions.subscribe(
            session, AUDIENCE_SECRET, "dil2@example.com", "", "Türkçe", ["aylik-tr"], "form",
            None, None, TEXT, None, NOW,
        )  # fmt: skip
