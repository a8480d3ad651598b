"""Runs a send: claims ledger rows in batches and hands them to one thread per connection.

Safe to call again at any time, after a pause, an error or ``kill -9``: only ``queued`` rows
are ever sent, and a row becomes ``sending`` (committed) before its message leaves. Rows left
``sending`` by a killed run are the "possibly sent" ones; they are reported, never re-sent.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from newsletter import issues, ledger, suppression
from newsletter.clock import Clock
from newsletter.composer import Composer, Recipient
from newsletter.db import session_scope
from newsletter.errors import NotFound, UserError
from newsletter.ledger_fast import Begin, FastLedger, Finish, Skip
from newsletter.models import Delivery, MailingList, Send, Subscriber
from newsletter.rate import RateLimiter
from newsletter.transports import Outcome, Transport, make_transport

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from newsletter.config import Config

DEAD_SERVER_FAILURES = 3  # connection failures in a row (per connection) that pause the send
STATUS_CHECK_SECONDS = 1.0
PROGRESS_SECONDS = 0.2


@dataclass
class Progress:
    """Counts for a progress display: this run's work on top of what was done before."""

    total: int
    done_before: int
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    possibly_sent: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.skipped + self.possibly_sent

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.handled / elapsed if elapsed > 0 else 0.0


@dataclass(frozen=True)
class RunResult:
    send_id: int
    status: str  # done | paused | running (stopped) | cancelled
    reason: str
    progress: Progress


class _Run:
    """The threads of one run and what they tell each other."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        send: Send,
        composer: Composer,
        transport: Transport,
        clock: Clock,
        progress: Progress,
    ) -> None:
        self.engine, self.config, self.send, self.composer = engine, config, send, composer
        self.transport, self.clock, self.progress = transport, clock, progress
        self.secret = config.secret_key
        self.jobs: queue.Queue[Recipient | None] = queue.Queue()
        self.stop = threading.Event()
        self.halt = threading.Event()
        self.pause_reason = ""
        self.lock = threading.Lock()
        self.connection_failures = 0
        self.policy_failures = 0
        self.limiter = RateLimiter(config.sending.rate_per_second, config.sending.rate_per_hour)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.list_ids = _list_ids(engine, send.lists)
        self.digest = Digester(self.secret)
        self.errors: list[BaseException] = []

    # --- worker threads ------------------------------------------------------------------

    def work(self) -> None:
        fast = FastLedger(self.engine, self.owner, self.list_ids)
        try:
            while True:
                job = self.jobs.get()
                try:
                    if job is None:
                        break
                    if not (self.halt.is_set() or self.stop.is_set()):
                        self._one(fast, job)
                finally:
                    self.jobs.task_done()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.errors.append(exc)
            self.halt.set()
        finally:
            fast.close()

    def _one(self, fast: FastLedger, job: Recipient) -> None:
        """Mark the row sending (committed), hand the message over, record the outcome."""
        if job.subscriber_id is None:
            fast.skip(self.clock(), Skip(job.delivery_id, "skipped", "erased"))
            self._count("skipped")
            return
        delay = self.limiter.reserve()
        if delay > 0:
            self.halt.wait(delay)
        now = self.clock()
        mid = self.composer.message_id(job)
        digest = self.digest(job.email)
        why = fast.begin(now, Begin(job.delivery_id, mid, job.subscriber_id, digest))
        if why:
            if why != "taken":  # "taken": another run has this row
                self._count("skipped")
            return
        try:
            composed = self.composer.compose(job, now, mid)
        except UserError as exc:
            self._count("failed")
            fast.finish(now, Finish(job.delivery_id, "failed", None, str(exc), None, None))
            return
        outcome = self.transport.send(composed.envelope_from, composed.recipient, composed.data)
        fast.finish(self.clock(), self._finish(job, outcome))

    def _finish(self, job: Recipient, outcome: Outcome) -> Finish:
        now = self.clock()
        attempts = job.attempts + 1
        step = ledger.next_step(outcome, attempts, self.send.started_at, now, self.config.sending)
        if outcome.hard_bounce and job.email:
            with session_scope(self.engine) as s:
                digest = self.digest(job.email)
                suppression.add_hash(s, digest, "hard_bounce", now, note=outcome.describe()[:200])
        self._observe(outcome, step.status)
        return Finish(
            job.delivery_id,
            step.status,
            outcome.code,
            step.text,
            now if step.status == "sent" else None,
            step.next_attempt_at,
        )

    def _count(self, name: str) -> None:
        with self.lock:
            setattr(self.progress, name, getattr(self.progress, name) + 1)

    def _observe(self, outcome: Outcome, status: str) -> None:
        """Count the outcome; pause on a dead server or a run of policy rejections."""
        names = {"sent": "sent", "failed": "failed", "queued": "retrying"}
        self._count(names.get(status, "possibly_sent"))
        cfg = self.config.sending
        with self.lock:
            self.connection_failures = (
                self.connection_failures + 1 if outcome.connection_failed else 0
            )
            self.policy_failures = (
                self.policy_failures + 1
                if outcome.policy_rejection
                else 0
                if outcome.ok
                else self.policy_failures
            )
            limit = DEAD_SERVER_FAILURES * self.transport.connections
            if self.connection_failures >= limit and not self.pause_reason:
                self.pause_reason = f"the mail server failed {limit} times in a row: " + (
                    outcome.describe()
                )
            elif self.policy_failures >= cfg.policy_failures_to_pause and not self.pause_reason:
                self.pause_reason = (
                    f"{self.policy_failures} policy rejections (5.7.x) in a row, last: "
                    f"{outcome.describe()}; check the sender's reputation and DNS records"
                )
            if self.pause_reason:
                self.halt.set()


class Digester:
    """``suppression.hash_normalised`` from a pre-keyed HMAC (checked equal once).

    The one-shot ``hmac.new(key, msg)`` releases the interpreter lock on every call, and
    each release lets another sender thread in for up to a switch interval.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)
        probe = "ayşe@örnek.com.tr"
        self._same = self._fast(probe) == suppression.hash_normalised(secret, probe)

    def _fast(self, email: str) -> str:
        mac = self._keyed.copy()
        mac.update(email.encode())
        return mac.hexdigest()

    def __call__(self, email: str) -> str:
        if self._same:
            return self._fast(email)
        return suppression.hash_normalised(self.secret, email)


