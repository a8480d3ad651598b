"""End to end: real `newsletter worker` processes, a real SMTP server on loopback, one SQLite
file. A scheduled issue goes out on time; two workers never send it twice; a worker killed
with SIGKILL loses its lease and another one finishes the send."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.core.clock import utcnow
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import Delivery, Issue, Send
from newsletter.delivery import ledger
from tests.conftest import write_config
from tests.plugins.delivery import ScriptedHandler, add_people, make_issue, make_list, people
from tests.plugins.scheduling import wait_for

pytestmark = pytest.mark.slow

FAST = "[scheduler]\npoll_seconds = 0.2\nlease_seconds = {lease}\ngrace_minutes = 5\n"


def smtp_config(tmp_path: Path, smtp_server, lease: float = 5.0) -> Path:
    """The test's config file, now pointing at the loopback SMTP server with a fast poll."""
    return write_config(tmp_path, smtp_server.config_toml() + FAST.format(lease=lease))


def env(rate: float = 0.0) -> dict[str, str]:
    return {"NEWSLETTER_SENDING_TRANSPORT": "smtp",
            "NEWSLETTER_SENDING_RATE_PER_SECOND": str(rate)}  # fmt: skip


# `issues schedule` refuses a time in the past, and the command can take seconds to start on a
# loaded two-core CI machine: schedule far enough ahead that the check never trips.
AHEAD = 10.0


def schedule_in(cli, engine: Engine, issue_id: int, seconds: float | None = None) -> None:
    """Schedule the issue through the CLI ``AHEAD`` seconds from now; with ``seconds``, then
    bring the due time forward to that many seconds from now (time passing, without waiting)."""
    at = (utcnow() + timedelta(seconds=AHEAD)).astimezone(ZoneInfo("Europe/Istanbul"))
    result = cli("issues", "schedule", str(issue_id), "--list", "ortaklar",
                 "--at", f"{at:%Y-%m-%d %H:%M:%S}")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    if seconds is not None:
        with session_scope(engine) as s:
            issue = s.get(Issue, issue_id)
            issue.scheduled_at = utcnow() + timedelta(seconds=seconds)
            s.add(issue)


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
    schedule_in(cli, engine, ready.issue_id)
    with session_scope(engine) as s:
        due = s.get(Issue, ready.issue_id).scheduled_at
    worker = start_worker(path, env()).wait_started()
    while utcnow() < due - timedelta(seconds=0.3):
        assert not smtp_server.messages, "sent before its time"
        time.sleep(0.05)
    wait_for(lambda: len(smtp_server.messages) >= 5, 30 + AHEAD, "five messages")
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
    schedule_in(cli, engine, ready.issue_id, 1)
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
    schedule_in(cli, engine, ready.issue_id, 1)
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
    schedule_in(cli, engine, ready.issue_id, 1)
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


# --- Stopping and foreground sends against a slow server ------------------------------------------


def slow_send(tmp_path: Path, engine: Engine, config: Config, smtp_factory, n: int, **handler_kw):
    """An issue for ``n`` recipients and a config pointing at a server that takes 0.2 s per
    message over two connections (about 10 messages a second)."""
    server = smtp_factory(ScriptedHandler(data_delay=0.2, **handler_kw))
    path = write_config(tmp_path, server.toml(pool_size=2) + FAST.format(lease=5))
    with session_scope(engine) as s:
        issue_id = make_issue(s).id
        add_people(s, make_list(s, "genel"), people(n))
    return server, path, issue_id


def ledger_counts(engine: Engine) -> Counter[str]:
    with session_scope(engine) as s:
        return Counter(s.exec(select(Delivery.status)).all())


def test_sigterm_stops_claiming_and_leaves_the_rest_queued_for_the_next_start(
    tmp_path: Path, engine: Engine, config: Config, smtp_factory, start_worker
) -> None:
    server, path, issue_id = slow_send(tmp_path, engine, config, smtp_factory, n=60)
    with session_scope(engine) as s:
        ledger.start_send(s, issue_id, ["genel"], utcnow(), config)
    first = start_worker(path, env()).wait_started()
    wait_for(lambda: len(server.messages) >= 4, 30, "the send to get going")
    assert first.stop(signal.SIGTERM) == 0, first.log
    counts = ledger_counts(engine)
    # Only the messages in flight were finished: the rest was never handed to a connection.
    assert counts["sending"] == 0 and counts["sent"] == len(server.messages), counts
    assert counts["queued"] >= 20, counts
    assert "event=send.stopped" in first.log
    second = start_worker(path, env()).wait_started()
    wait_for(lambda: issue_status(engine, issue_id) == "sent", 60, "the send to finish")
    assert second.stop() == 0
    assert received(server) == Counter(e for e, _ in people(60))  # everyone exactly once


def run_cli(path: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "newsletter", "--config", str(path), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **env()}, text=True)  # fmt: skip


