"""The worker on a real database with a controllable clock: due and missed issues, resumed and
leased sends, stopping mid-send, confirmations, and the APScheduler loop."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.audience import lists, subscriptions
from newsletter.core import db
from newsletter.core.clock import FixedClock, utcnow
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import (
    Delivery,
    EventLog,
    Issue,
    IssueSnapshot,
    MailJob,
    Send,
    WorkerHeartbeat,
)
from newsletter.delivery import ledger
from newsletter.scheduling import leases, schedule, status_report
from newsletter.scheduling.worker import Worker
from tests.plugins.scheduling import T0
from tests.plugins.smtp import free_port

DUE = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # "2026-12-01 09:00" in Europe/Istanbul


def outbox(config: Config) -> list[str]:
    """The To addresses of the messages written to the outbox, in order."""
    folder = config.resolve_path(config.sending.outbox_dir)
    found = []
    for path in sorted(Path(folder).glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.append(msg["X-Envelope-To"].strip("<>"))
    return found


def scheduled(engine: Engine, config: Config, ready_issue, recipients: int = 3) -> int:
    ready = ready_issue(recipients=recipients)
    with session_scope(engine) as s:
        schedule.schedule_issue(
            s, config, ready.issue_id, ["ortaklar"], "2026-12-01 09:00", None, T0
        )
    return ready.issue_id


def issue_status(engine: Engine, issue_id: int) -> str:
    with session_scope(engine) as s:
        return s.get(Issue, issue_id).status


def deliveries(engine: Engine) -> list[Delivery]:
    with session_scope(engine) as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)))


def sends(engine: Engine) -> list[Send]:
    with session_scope(engine) as s:
        return list(s.exec(select(Send).order_by(Send.id)))


def test_nothing_is_sent_early_and_everything_when_due(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    clock = FixedClock(T0)
    worker = Worker(engine, config, clock)
    report = worker.tick()
    assert (report.started, report.ran, outbox(config)) == ([], [], [])
    clock.now = DUE - timedelta(seconds=1)
    assert worker.tick().started == []
    clock.now = DUE
    report = worker.tick()
    [send] = sends(engine)
    assert (report.started, report.ran) == ([issue_id], [send.id])
    assert sorted(outbox(config)) == [f"okur{i}@example.org" for i in range(3)]
    assert (send.status, send.lease_owner) == ("done", None)
    assert issue_status(engine, issue_id) == "sent"
    clock.advance(minutes=5)
    assert worker.tick().ran == [] and len(outbox(config)) == 3


def test_a_worker_started_within_the_grace_period_sends_late(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    report = Worker(engine, config, FixedClock(DUE + timedelta(minutes=59))).tick()
    assert report.started == [issue_id] and len(outbox(config)) == 3


def test_past_the_grace_period_the_issue_is_missed_not_sent(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    now = DUE + timedelta(minutes=61)
    report = Worker(engine, config, FixedClock(now)).tick()
    assert (report.missed, report.started, outbox(config), sends(engine)) == (
        [issue_id],
        [],
        [],
        [],
    )
    assert issue_status(engine, issue_id) == "missed"
    with session_scope(engine) as s:
        shown = status_report.collect(s, config.scheduler, now)
    assert [m["issue"] for m in shown["missed"]] == [issue_id]
    assert shown["errors"][0]["event"] == "issue.missed"


def test_the_grace_period_is_configurable(engine: Engine, config: Config, ready_issue) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    config.scheduler.grace_minutes = 5
    report = Worker(engine, config, FixedClock(DUE + timedelta(minutes=6))).tick()
    assert report.missed == [issue_id]


def test_the_schedule_survives_a_worker_restart(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    first = Worker(engine, config, FixedClock(T0))
    first.tick()
    first.shutdown()
    engine.dispose()
    fresh = db.open_database(config)  # a new process would open the database like this
    try:
        report = Worker(fresh, config, FixedClock(DUE + timedelta(seconds=30))).tick()
    finally:
        fresh.dispose()
    assert report.started == [issue_id] and len(outbox(config)) == 3


def test_an_interrupted_send_is_resumed_by_the_next_worker(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue(recipients=4)
    with session_scope(engine) as s:  # as `issues send` does before it is interrupted
        send = ledger.start_send(s, ready.issue_id, ["ortaklar"], T0, config)
    report = Worker(engine, config, FixedClock(T0)).tick()
    assert report.ran == [send.id]
    assert sorted(outbox(config)) == sorted(ready.emails)
    assert issue_status(engine, ready.issue_id) == "sent"


def test_a_send_leased_by_a_live_worker_waits_until_the_lease_expires(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue(recipients=2)
    with session_scope(engine) as s:
        send = ledger.start_send(s, ready.issue_id, ["ortaklar"], T0, config)
        assert leases.claim(s, send.id, "other-host:99:aa", T0, config.scheduler.lease_seconds)
    clock = FixedClock(T0 + timedelta(seconds=60))
    worker = Worker(engine, config, clock)
    assert worker.tick().ran == [] and outbox(config) == []
    clock.advance(seconds=61)  # 121 s after the claim: the other worker is presumed dead
    assert worker.tick().ran == [send.id] and len(outbox(config)) == 2


def test_a_stopped_worker_claims_nothing(engine: Engine, config: Config, ready_issue) -> None:
    scheduled(engine, config, ready_issue)
    worker = Worker(engine, config, FixedClock(DUE))
    worker.request_stop()
    report = worker.tick()
    assert (report.started, report.ran, sends(engine)) == ([], [], [])


def test_stopping_mid_send_records_progress_and_the_next_worker_finishes(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue(recipients=24)
    config.sending.rate_per_second = 40.0  # about 0.6 s for everyone: time to stop midway
    with session_scope(engine) as s:
        send = ledger.start_send(s, ready.issue_id, ["ortaklar"], utcnow(), config)
    worker = Worker(engine, config)
    thread = threading.Thread(target=worker.tick)
    thread.start()
    deadline = time.monotonic() + 10
    while len(outbox(config)) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.request_stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    with session_scope(engine) as s:
        rows = s.exec(select(Delivery.status).where(Delivery.send_id == send.id)).all()
        stopped = s.get(Send, send.id)
    written = outbox(config)
    # The sender finishes the messages it had already taken on (its queue may hold the rest of
    # a small send). What matters here: every message handed over is recorded, none is left in
    # flight, the lease is given back, and whatever is left is for the next worker.
    assert len(written) >= 4
    assert rows.count("sent") == len(written)
    assert "sending" not in rows
    assert stopped.lease_owner is None
    assert stopped.status == ("done" if len(written) == 24 else "running")
    Worker(engine, config).tick()
    assert sorted(outbox(config)) == sorted(ready.emails)  # each exactly once


def test_two_workers_start_a_due_issue_once(engine: Engine, config: Config, ready_issue) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    engines = [db.make_engine(config) for _ in range(2)]
    workers = [Worker(e, config, FixedClock(DUE)) for e in engines]
    start = threading.Barrier(2)
    reports = []

    def run(w: Worker) -> None:
        start.wait()
        reports.append(w.housekeeping())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert sorted(i for r in reports for i in r.started) == [issue_id]
    assert len(sends(engine)) == 1


def test_confirmation_emails_are_sent_promptly(engine: Engine, config: Config) -> None:
    with session_scope(engine) as s:
        lists.create(s, "duyurular", "Duyurular", T0, opt_in="double")
        subscriptions.subscribe(
            s, config.secret_key, "şule@example.org", "Şule", "tr", ["duyurular"],
            "https://news.example.org/subscribe", "127.0.0.1", "test", "Onaylıyorum", "v1", T0,
        )  # fmt: skip
    report = Worker(engine, config, FixedClock(T0 + timedelta(seconds=1))).tick()
    assert report.confirmations == 1
    assert outbox(config) == ["şule@example.org"]
    with session_scope(engine) as s:
        assert s.exec(select(MailJob.status)).all() == ["sent"]


def test_a_due_issue_whose_list_is_gone_waits_for_a_person(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    with session_scope(engine) as s:
        lists.delete(s, "ortaklar", force=True)
    report = Worker(engine, config, FixedClock(DUE)).tick()
    assert (report.failed, report.started) == ([issue_id], [])
    assert issue_status(engine, issue_id) == "missed"
    with session_scope(engine) as s:
        error = s.exec(select(EventLog).where(EventLog.level == "error")).one()
    assert error.event == "send.start_failed" and "ortaklar" in error.message


def test_a_due_issue_whose_list_name_broke_waits_for_a_person_with_the_reason(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    with session_scope(engine) as s:  # slipped in after scheduling, around the checks
        found = lists.get(s, "ortaklar")
        found.name = "Ortaklar\r\nBcc: herkes@example.org"
        s.add(found)
    report = Worker(engine, config, FixedClock(DUE)).tick()
    assert (report.failed, report.started, sends(engine)) == ([issue_id], [], [])
    assert issue_status(engine, issue_id) == "missed"
    with session_scope(engine) as s:
        error = s.exec(select(EventLog).where(EventLog.level == "error")).one()
    assert error.event == "send.start_failed"
    assert "list 'ortaklar' name contains a carriage return (CR)" in error.message
    assert "\n" not in error.message


def test_a_dead_mail_server_pauses_the_send_and_status_shows_it(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue, recipients=4)
    config.sending.transport = "smtp"
    config.smtp.host, config.smtp.port, config.smtp.security = "127.0.0.1", free_port(), "none"
    config.smtp.pool_size, config.smtp.timeout_seconds = 1, 2.0
    Worker(engine, config, FixedClock(DUE)).tick()
    [send] = sends(engine)
    assert send.status == "paused" and "mail server" in send.pause_reason
    with session_scope(engine) as s:
        shown = status_report.collect(s, config.scheduler, DUE)
    assert [p["send"] for p in shown["paused"]] == [send.id]
    assert issue_status(engine, issue_id) == "paused"


def test_the_loop_wakes_up_by_itself_and_leaves_cleanly(
    engine: Engine, config: Config, ready_issue
) -> None:
    issue_id = scheduled(engine, config, ready_issue)
    clock = FixedClock(T0)
    worker = Worker(engine, config, clock, poll_seconds=0.05)
    worker.start()
    try:
        time.sleep(0.3)
        with session_scope(engine) as s:
            beat = s.exec(select(WorkerHeartbeat)).one()
        assert (beat.owner, beat.state) == (worker.owner, "running")
        assert outbox(config) == []
        clock.now = DUE  # time passes; the next wake-up finds the issue due
        deadline = time.monotonic() + 10
        while issue_status(engine, issue_id) != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.shutdown()
    assert len(outbox(config)) == 3
    with session_scope(engine) as s:
        assert s.exec(select(WorkerHeartbeat)).all() == []


def test_a_send_whose_messages_cannot_be_made_pauses_once_with_the_reason(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue(recipients=2)
    with session_scope(engine) as s:
        send = ledger.start_send(s, ready.issue_id, ["ortaklar"], T0, config)
        # A line break that slipped into the frozen subject after the start: no message of
        # the issue can be made, so retrying every wake-up would only repeat the error.
        for snap in s.exec(select(IssueSnapshot)).all():
            snap.subject = "Kasım\r\nBcc: herkes@example.org"
            s.add(snap)
    worker = Worker(engine, config, FixedClock(T0))
    assert worker.tick().ran == [send.id]
    assert worker.tick().ran == []  # paused: it waits for a person, not for the next round
    with session_scope(engine) as s:
        found = s.get(Send, send.id)
        assert (found.status, s.get(Issue, ready.issue_id).status) == ("paused", "paused")
        assert found.pause_reason.startswith("cannot make the messages: Subject: line breaks")
        events = s.exec(select(EventLog)).all()
        shown = status_report.collect(s, config.scheduler, T0)
    assert "send.crashed" not in {e.event for e in events}
    assert [e.event for e in events if e.level != "info"] == ["send_paused"]
    assert shown["paused"][0]["pause_reason"] == found.pause_reason
    assert outbox(config) == []
    assert {d.status for d in deliveries(engine)} == {"queued"}  # nobody lost


def test_a_recipient_with_a_broken_stored_address_fails_alone(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue(recipients=3)
    with session_scope(engine) as s:
        person = subscriptions.find(s, ready.emails[1])
        person.email = person.email_ascii = "okur1\x0b@example.org"  # written around the checks
        s.add(person)
        ledger.start_send(s, ready.issue_id, ["ortaklar"], T0, config)
    report = Worker(engine, config, FixedClock(T0)).tick()
    assert len(report.ran) == 1
    assert sorted(outbox(config)) == [ready.emails[0], ready.emails[2]]
    failed = [d for d in deliveries(engine) if d.status == "failed"]
    assert len(failed) == 1
    assert failed[0].last_text.startswith(
        "the subscriber's email contains the control character U+000B"
    )
    assert issue_status(engine, ready.issue_id) == "sent"


def test_ctrl_c_stops_the_running_worker_cleanly(engine: Engine, config: Config) -> None:
    worker = Worker(engine, config, poll_seconds=0.05)
    before = signal.getsignal(signal.SIGINT)
    threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    worker.run()  # returns instead of raising KeyboardInterrupt
    assert time.monotonic() - started < 5
    assert worker.stopping.is_set()
    assert signal.getsignal(signal.SIGINT) is before  # the previous handler is back
    with session_scope(engine) as s:
        assert s.exec(select(WorkerHeartbeat)).all() == []