def _list_ids(engine: Engine, slugs: list[str]) -> list[int]:
    with session_scope(engine) as s:
        query = select(MailingList.id).where(col(MailingList.slug).in_(slugs))
        return [i for i in s.exec(query).all() if i is not None]


def claim(engine: Engine, send_id: int, after_id: int, now: object, limit: int) -> list[tuple]:
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


def _next_due(engine: Engine, send_id: int) -> tuple[int, object]:
    d = Delivery.__table__  # type: ignore[attr-defined]
    query = sa.select(sa.func.count(), sa.func.min(d.c.next_attempt_at)).where(
        d.c.send_id == send_id, d.c.status == "queued"
    )
    with session_scope(engine) as s:
        count, earliest = s.connection().execute(query).one()
    return int(count), earliest


def _status(engine: Engine, send_id: int) -> str:
    with session_scope(engine) as s:
        send = s.get(Send, send_id)
        return send.status if send else "missing"


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
    run = _Run(engine, config, send, composer, transport, clock, counts)
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
        for _ in threads:
            run.jobs.put(None)
        for t in threads:
            t.join()
        transport.close()
    if run.errors:
        raise run.errors[0]
    return _conclude(run, engine, send_id, finished, status, progress)


def _dispatch(
    run: _Run,
    engine: Engine,
    config: Config,
    send_id: int,
    stop: threading.Event,
    progress: Callable[[Progress], None] | None,
) -> tuple[bool, str]:
    """Feed due rows to the threads; (whether nothing is left, the send's last status)."""
    after, checked, shown = 0, time.monotonic(), 0.0
    while not (stop.is_set() or run.halt.is_set()):
        if time.monotonic() - checked > STATUS_CHECK_SECONDS:
            checked = time.monotonic()
            status = _status(engine, send_id)
            if status != "running":
                return False, status
        batch = claim(engine, send_id, after, run.clock(), config.sending.batch_size)
        if not batch:
            run.jobs.join()  # rows being handed over may come back for a retry
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
        after = batch[-1].id
    return False, "running"


def _show(run: _Run, progress: Callable[[Progress], None] | None, shown: float) -> float:
    if progress is None or time.monotonic() - shown < PROGRESS_SECONDS:
        return shown
    progress(run.progress)
    return time.monotonic()


def _conclude(
    run: _Run,
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
