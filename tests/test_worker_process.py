"""End to end: real `newsletter worker` processes, a real SMTP server on loopback, one SQLite
file. A scheduled issue goes out on time; two workers never send it twice; a worker killed
with SIGKILL loses its lease and another one finishes the send."""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.clock import utcnow
from newsletter.config import Config
from newsletter.db import session_scope
from newsletter.models import Delivery, Issue, Send
from tests.conftest import write_config
from tests.plugins.scheduling import wait_for

pytestmark = pytest.mark.slow

FAST = "[scheduler]\npoll_seconds = 0.2\nlease_seconds = {lease}\ngrace_minutes = 5\n"


def smtp_config(tmp_path: Path, smtp_server, lease: float = 5.0) -> Path:
    """The test's config file, now pointing at the loopback SMTP server with a fast poll."""
    return write_config(tmp_path, smtp_server.config_toml() + FAST.format(lease=lease))


def env(rate: float = 0.0) -> dict[str, str]:
    return {"NEWSLETTER_SENDING_TRANSPORT": "smtp",
            "NEWSLETTER_SENDING_RATE_PER_SECOND": str(rate)}  # fmt: skip


def schedule_in(cli, issue_id: int, seconds: float) -> None:
    at = (utcnow() + timedelta(seconds=seconds)).astimezone(ZoneInfo("Europe/Istanbul"))
    result = cli("issues", "schedule", str(issue_id), "--list", "ortaklar",
                 "--at", f"{at:%Y-%m-%d %H:%M:%S}")  # fmt: skip
    assert result.exit_code == 0, result.stderr


def received(smtp_server) -> Counter[str]:
    return Counter(r for m in smtp_server.messages for r in m.rcpt_tos)


def issue_status(engine: Engine, issue_id: int) -> str:
    with session_scope(engine) as s:
        return s.get(Issue, issue_id).status


def test_a_scheduled_issue_is_sent_on_time_and_the_worker_stops_cleanly(
    tmp_path: Path, cli, engine: Engine, config: Config, smtp_server, ready_issue, start_worker
) -> None:
    path = smtp_config(tmp_path, smtp_server)
    ready = ready_issue(recipients=5, now=utcnow())
    schedule_in(cli, ready.issue_id, 4)
    with session_scope(engine) as s:
        due = s.get(Issue, ready.issue_id).scheduled_at
    worker = start_worker(path, env()).wait_started()
    while utcnow() < due - timedelta(seconds=0.3):
        assert not smtp_server.messages, "sent before its time"
        time.sleep(0.05)
    wait_for(lambda: len(smtp_server.messages) >= 5, 30, "five messages")
    wait_for(lambda: issue_status(engine, ready.issue_id) == "sent", 10, "the issue to be sent")
    assert worker.stop(signal.SIGTERM) == 0
    assert received(smtp_server) == Counter(ready.emails)
    subjects = {m.message["Subject"] for m in smtp_server.messages}
    assert subjects == {"Kasım’da sahadan haberler"}
    log = worker.log
    for event in ("send.started", "send.running", "send.done", "worker.stopped"):
        assert f"event={event}" in log, log
    assert f"issue={ready.issue_id} event=send.started" in log


def test_two_worker_processes_never_send_the_same_issue_twice(
    tmp_path: Path, cli, engine: Engine, config: Config, smtp_server, ready_issue, start_worker
) -> None:
    path = smtp_config(tmp_path, smtp_server)
    ready = ready_issue(recipients=20, now=utcnow())
    workers = [start_worker(path, env(rate=20)) for _ in range(2)]
    for w in workers:
        w.wait_started()
    schedule_in(cli, ready.issue_id, 2)
    wait_for(lambda: issue_status(engine, ready.issue_id) == "sent", 30, "the issue to be sent")
    time.sleep(0.6)  # three more polls each: a duplicate would show up now
    assert [w.stop() for w in workers] == [0, 0]
    assert received(smtp_server) == Counter(ready.emails)  # everyone exactly once
    logs = [w.log for w in workers]
    assert sum(log.count("event=send.started") for log in logs) == 1
    assert sorted(log.count("event=send.running") for log in logs) == [0, 1]
    with session_scope(engine) as s:
        assert len(s.exec(select(Send)).all()) == 1


def test_a_killed_worker_loses_its_lease_and_another_finishes_the_send(
    tmp_path: Path, cli, engine: Engine, config: Config, smtp_server, ready_issue, start_worker
) -> None:
    path = smtp_config(tmp_path, smtp_server, lease=1.5)
    ready = ready_issue(recipients=30, now=utcnow())
    first = start_worker(path, env(rate=10)).wait_started()
    schedule_in(cli, ready.issue_id, 2)
    wait_for(lambda: len(smtp_server.messages) >= 5, 30, "the send to get going")
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    at_kill = len(smtp_server.messages)
    assert at_kill < 30, "the send finished before the kill"
    second = start_worker(path, env(rate=50)).wait_started()
    wait_for(lambda: issue_status(engine, ready.issue_id) == "sent", 30, "the send to finish")
    assert second.stop() == 0
    assert "event=send.running" in second.log
    got = received(smtp_server)
    assert max(got.values()) == 1  # nobody received it twice
    with session_scope(engine) as s:
        rows = s.exec(select(Delivery.status, Delivery.subscriber_id)).all()
        send = s.exec(select(Send)).one()
    statuses = Counter(status for status, _ in rows)
    # At most the one message on the wire at the kill is "possibly sent"; it is never re-sent.
    assert statuses["sent"] + statuses["sending"] == 30 and statuses["sending"] <= 1
    assert statuses["sent"] <= len(got) <= 30
    assert (send.status, send.lease_owner) == ("done", None)


def test_sigterm_mid_send_records_progress_and_the_next_start_resumes(
    tmp_path: Path, cli, engine: Engine, config: Config, smtp_server, ready_issue, start_worker
) -> None:
    path = smtp_config(tmp_path, smtp_server)
    ready = ready_issue(recipients=30, now=utcnow())
    first = start_worker(path, env(rate=15)).wait_started()
    schedule_in(cli, ready.issue_id, 2)
    wait_for(lambda: len(smtp_server.messages) >= 5, 30, "the send to get going")
    assert first.stop(signal.SIGTERM) == 0  # finishes what is in flight, then exits 0
    assert "event=worker.stopped" in first.log
    with session_scope(engine) as s:
        rows = Counter(s.exec(select(Delivery.status)).all())
        send = s.exec(select(Send)).one()
    assert rows["sending"] == 0  # nothing left in flight
    assert rows["sent"] == len(smtp_server.messages)  # every message handed over is recorded
    assert send.lease_owner is None  # given back: the next worker need not wait
    second = start_worker(path, env(rate=50)).wait_started()
    wait_for(lambda: issue_status(engine, ready.issue_id) == "sent", 30, "the send to finish")
    assert second.stop() == 0
    assert received(smtp_server) == Counter(ready.emails)  # everyone exactly once
