"""Runs a send: claims ledger rows in batches and hands them to one thread per connection.

Safe to call again at any time, after a pause, an error or ``kill -9``: only ``queued`` rows
are ever sent, and a row becomes ``sending`` (committed) before its message leaves. Rows left
``sending`` by a killed run are the "possibly sent" ones; they are reported, never re-sent.

``run_send`` is the edge: it builds the composer's settings and the transport from the
configuration once, then ``deliver`` runs with those parts and the ``[sending]`` section only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from newsletter.audience import lists
from newsletter.compose import issues
from newsletter.core.clock import Clock
from newsletter.core.db import WRITE, read_scope, session_scope
from newsletter.core.errors import NotFound, UserError
from newsletter.core.models import Delivery, IssueSnapshot, MailingList, Send, Subscriber
from newsletter.delivery import ledger, ledger_faults
from newsletter.delivery.composer import Composer, Recipient
from newsletter.delivery.send_settings import message_settings
from newsletter.delivery.send_threads import Progress, SendThreads
from newsletter.delivery.transport import Transport
from newsletter.delivery.transport_factory import make_transport

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from newsletter.core.config import Config, SendingConfig

STATUS_CHECK_SECONDS = 1.0
PROGRESS_SECONDS = 0.2


@dataclass(frozen=True)
class RunResult:
    send_id: int
    status: str  # done | failed (too few delivered) | paused | running (stopped) | cancelled
    reason: str
    progress: Progress
    # The ledger at the end of a finished send: failed and possibly-sent rows, this run's or
    # an earlier one's (a resume that sends the rest still leaves those).
    failed: int = 0
    possibly_sent: int = 0

    @property
    def exit_code(self) -> int:
        """0 all delivered; 3 paused (or stopped) before the end; 4 finished, with failures
        or possibly-sent rows, or failed: what scripts and systemd are told."""
        if self.status in ("paused", "running"):
            return 3
        p = self.progress
        left = self.failed or self.possibly_sent or p.failed or p.possibly_sent
        return 4 if self.status == "failed" or left else 0


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
    # A read (no write lock): the rows are only taken by FastLedger.begin's conditional
    # UPDATE, so a snapshot a moment old is enough, and the senders never wait for it.
    with engine.connect() as conn:
        return list(conn.execution_options(**{WRITE: False}).execute(query).all())


def _next_due(engine: Engine, send_id: int) -> tuple[int, datetime | None]:
    d = Delivery.__table__  # type: ignore[attr-defined]
    query = sa.select(sa.func.count(), sa.func.min(d.c.next_attempt_at)).where(
        d.c.send_id == send_id, d.c.status == "queued"
    )
    with read_scope(engine) as s:
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
        with read_scope(self.engine) as s:
            send = s.get(Send, self.send_id)
            self.status = send.status if send else "missing"
        return self.status != "running"


def _load(
    engine: Engine, send_id: int
) -> tuple[Send, list[IssueSnapshot], str, Progress, list[MailingList]]:
    """The send, its issue's frozen snapshots and language, the counts so far, and its lists
    (each list's members get that list's List-Id)."""
    with session_scope(engine) as s:
        send = s.get(Send, send_id)
        if send is None:
            raise NotFound(f"no send with id {send_id}")
        issue = issues.get(s, send.issue_id)
        snaps = issues.snapshots(s, send.issue_id)
        counts = ledger.status_counts(s, send_id)
        mlists = [m for slug in send.lists if (m := lists.find(s, slug)) is not None]
    total = sum(counts.values())
    progress = Progress(total=total, done_before=total - counts["queued"])
    return send, snaps, issue.language, progress, mlists


def run_send(
    engine: Engine,
    config: Config,
    send_id: int,
    clock: Clock,
    stop_event: threading.Event | None = None,
    progress: Callable[[Progress], None] | None = None,
    abort: Abort | None = None,
) -> RunResult:
    """Send until done, paused or stopped; returns the send's status at the end.

    ``abort`` bounds a stop: after ``stop_event``, the messages in flight get ``abort.grace``
    seconds (or until ``abort.now`` is set) before their connections are closed.

    A setting or a frozen issue no message can be made with (a DKIM key gone, a subject with
    a line break) would fail every recipient the same way: the send pauses with the reason
    instead, for a person to fix and resume, and nothing is retried meanwhile."""
    send, snaps, language, counts, mlists = _load(engine, send_id)
    if send.status != "running":
        return RunResult(send_id, send.status, send.pause_reason, counts)
    try:
        composer = Composer(message_settings(config), send.issue_id, snaps, language, lists=mlists)
        transport = make_transport(config)
    except UserError as exc:
        return _cannot_run(engine, send_id, str(exc), clock, counts)
    return deliver(engine, send, composer, transport, config.sending, clock, counts,
                   stop_event, progress, abort)  # fmt: skip


def _cannot_run(
    engine: Engine, send_id: int, problem: str, clock: Clock, counts: Progress
) -> RunResult:
    reason = f"cannot make the messages: {problem}; fix it, then 'issues resume'"
    with session_scope(engine) as s:
        send = s.get(Send, send_id)
        assert send is not None
        if send.status != "running":  # paused or cancelled meanwhile: leave it so
            return RunResult(send_id, send.status, send.pause_reason, counts)
        ledger.set_paused(s, send, reason, clock())
    return RunResult(send_id, "paused", reason, counts)


def deliver(
    engine: Engine,
    send: Send,
    composer: Composer,
    transport: Transport,
    sending: SendingConfig,
    clock: Clock,
    counts: Progress,
    stop_event: threading.Event | None = None,
    progress: Callable[[Progress], None] | None = None,
    abort: Abort | None = None,
) -> RunResult:
    """Run a send with its parts ready: one thread per connection, fed in batches. The
    transport is closed at the end."""
    send_id = send.id or 0
    stop = stop_event or threading.Event()
    run = SendThreads(engine, send, composer, transport, clock, counts, sending)
    run.stop = stop
    threads = [
        threading.Thread(target=run.work, name=f"send-{send_id}-{i}", daemon=True)
        for i in range(transport.connections)
    ]
    for t in threads:
        t.start()
    try:
        finished, status = _dispatch(run, engine, sending.batch_size, send_id, stop, progress)
    finally:
        run.halt.set()  # rows still in the queue stay queued in the ledger
        for _ in threads:
            run.jobs.put(None)
        _join(threads, transport, stop, abort or Abort())
        transport.close()
    return _conclude(run, engine, send_id, finished, status, progress)


@dataclass
class Abort:
    """How long a stop waits for the messages in flight: ``grace`` seconds after the stop, or
    until ``now`` is set (a second SIGTERM); then the transport's connections are closed, so
    every thread records its row and ends."""

    grace: float = 30.0
    now: threading.Event = field(default_factory=threading.Event)


def _join(threads: list[threading.Thread], transport: Transport, stop: threading.Event,
          abort: Abort) -> None:  # fmt: skip
    deadline: float | None = None
    while any(t.is_alive() for t in threads):
        if stop.is_set() and deadline is None:
            deadline = time.monotonic() + abort.grace
        if abort.now.is_set() or (deadline is not None and time.monotonic() >= deadline):
            break
        for t in threads:
            t.join(0.05)
    else:
        return
    abort_connections = getattr(transport, "abort", None)
    if abort_connections is not None:
        abort_connections()  # each thread's send returns, with its outcome, and is recorded
    for t in threads:
        t.join()


def _dispatch(
    run: SendThreads,
    engine: Engine,
    batch_size: int,
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
        batch = claim(engine, send_id, after, run.clock(), batch_size)
        if not batch:
            # Let the threads finish what they hold: those rows may come back for a retry.
            while run.jobs.unfinished_tasks and not (stop.is_set() or run.halt.is_set()):
                stop.wait(0.02)
                shown = _report_progress(run, progress, shown)
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
        low = max(batch_size // 4, 2 * run.transport.connections)
        while run.jobs.qsize() > low and not (stop.is_set() or run.halt.is_set()):
            stop.wait(0.02)
            shown = _report_progress(run, progress, shown)
            if watch.changed():  # paused or cancelled from elsewhere (CLI, web, worker)
                return False, watch.status
        after = batch[-1].id
    return False, "running"


def _report_progress(
    run: SendThreads, progress: Callable[[Progress], None] | None, shown: float
) -> float:
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
        if run.tripped is not None and send.status == "running" and not run.pause_reason:
            reason = ledger_faults.trip(s, send, run.tripped, run.streak, run.progress.sent > 0,
                                        now, run.sending.breaker_backoff_seconds)  # fmt: skip
            status = "paused"
        elif run.pause_reason and send.status == "running":
            ledger.set_paused(s, send, run.pause_reason, now)
            status, reason = "paused", run.pause_reason
        elif finished and send.status == "running":
            status = ledger.finish(s, send, now, run.sending.min_delivered_share)
            reason = send.pause_reason
            counts = ledger.status_counts(s, send_id)
            if progress is not None:
                progress(run.progress)
            return RunResult(send_id, status, reason, run.progress, counts["failed"],
                             counts["sending"])  # fmt: skip
        else:
            status, reason = send.status, send.pause_reason
    if progress is not None:
        progress(run.progress)
    return RunResult(send_id, status, reason, run.progress)
