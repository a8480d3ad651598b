"""The ledger's group commit: one transaction per message ("row k's outcome + row k+1
sending"), every outcome written by the end of a run, and a crash that loses a held outcome
leaves that row possibly sent, never queued (so never sent twice)."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.audience import suppression
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import Config, load_config
from newsletter.core.models import Delivery, Subscriber
from newsletter.delivery import ledger
from newsletter.delivery.ledger_fast import Begin, FastLedger, Finish
from newsletter.delivery.sender import run_send
from tests.conftest import SECRET, write_config
from tests.plugins.delivery import (
    NOW,
    ScriptedHandler,
    ScriptedServer,
    add_people,
    make_issue,
    make_list,
    people,
)

POOL = 2


def prepare(tmp_path: Path, server: ScriptedServer, n: int) -> tuple[Path, Config, Engine, int]:
    """A config sending over ``server`` with POOL connections, and an issue for ``n`` people."""
    path = write_config(tmp_path, server.toml(POOL))
    text = path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n', 1)
    path.write_text(text)
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        issue = make_issue(s)
        add_people(s, make_list(s, "genel"), people(n))
        return path, config, engine, issue.id or 0


def setup(tmp_path: Path, server: ScriptedServer, n: int) -> tuple[Config, Engine, int]:
    """As ``prepare``, with the send started: (config, engine, send id)."""
    _, config, engine, issue_id = prepare(tmp_path, server, n)
    with db.session_scope(engine) as s:
        send_id = ledger.start_send(s, issue_id, ["genel"], utcnow(), config).id or 0
    return config, engine, send_id


def statuses(config: Config) -> dict[str, str]:
    """Each row's status by email, read through a new engine (what is on disk)."""
    engine = db.make_engine(config)
    try:
        with db.session_scope(engine) as s:
            found = s.exec(select(Subscriber.email, Delivery.status).join(Delivery)).all()
            return dict(found)
    finally:
        engine.dispose()


class Transactions:
    """Counts the write transactions of the connections that mark rows ``sending``: an
    explicit BEGIN … COMMIT is one, and so is a write run on its own (autocommit)."""

    def __init__(self, engine: Engine) -> None:
        self.per_connection: dict[int, list[str]] = collections.defaultdict(list)
        engine.dispose()  # connections opened from now on are traced
        sa.event.listen(engine, "connect", self._trace)

    def _trace(self, dbapi_conn: Any, _record: Any) -> None:
        log = self.per_connection[id(dbapi_conn)]
        dbapi_conn.set_trace_callback(lambda sql: log.append(" ".join(sql.split())))

    def commits(self) -> tuple[int, int]:
        """(write transactions, rows marked sending) on the ledger connections."""
        commits = marks = 0
        for log in self.per_connection.values():
            if not any("SET status='sending'" in sql for sql in log):
                continue
            inside = False
            for sql in log:
                word = sql.split(" ", 1)[0].upper()
                if word == "BEGIN":
                    inside = True
                elif word in ("COMMIT", "ROLLBACK"):
                    commits += word == "COMMIT"
                    inside = False
                elif word in ("UPDATE", "INSERT", "DELETE") and not inside:
                    commits += 1
                marks += "SET status='sending'" in sql
        return commits, marks


def test_one_commit_per_message_and_every_outcome_on_disk_at_the_end(
    tmp_path: Path, smtp_factory
) -> None:
    n = 40
    server = smtp_factory(ScriptedHandler())
    config, engine, send_id = setup(tmp_path, server, n)
    traced = Transactions(engine)
    result = run_send(engine, config, send_id, utcnow)
    assert result.status == "done" and result.progress.sent == n
    commits, marks = traced.commits()
    assert marks == n
    # Marks and outcomes apart would take 2n; each thread may write its last outcome alone
    # (and one whenever it finds no next row at hand).
    assert commits <= n + 2 * POOL, f"{commits} commits for {n} messages"
    assert set(statuses(config).values()) == {"sent"}
    received = collections.Counter(r for m in server.messages for r in m.rcpt_tos)
    assert sorted(received) == sorted(e for e, _ in people(n)) and max(received.values()) == 1