def test_a_foreground_command_refuses_a_send_a_live_worker_holds(
    tmp_path: Path, engine: Engine, config: Config, smtp_factory, start_worker
) -> None:
    refused = {"kisi0000@example.org": ["554 5.7.1 Refused by policy, just this once"]}
    server, path, issue_id = slow_send(
        tmp_path, engine, config, smtp_factory, n=60, rcpt_replies=refused
    )
    with session_scope(engine) as s:
        ledger.start_send(s, issue_id, ["genel"], utcnow(), config)
    worker = start_worker(path, env()).wait_started()
    wait_for(lambda: ledger_counts(engine)["failed"] == 1, 30, "the worker to send")
    for command in ("resume", "retry-failed"):
        proc = run_cli(path, "issues", command, str(issue_id))
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, (command, out, err)
        assert "send 1 is being sent by" in err and "a worker" in err, err
    assert ledger_counts(engine)["failed"] == 1  # the refused retry-failed changed nothing
    wait_for(lambda: issue_status(engine, issue_id) == "sent", 60, "the worker to finish")
    assert worker.stop() == 0
    proc = run_cli(path, "issues", "retry-failed", str(issue_id))  # no worker holds it now
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    assert received(server) == Counter(e for e, _ in people(60))  # everyone exactly once


def test_a_worker_never_runs_a_send_a_foreground_command_is_running(
    tmp_path: Path, engine: Engine, config: Config, smtp_factory, start_worker
) -> None:
    server, path, issue_id = slow_send(tmp_path, engine, config, smtp_factory, n=50)
    worker = start_worker(path, env()).wait_started()
    proc = run_cli(path, "issues", "send", str(issue_id), "--list", "genel", "--yes")
    wait_for(lambda: len(server.messages) >= 2 or proc.poll() is not None, 60, "the send")
    time.sleep(1.0)  # five polls of the worker while the foreground send runs
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    assert "(send 1: done)" in out, out
    assert worker.stop() == 0
    assert "event=send.running" not in worker.log, worker.log
    assert received(server) == Counter(e for e, _ in people(50))  # everyone exactly once


def test_sigterm_to_a_foreground_send_pauses_it_and_resume_finishes(
    tmp_path: Path, engine: Engine, config: Config, smtp_factory
) -> None:
    server, path, issue_id = slow_send(tmp_path, engine, config, smtp_factory, n=60)
    proc = run_cli(path, "issues", "send", str(issue_id), "--list", "genel", "--yes")
    wait_for(lambda: len(server.messages) >= 4 or proc.poll() is not None, 60, "the send")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, (out, err)  # paused: scripts can tell
    assert "Paused: stopped by hand" in out, out
    counts = ledger_counts(engine)
    assert counts["sending"] == 0 and counts["sent"] == len(server.messages), counts
    assert counts["queued"] >= 20, counts
    with session_scope(engine) as s:
        send = s.exec(select(Send)).one()
        assert (send.status, send.lease_owner) == ("paused", None)
    proc = run_cli(path, "issues", "resume", str(issue_id))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    assert received(server) == Counter(e for e, _ in people(60))  # everyone exactly once


def test_two_sigterms_close_the_connections_record_the_rows_and_give_the_lease_back(
    tmp_path: Path, engine: Engine, config: Config, smtp_factory, start_worker
) -> None:
    """The server sits on each message after the data. The first SIGTERM waits (a grace of
    60 s); the second closes the connections at once: the two messages in flight are recorded
    as possibly sent, the lease is released, and the next worker starts on the rest at once."""
    server, path, issue_id = slow_send(tmp_path, engine, config, smtp_factory, n=20)
    server.handler.data_delay = 30.0
    with session_scope(engine) as s:
        ledger.start_send(s, issue_id, ["genel"], utcnow(), config)
    slow = {**env(), "NEWSLETTER_SMTP_TIMEOUT_SECONDS": "60",
            "NEWSLETTER_SCHEDULER_STOP_GRACE_SECONDS": "60"}  # fmt: skip
    first = start_worker(path, slow).wait_started()
    wait_for(lambda: server.handler.data_count >= 2, 30, "two messages in flight")
    first.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert first.proc.poll() is None  # still in its grace
    began = time.monotonic()
    assert first.stop(signal.SIGTERM, timeout=10) == 0, first.log
    assert time.monotonic() - began < 5
    assert "event=worker.hurry" in first.log and "event=worker.stopped" in first.log
    counts = ledger_counts(engine)
    assert counts == Counter(sending=2, queued=18), counts
    with session_scope(engine) as s:
        send = s.exec(select(Send)).one()
    assert (send.status, send.lease_owner) == ("running", None)
    server.handler.data_delay = 0.0
    began = time.monotonic()
    second = start_worker(path, env()).wait_started()
    wait_for(lambda: ledger_counts(engine)["sent"] == 18, 30, "the rest to go")
    assert time.monotonic() - began < 20  # no waiting out a lease
    assert second.stop() == 0
    assert len(server.messages) == 18 and max(received(server).values()) == 1
