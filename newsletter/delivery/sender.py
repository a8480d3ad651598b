"""Runs a send: claims ledger rows in batches and hands them to one thread per connection.

Safe to call again at any time, after a pause, an error or ``kill -9``: only ``queued`` rows
are ever sent, and a row becomes ``sending`` (committed) before its message leaves. Rows left
``sending`` by a killed run are the "possibly sent" ones; they are reported, never re-sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from newsletter.compose import issues
from newsletter.core.clock import Clock
from newsletter.core.db import session_scope
from newsletter.core.errors import NotFound
from newsletter.core.models import Delivery, Send, Subscriber
from newsletter.delivery import ledger
from newsletter.delivery.composer import Composer, Recipient, base_url, envelope_sender
from newsletter.delivery.dkim_sign import load_signer
from newsletter.delivery.send_threads import Progress, SendThreads
from newsletter.delivery.transports import make_transport

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from newsletter.core.config import Config

STATUS_CHECK_SECONDS = 1.0
PROGRESS_SECONDS = 0.2


@dataclass(frozen=True)
class RunResult:
    send_id: int
    status: str  # done | paused | running (stopped) | cancelled
    reason: str
    progress: Progress


def claim(
    engine: Engine, send_id: int, after_id: int, now: datetime, limit: int
) -> list[sa.Row[Any]]:
    """The next due queued rows (id order) with what the message needs about the person."""
    d, s = Delivery.__table__, Subscriber.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(
            d.c.id,
            d.c.subscriber_id,
            d.c.list_id,
            s.c.email,
            s.c.email_ascii,
            s.c.name,
            d.c.language,
            d.c.attempts,
        )
        .select_from(d.outerjoin(s, s.c.id == d.c.subscriber_id))
        .where(
            d.c.send_id == send_id,
            d.c.status == "queued",
            d.c.id > after_id,
            sa.or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now),
        )
        .order_by(d.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def _next_due(engine: Engine, send_id: int) -> tuple[int, datetime | None]:
    d = Delivery.__table__  # type: ignore[attr-defined]
    query = sa.select(sa.func.count(), sa.func.min(d.c.next_attempt_at)).where(
        d.c.send_id == send_id, d.c.status == "queued"
    )
    with session_scope(engine) as s:
        count, earliest = s.connection().execute(query).one()
    return int(count), earliest


class _StatusWatch:
    """Reads the send's status at most once a second: has someone paused or cancelled it?"""

    def __init__(self, engine: Engine, send_id: int) -> None:
        self.engine, self.send_id = engine, send_id
        self.status, self.checked = "running", time.monotonic()

    def changed(self) -> bool:
        if time.monotonic() - self.checked < STATUS_CHECK_SECONDS:
            return False
        self.checked = time.monotonic()
        with session_scope(self.engine) as s:
            send = s.get(Send, self.send_id)
            self.status = send.status if send else "missing"
        return self.status != "running"


def _prepare(engine: Engine, config: Config, send_id: int) -> tuple[Send, Composer, Progress]:
    with session_scope(engine) as s:
        send = s.get(Send, send_id)
        if send is None:
            raise NotFound(f"no send with id {send_id}")
        issue = issues.get(s, send.issue_id)
        snaps = issues.snapshots(s, send.issue_id)
        counts = ledger.status_counts(s, send_id)
    composer = Composer(config, send.issue_id, snaps, issue.language)
    total = sum(counts.values())
    return send, composer, Progress(total=total, done_before=total - counts["queued"])


def check_ready(config: Config) -> None:
    """Raise the UserError a send would meet (DKIM key, public URL, transport settings) now,
    before any ledger row is written."""
    load_signer(config)
    base_url(config)
    envelope_sender(config)
    make_transport(config).close()


def warnings(config: Config) -> list[str]:
    """Settings that send but work against the sender's reputation (shown before a send)."""
    found = []
    if config.sending.transport == "smtp" and not base_url(config).startswith("https://"):
        found.append(
            f"public.base_url is {config.public.base_url!r}: one-click unsubscribe "
            "(List-Unsubscribe) needs an https URL; Gmail and Yahoo ignore it otherwise"
        )
    return found


