"""The ledger: who gets a row, uniqueness, retries, pause/resume/cancel/retry-failed, reports."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from newsletter.audience import lists, subscriptions, suppression
from newsletter.core.config import Config
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Delivery, Issue, Subscriber
from newsletter.delivery import ledger
from newsletter.delivery.ledger_fast import Begin, FastLedger, Skip
from newsletter.delivery.transport import Outcome, classify
from tests.conftest import SECRET
from tests.plugins.delivery import NOW, add_people, make_issue, make_list, people


def queued_emails(session: Session, send_id: int) -> list[str]:
    rows = session.exec(
        select(Subscriber.email).join(Delivery).where(Delivery.send_id == send_id)
    ).all()
    return sorted(rows)


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    issue = make_issue(session)
    a, b = make_list(session, "genel"), make_list(session, "ankara")
    add_people(session, a, people(5))
    add_people(session, b, people(7)[3:])  # three on both lists, two only here
    add_people(session, b, [("bekleyen@example.org", "Bekleyen")], status="unconfirmed")
    add_people(session, b, [("ayrilan@example.org", "Ayrılan")], status="unsubscribed")
    return {"issue": issue.id or 0, "genel": a, "ankara": b}


def test_one_row_per_confirmed_person_across_lists(session: Session, config: Config, world):
    send = ledger.start_send(session, world["issue"], ["genel", "ankara"], NOW, config)
    assert queued_emails(session, send.id) == sorted(p[0] for p in people(7))
    rows = session.exec(select(Delivery).where(Delivery.send_id == send.id)).all()
    assert {r.status for r in rows} == {"queued"}
    assert {(r.queued_at, r.updated_at, r.attempts) for r in rows} == {(NOW, NOW, 0)}
    # Someone on both lists gets the first list's unsubscribe link.
    both = subscriptions.find(session, "kisi0004@example.org")
    assert next(r for r in rows if r.subscriber_id == both.id).list_id == world["genel"]
    assert session.get(Issue, world["issue"]).status == "sending"
    assert send.status == "running" and send.lists == ["genel", "ankara"]


def test_suppressed_and_blocklisted_are_left_out(session: Session, config: Config, world):
    suppression.add(session, SECRET, "KISI0001@example.org", "complaint", NOW)
    blocked = subscriptions.find(session, "kisi0002@example.org")
    blocked.status = "blocklisted"
    session.add(blocked)
    found = ledger.audience(session, SECRET, world["issue"], ["genel"])
    assert (found.suppressed, found.blocklisted, len(found.recipients)) == (1, 1, 3)
    send = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    assert queued_emails(session, send.id) == [
        "kisi0000@example.org",
        "kisi0003@example.org",
        "kisi0004@example.org",
    ]


def test_unique_per_issue_and_subscriber(session: Session, config: Config, world) -> None:
    first = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    with pytest.raises(StateError, match=f"already has send {first.id} \\(running\\)"):
        ledger.start_send(session, world["issue"], ["ankara"], NOW, config)
    first.status = "done"
    session.add(first)
    second = ledger.start_send(session, world["issue"], ["ankara"], NOW, config)
    assert queued_emails(session, second.id) == ["kisi0005@example.org", "kisi0006@example.org"]
    duplicate = Delivery(
        issue_id=world["issue"],
        send_id=second.id,
        subscriber_id=subscriptions.find(session, "kisi0005@example.org").id,
    )
    session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_bad_input(session: Session, config: Config, world) -> None:
    with pytest.raises(NotFound, match="no list with slug 'yok'"):
        ledger.start_send(session, world["issue"], ["yok"], NOW, config)
    with pytest.raises(UserError, match="choose at least one list"):
        ledger.start_send(session, world["issue"], [], NOW, config)
    with pytest.raises(NotFound, match="no issue with id 999"):
        ledger.start_send(session, 999, ["genel"], NOW, config)
    draft = make_issue(session, status="draft")
    with pytest.raises(StateError, match="approve it"):
        ledger.start_send(session, draft.id, ["genel"], NOW, config)
    with pytest.raises(NotFound, match="never been sent"):
        ledger.report(session, draft.id)


def test_a_send_to_nobody_is_refused_and_changes_nothing(
    session: Session, config: Config, world
) -> None:
    empty = make_list(session, "bos")
    add_people(session, empty, [("bekleyen2@example.org", "Bekleyen")], status="unconfirmed")
    with pytest.raises(StateError, match="nobody to send to on bos"):
        ledger.start_send(session, world["issue"], ["bos"], NOW, config)
    issue = session.get(Issue, world["issue"])
    assert issue.status == "approved"
    assert session.exec(select(Delivery)).all() == []


def test_pause_resume_cancel(session: Session, config: Config, world) -> None:
    send = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    ledger.pause(session, world["issue"], "yazım hatası", NOW)
    assert (send.status, send.pause_reason) == ("paused", "yazım hatası")
    assert session.get(Issue, world["issue"]).status == "paused"
    with pytest.raises(StateError, match="is paused, not running"):
        ledger.pause(session, world["issue"], "again", NOW)
    ledger.resume(session, world["issue"], NOW)
    assert send.status == "running" and session.get(Issue, world["issue"]).status == "sending"
    assert ledger.cancel(session, world["issue"], NOW) == 5
    assert session.get(Issue, world["issue"]).status == "cancelled"
    assert ledger.report(session, world["issue"])["counts"]["skipped"] == 5
    with pytest.raises(StateError, match="nothing to resume"):
        ledger.resume(session, world["issue"], NOW)


def test_retry_failed_skips_hard_bounces(session: Session, config: Config, world) -> None:
    send = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    rows = session.exec(select(Delivery).where(Delivery.send_id == send.id)).all()
    rows[0].status, rows[0].last_text = "failed", "5.1.1 No such user"
    rows[1].status, rows[1].last_text = "failed", "gave up after 5 attempts: 451 4.3.0 busy"
    rows[2].status, rows[2].attempts = "failed", 3
    for r in rows[3:]:
        r.status = "sent"
    send.status = "done"
    session.add_all([*rows, send])
    session.flush()
    assert ledger.retry_failed(session, world["issue"], NOW) == 2
    assert send.status == "running"
    assert ledger.status_counts(session, send.id) == {
        "queued": 2,
        "sending": 0,
        "sent": 2,
        "failed": 1,
        "skipped": 0,
    }
    session.refresh(rows[2])
    assert (rows[2].status, rows[2].attempts) == ("queued", 0)


def test_next_step() -> None:
    cfg = Config().sending
    assert ledger.next_step(classify(250, "ok"), 1, NOW, NOW, cfg).status == "sent"
    assert ledger.next_step(classify(550, "5.1.1 x"), 1, NOW, NOW, cfg).status == "failed"
    unknown = Outcome("unknown", None, "no reply: possibly delivered")
    assert ledger.next_step(unknown, 1, NOW, NOW, cfg).status == "sending"
    retry = ledger.next_step(classify(451, "4.3.0 later"), 2, NOW, NOW, cfg)
    assert retry.status == "queued"
    assert NOW + timedelta(seconds=30) <= retry.next_attempt_at <= NOW + timedelta(seconds=90)
    last = ledger.next_step(classify(451, "4.3.0 later"), 5, NOW, NOW, cfg)
    assert (last.status, last.text) == ("failed", "gave up after 5 attempts: 451 4.3.0 later")
    old = ledger.next_step(classify(451, "x"), 1, NOW, NOW + timedelta(hours=25), cfg)
    assert old.status == "failed" and "24.0 hours" in old.text


def test_backoff_grows_with_jitter() -> None:
    rand = random.Random(7)
    waits = [ledger.backoff(n, 10, rand).total_seconds() for n in range(1, 6)]
    for n, wait in enumerate(waits, start=1):
        assert 10 * 2 ** (n - 1) * 0.5 <= wait <= 10 * 2 ** (n - 1) * 1.5
    assert len({ledger.backoff(3, 10).total_seconds() for _ in range(5)}) > 1


def _reopen(session: Session, issue_id: int) -> None:
    """What editing, submitting and approving a cancelled issue again come to (its frozen
    snapshots kept: rendering is not under test here)."""
    issue = session.get(Issue, issue_id)
    issue.status = "approved"
    session.add(issue)
    session.flush()


def test_a_cancelled_send_leaves_whom_it_never_tried_for_a_later_send(
    session: Session, config: Config, world
) -> None:
    first = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    by_email = {
        e: d
        for d, e in session.exec(
            select(Delivery, Subscriber.email).join(Subscriber).where(Delivery.send_id == first.id)
        ).all()
    }
    outcome = {  # what the run did before the cancel; the last two it never got to
        "kisi0000@example.org": "sent",
        "kisi0001@example.org": "sending",  # in flight: possibly sent
        "kisi0002@example.org": "failed",
    }
    for email, status in outcome.items():
        by_email[email].status, by_email[email].attempts = status, 1
        session.add(by_email[email])
    by_email["kisi0003@example.org"].attempts = 1  # a 4xx, waiting for its retry
    session.flush()
    assert ledger.cancel(session, world["issue"], NOW) == 2
    # A late retry of the run being cancelled can put a row back in the queue.
    session.execute(
        sa.update(Delivery).where(Delivery.id == by_email["kisi0003@example.org"].id)
        .values(status="queued")
    )  # fmt: skip
    _reopen(session, world["issue"])
    found = ledger.audience(session, SECRET, world["issue"], ["genel", "ankara"])
    assert found.already_sent == 3
    second = ledger.start_send(session, world["issue"], ["genel", "ankara"], NOW, config)
    queued = queued_emails(session, second.id)
    assert queued == ["kisi0003@example.org", "kisi0004@example.org", "kisi0005@example.org",
                      "kisi0006@example.org"]  # fmt: skip
    moved = [by_email["kisi0003@example.org"].id, by_email["kisi0004@example.org"].id]
    for row_id in moved:  # the same row, now the new send's: one row per person and issue
        row = session.get(Delivery, row_id)
        session.refresh(row)
        assert (row.send_id, row.status, row.attempts, row.last_text) == (second.id, "queued",
                                                                           0, "")  # fmt: skip
    assert ledger.status_counts(session, first.id) == {
        "queued": 0, "sending": 1, "sent": 1, "failed": 1, "skipped": 0
    }  # fmt: skip
    total = session.exec(select(sa.func.count()).select_from(Delivery)).one()
    assert total == 7


def test_people_skipped_by_a_finished_send_stay_left_out(
    session: Session, config: Config, world
) -> None:
    first = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    rows = session.exec(select(Delivery).where(Delivery.send_id == first.id)).all()
    for row in rows:
        row.status = "sent"
    rows[0].status, rows[0].last_text = "skipped", "unsubscribed during the send"
    first.status = "done"
    session.add_all([*rows, first])
    session.flush()
    found = ledger.audience(session, SECRET, world["issue"], ["genel"])
    assert (found.recipients, found.already_sent, found.carried_over) == ([], 5, {})


def test_a_row_moved_on_to_a_later_send_is_not_sent_by_the_old_run(
    session: Session, config: Config, engine, world
) -> None:
    first = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    ledger.cancel(session, world["issue"], NOW)
    _reopen(session, world["issue"])
    second = ledger.start_send(session, world["issue"], ["genel"], NOW, config)
    row = session.exec(select(Delivery).where(Delivery.send_id == second.id)).first()
    person = session.get(Subscriber, row.subscriber_id)
    digest = suppression.hash_normalised(SECRET, person.email)
    session.commit()  # the old run's connection needs the write lock
    old_run = FastLedger(engine, "eski", first.id or 0, [world["genel"]])
    try:  # a thread of the cancelled run still holding this person's job
        assert old_run.begin(NOW, Begin(row.id, "<x@example.org>", person.id, digest)) == "taken"
        old_run.skip(NOW, Skip(row.id, "failed", "late"))
    finally:
        old_run.close()
    session.refresh(row)
    assert (row.send_id, row.status) == (second.id, "queued")


def test_each_person_gets_their_edition_else_the_lists_fallback(session: Session, config) -> None:
    issue = make_issue(session)  # editions: tr (its own) and en
    fallback_en = make_list(session, "partners")
    plain = make_list(session, "genel")
    lists.edit(session, "partners", fallback_language="en")
    add_people(session, fallback_en, [("ar-reader@example.org", "Leyla")], language="ar")
    add_people(session, fallback_en, [("en-reader@example.org", "Anna")], language="en")
    add_people(session, plain, [("ar-genel@example.org", "Omar")], language="ar")
    send = ledger.start_send(session, issue.id or 0, ["partners", "genel"], NOW, config)
    rows = session.exec(
        select(Subscriber.email, Delivery.language)
        .join(Delivery)
        .where(Delivery.send_id == send.id)
    ).all()
    assert dict(rows) == {
        "ar-reader@example.org": "en",  # no Arabic edition: the list's fallback
        "en-reader@example.org": "en",  # their own
        "ar-genel@example.org": "tr",  # no fallback on this list: the issue's own language
    }
