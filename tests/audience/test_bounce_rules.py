"""The [bounces] rules on a real database: thresholds, the window, and complaints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from newsletter.audience import bounce_rules, lists, privacy, suppression
from newsletter.audience.addresses import normalise
from newsletter.audience.subscriptions import new_subscriber
from newsletter.core.models import BounceEvent, Subscriber, Subscription
from tests.conftest import SECRET

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def person(session: Session, address: str = "selin@example.org", lists_: int = 2) -> Subscriber:
    someone = new_subscriber(normalise(address), NOW, name="Selin")
    session.add(someone)
    session.flush()
    for n in range(lists_):
        mlist = lists.create(session, f"liste-{address[:3]}-{n}", "Liste", NOW, opt_in="single")
        session.add(Subscription(subscriber_id=someone.id, list_id=mlist.id, status="confirmed"))
    session.flush()
    return someone


def event(session: Session, who: Subscriber, kind: str, at: datetime, n: int) -> BounceEvent:
    found = BounceEvent(report_key=f"k{n}", subscriber_id=who.id or 0, kind=kind, code="x",
                        at=at, created_at=NOW)  # fmt: skip
    session.add(found)
    return found


def reason(session: Session, who: Subscriber) -> str | None:
    return getattr(suppression.find(session, SECRET, who.email), "reason", None)


def test_soft_bounces_outside_the_window_do_not_add_up(session: Session) -> None:
    rules = bounce_rules.Rules(soft_threshold=2, window=timedelta(days=30))
    who = person(session)
    first = event(session, who, "soft", NOW - timedelta(days=45), 1)
    assert bounce_rules.apply(session, SECRET, who, first, rules) == "soft 1 of 2"
    second = event(session, who, "soft", NOW, 2)
    assert bounce_rules.apply(session, SECRET, who, second, rules) == "soft 1 of 2"
    assert (who.status, reason(session, who)) == ("active", None)
    third = event(session, who, "soft", NOW + timedelta(days=29), 3)
    assert bounce_rules.apply(session, SECRET, who, third, rules).startswith("bounced, suppressed")
    assert (who.status, reason(session, who)) == ("bounced", "hard_bounce")


def test_a_hard_threshold_of_two_waits_for_the_second(session: Session) -> None:
    rules = bounce_rules.Rules(hard_threshold=2)
    who = person(session)
    assert bounce_rules.apply(session, SECRET, who, event(session, who, "hard", NOW, 1), rules) == (
        "hard 1 of 2"
    )  # fmt: skip
    assert reason(session, who) is None
    later = event(session, who, "hard", NOW + timedelta(days=1), 2)
    bounce_rules.apply(session, SECRET, who, later, rules)
    assert (who.status, reason(session, who)) == ("bounced", "hard_bounce")


def test_complaint_unsubscribes_everywhere_and_suppresses_as_complaint(session: Session) -> None:
    who = person(session, lists_=2)
    effect = bounce_rules.apply(
        session, SECRET, who, event(session, who, "complaint", NOW, 1), bounce_rules.Rules()
    )
    assert effect == "complained, unsubscribed from 2 list(s), suppressed"
    subs = session.exec(select(Subscription).where(Subscription.subscriber_id == who.id)).all()
    assert [s.status for s in subs] == ["unsubscribed", "unsubscribed"]
    # "complaint", not "unsubscribed": a complaint must not be lifted by a new subscription.
    assert (who.status, reason(session, who)) == ("complained", "complaint")


def test_a_blocklisted_person_keeps_that_status_but_is_suppressed(session: Session) -> None:
    who = person(session, lists_=0)
    who.status = "blocklisted"
    bounce_rules.apply(
        session, SECRET, who, event(session, who, "hard", NOW, 1), bounce_rules.Rules()
    )
    assert (who.status, reason(session, who)) == ("blocklisted", "hard_bounce")


def test_erasing_the_person_deletes_their_events(session: Session) -> None:
    who = person(session, lists_=1)
    bounce_rules.apply(
        session, SECRET, who, event(session, who, "soft", NOW, 1), bounce_rules.Rules()
    )
    session.flush()
    assert len(session.exec(select(BounceEvent)).all()) == 1
    exported = privacy.person_data(session, who.email)["bounces"]  # art. 15: the events too
    assert [b["subscriber_id"] for b in exported] == [who.id]
    privacy.erase(session, SECRET, who.email, NOW)
    session.expunge_all()
    assert session.exec(select(BounceEvent)).all() == []