def run_send(
    engine: Engine,
    config: Config,
    send_id: int,
    clock: Clock,
    stop_event: threading.Event | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> RunResult:
    """Send until done, paused or stopped; returns the send's status at the end."""
    send, composer, counts = _prepare(engine, config, send_id)
    if send.status != "running":
        return RunResult(send_id, send.status, send.pause_reason, counts)
    stop = stop_event or threading.Event()
    transport = make_transport(config)
    run = SendThreads(engine, config, send, composer, transport, clock, counts)
    run.stop = stop
    threads = [
        threading.Thread(target=run.work, name=f"send-{send_id}-{i}", daemon=True)
        for i in range(transport.connections)
    ]
    for t in threads:
        t.start()
    try:
        finished, status = _dispatch(run, engine, config, send_id, stop, progress)
    finally:
        run.halt.set()  # rows still in the queue stay queued in the ledger
        for _ in threads:
            run.jobs.put(None)
        for t in threads:
            t.join()
        transport.close()
    return _conclude(run, engine, send_id, finished, status, progress)


def _dispatch(
    run: SendThreads,
    engine: Engine,
    config: Config,
    send_id: int,
    stop: threading.Event,
    progress: Callable[[Progress], None] | None,
) -> tuple[bool, str]:
    """Feed due rows to the threads; (whether nothing is left, the send's last status)."""
    after, shown = 0, 0.0
    watch = _StatusWatch(engine, send_id)
    while not (stop.is_set() or run.halt.is_set()):
        if watch.changed():
            return False, watch.status
        batch = claim(engine, send_id, after, run.clock(), config.sending.batch_size)
        if not batch:
            # Let the threads finish what they hold: those rows may come back for a retry.
            while run.jobs.unfinished_tasks and not (stop.is_set() or run.halt.is_set()):
                stop.wait(0.02)
                shown = _show(run, progress, shown)
                if watch.changed():
                    return False, watch.status
            left, earliest = _next_due(engine, send_id)
            if left == 0:
                return True, "running"
            if after == 0:
                wait = (earliest - run.clock()).total_seconds() if earliest else 0.5
                stop.wait(min(max(wait, 0.01), STATUS_CHECK_SECONDS))
            after = 0
            continue
        for row in batch:
            run.jobs.put(
                Recipient(
                    row.id,
                    row.subscriber_id,
                    row.list_id,
                    row.email or "",
                    row.email_ascii or "",
                    row.name or "",
                    row.language,
                    row.attempts,
                )
            )
        # Top up when a quarter is left: waking this thread per message would make the
        # sender threads wait for the interpreter lock.
        low = max(config.sending.batch_size // 4, 2 * run.transport.connections)
        while run.jobs.qsize() > low and not (stop.is_set() or run.halt.is_set()):
            stop.wait(0.02)
            shown = _show(run, progress, shown)
            if watch.changed():  # paused or cancelled from elsewhere (CLI, web, worker)
                return False, watch.status
        after = batch[-1].id
    return False, "running"


def _show(run: SendThreads, progress: Callable[[Progress], None] | None, shown: float) -> float:
    if progress is None or time.monotonic() - shown < PROGRESS_SECONDS:
        return shown
    progress(run.progress)
    return time.monotonic()


def _conclude(
    run: SendThreads,
    engine: Engine,
    send_id: int,
    finished: bool,
    status: str,
    progress: Callable[[Progress], None] | None,
) -> RunResult:
    now = run.clock()
    reason = ""
    with session_scope(engine) as s:
        send = s.get(Send, send_id)
        assert send is not None
        if run.pause_reason and send.status == "running":
            ledger.set_paused(s, send, run.pause_reason, now)
            status, reason = "paused", run.pause_reason
        elif finished and send.status == "running":
            ledger.finish(s, send, now)
            status = "done"
        else:
            status, reason = send.status, send.pause_reason
    if progress is not None:
        progress(run.progress)
    return RunResult(send_id, status, reason, run.progress)