def test_a_stopped_run_writes_the_outcomes_it_holds(tmp_path: Path, smtp_factory) -> None:
    n = 60
    server = smtp_factory(ScriptedHandler(data_delay=0.01))
    config, engine, send_id = setup(tmp_path, server, n)
    stop = threading.Event()

    def stop_after_some() -> None:
        while len(server.messages) < n // 4:
            time.sleep(0.002)
        stop.set()

    watcher = threading.Thread(target=stop_after_some, daemon=True)
    watcher.start()
    result = run_send(engine, config, send_id, utcnow, stop_event=stop)
    watcher.join(5)
    assert result.status == "running"  # stopped, left for later
    found = statuses(config)
    received = {r for m in server.messages for r in m.rcpt_tos}
    assert n // 4 <= len(received) < n
    # Every message that arrived has its outcome on disk: none left held, none possibly sent.
    assert {e for e, s in found.items() if s == "sent"} == received
    assert {s for e, s in found.items() if e not in received} == {"queued"}


def test_a_held_outcome_is_written_with_the_next_mark_and_lost_only_as_possibly_sent(
    session: Session, config: Config, engine: Engine
) -> None:
    issue = make_issue(session)
    add_people(session, make_list(session, "genel"), people(3))
    send = ledger.start_send(session, issue.id or 0, ["genel"], NOW, config)
    rows = session.exec(select(Delivery).order_by(Delivery.id)).all()
    jobs = []
    for row in rows:
        person = session.get(Subscriber, row.subscriber_id)
        digest = suppression.hash_normalised(SECRET, person.email)
        jobs.append(Begin(row.id or 0, f"<{row.id}@example.org>", row.subscriber_id or 0, digest))
    list_ids = [rows[0].list_id or 0]
    session.commit()  # the ledger's connection needs the write lock

    def on_disk() -> list[str]:
        with engine.connect() as conn:
            query = sa.select(Delivery.status).order_by(Delivery.id)
            return list(conn.execute(query).scalars())

    def sent(job: Begin) -> Finish:
        return Finish(job.delivery_id, "sent", 250, "2.0.0 accepted", NOW, None)

    fast = FastLedger(engine, "test", send.id or 0, list_ids, lock=threading.Lock())
    try:
        assert fast.begin(NOW, jobs[0]) == ""
        fast.defer(NOW, sent(jobs[0]))
        assert fast.holding and on_disk() == ["sending", "queued", "queued"]
        assert fast.begin(NOW, jobs[1]) == ""  # one transaction: row 1 sent, row 2 sending
        assert not fast.holding and on_disk() == ["sent", "sending", "queued"]
        fast.defer(NOW, sent(jobs[1]))
    finally:
        fast.close()  # as a crash would: the held outcome is lost
    # Row 2 reached the server but its outcome was lost: possibly sent, never queued again.
    assert on_disk() == ["sent", "sending", "queued"]

    fast = FastLedger(engine, "test-2", send.id or 0, list_ids)
    try:
        assert fast.begin(NOW, jobs[2]) == ""
        fast.defer(NOW, sent(jobs[2]))
        fast.flush()
        assert on_disk() == ["sent", "sending", "sent"]
        assert fast.begin(NOW, jobs[1]) == "taken"  # a possibly-sent row is never sent again
    finally:
        fast.close()


@pytest.mark.slow
def test_kill_9_leaves_at_most_one_row_per_connection_possibly_sent_and_none_queued(
    tmp_path: Path, smtp_factory
) -> None:
    n = 120
    server = smtp_factory(ScriptedHandler(data_delay=0.01))
    config_path, config, engine, issue_id = prepare(tmp_path, server, n)
    engine.dispose()
    command = [sys.executable, "-m", "newsletter", "--config", str(config_path),
               "issues", "send", str(issue_id), "--list", "genel", "--yes"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(server.messages) < n // 3:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the send did not get going"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.2)  # let the server finish a message whose data had fully arrived
    found = statuses(config)
    received = collections.Counter(r for m in server.messages for r in m.rcpt_tos)
    assert len(received) < n, "the kill came too late to test anything"
    possibly = {e for e, s in found.items() if s == "sending"}
    assert len(possibly) <= POOL
    assert {e for e, s in found.items() if s == "sent"} <= set(received)
    # Whoever the server has is sent or possibly sent: a queued one would be mailed again.
    assert all(found[e] in ("sent", "sending") for e in received)
    assert max(received.values()) == 1
