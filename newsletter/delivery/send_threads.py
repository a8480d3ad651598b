"""The sender threads of one run: one per connection, each with its own ledger connection.

Each thread takes a recipient, marks the row sending (committed and synced, and only if the
person still wants the issue), builds the message, hands it over, and records the outcome in
the same transaction as its next mark (ledger_fast: one commit per message). The threads
count outcomes for the progress display and pause the send on a dead server or a run of
policy rejections.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from newsletter.audience import suppression
from newsletter.core.clock import Clock
from newsletter.core.db import session_scope
from newsletter.core.errors import UserError
from newsletter.core.models import Delivery, EventLog, MailingList, Send
from newsletter.delivery.breaker import Streak
from newsletter.delivery.composer import Composer, Recipient, unusable
from newsletter.delivery.ledger_fast import Begin, Digester, FastLedger, Finish, Skip
from newsletter.delivery.rate import RateLimiter
from newsletter.delivery.retry import next_step
from newsletter.delivery.transport import Outcome, Transport

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from newsletter.core.config import SendingConfig

logger = logging.getLogger("newsletter.sender")


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


class SendThreads:
    """The threads of one run and what they tell each other."""

    def __init__(
        self,
        engine: Engine,
        send: Send,
        composer: Composer,
        transport: Transport,
        clock: Clock,
        progress: Progress,
        sending: SendingConfig,
    ) -> None:
        self.engine, self.send, self.composer = engine, send, composer
        self.transport, self.clock, self.progress = transport, clock, progress
        self.sending = sending  # rate limits, retries, when to pause
        self.jobs: queue.Queue[Recipient | None] = queue.Queue()
        self.stop = threading.Event()
        self.halt = threading.Event()
        self.pause_reason = ""
        self.lock = threading.Lock()
        self.db_lock = threading.Lock()  # orders the threads' ledger transactions
        # A list smaller than the threshold must still trip it (the same few people retried
        # against a dead server would otherwise spend every attempt).
        self.streak = Streak(min(sending.breaker_failures, max(progress.total, 1)))
        self.tripped: Outcome | None = None  # the outcome that tripped the circuit breaker
        self.policy_failures = 0
        self.limiter = RateLimiter(sending.rate_per_second, sending.rate_per_hour)
        if sending.rate_per_hour:
            self.limiter.seed(_sent_last_hour(engine, clock()))
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.list_ids = _list_ids(engine, send.lists)
        # The suppression list is keyed with the same secret as the links.
        self.digest = Digester(composer.secret)

    # --- worker threads ------------------------------------------------------------------

    def work(self) -> None:
        """Take jobs until told to end. An unexpected error on one job is handled and the
        thread goes on draining the queue, so the dispatcher never waits for a dead thread.

        A job whose outcome the ledger holds for the next transaction (ledger_fast) is only
        marked done once it is written: the dispatcher, seeing no job unfinished, counts the
        ledger and must find every outcome there."""
        try:
            fast = FastLedger(self.engine, self.owner, self.send.id or 0, self.list_ids,
                              lock=self.db_lock)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - no ledger connection: stop the run
            self._crashed(None, None, exc)
            fast = None
        held = 0  # jobs done but for their outcome, held by the ledger
        try:
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:  # nothing at hand to write the outcome with: write it now
                    held = self._flush(fast, held)
                    job = self.jobs.get()
                stopping = self.halt.is_set() or self.stop.is_set()
                if job is None or stopping:
                    held = self._flush(fast, held)
                if job is None:
                    break
                try:
                    if fast and not stopping:
                        self._deliver_one(fast, job)
                except Exception as exc:  # noqa: BLE001 - recorded and paused, see _crashed
                    self._crashed(fast, job, exc)
                if fast and fast.holding:
                    held += 1
                else:
                    held = self._done(held + 1)
            self.jobs.task_done()
        finally:
            if fast:
                self._flush(fast, held)
                fast.close()

    def _done(self, count: int) -> int:
        for _ in range(count):
            self.jobs.task_done()
        return 0

    def _flush(self, fast: FastLedger | None, held: int) -> int:
        """Write the held outcomes, then mark their jobs done. If that fails, the rows stay
        ``sending`` (possibly sent, never sent again) and the send pauses."""
        if fast is not None and fast.holding:
            try:
                fast.flush()
            except Exception as exc:  # noqa: BLE001 - see _crashed
                self._crashed(None, None, exc)
        return self._done(held)

    def _deliver_one(self, fast: FastLedger, job: Recipient) -> None:
        """Mark the row sending (committed, with the last row's outcome), hand the message
        over, and hold the outcome for the next transaction."""
        if job.subscriber_id is None:
            fast.skip(self.clock(), Skip(job.delivery_id, "skipped", "erased"))
            self._count("skipped")
            return
        why = unusable(job)
        if why:  # a name or address no message can carry: this person fails, nobody else
            fast.skip(self.clock(), Skip(job.delivery_id, "failed", why))
            self._count("failed")
            return
        delay = self.limiter.reserve()
        if delay > 0:  # no outcome is left unwritten while waiting
            fast.flush()
            if self.halt.wait(delay) or self.stop.is_set():
                return  # stopped while waiting for the rate limit: the row stays queued
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
            fast.defer(now, Finish(job.delivery_id, "failed", None, str(exc), None, None))
            return
        outcome = self.transport.send(composed.envelope_from, composed.recipient, composed.data)
        fast.defer(self.clock(), self._finish(job, outcome))

    def _crashed(self, fast: FastLedger | None, job: Recipient | None, exc: Exception) -> None:
        """An error no code path expected (a bug, a broken transport, the database gone).

        The row fails with the reason if it was marked sending (it may have left, so it is
        never re-sent on its own; `retry-failed` is a person's call); a row not yet marked
        stays queued. The send pauses with the reason, kept in the event log, rather than
        failing every remaining recipient the same way."""
        reason = f"internal error: {type(exc).__name__}: {exc}"[:500]
        now = self.clock()
        if fast is not None and job is not None:
            try:
                if fast.finish(now, Finish(job.delivery_id, "failed", None, reason, None, None)):
                    self._count("failed")
            except Exception:  # noqa: BLE001 - left 'sending': reported as possibly sent
                logger.warning("could not record the failure of delivery %s", job.delivery_id)
        extra = {"event": "send.crashed", "issue": self.send.issue_id}
        logger.error("send %s: %s", self.send.id, reason, extra=extra)
        logger.debug("traceback", exc_info=exc, extra=extra)
        try:
            message = f"send {self.send.id}: {reason}"
            with session_scope(self.engine) as s:
                s.add(EventLog(at=now, level="error", issue_id=self.send.issue_id,
                               event="send_error", message=message))  # fmt: skip
        except Exception:  # noqa: BLE001 - the database may be what failed
            logger.warning("could not keep the error in the event log")
        with self.lock:
            if not self.pause_reason:
                self.pause_reason = f"{reason}; fix the cause, then 'issues resume'"
            self.halt.set()

    def _finish(self, job: Recipient, outcome: Outcome) -> Finish:
        now = self.clock()
        attempts = job.attempts + 1
        step = next_step(outcome, attempts, self.send.started_at, now, self.sending)
        if outcome.hard_bounce and job.email:  # a write too: in turn with the ledger's
            with self.db_lock, session_scope(self.engine) as s:
                digest = self.digest(job.email)
                suppression.add_hash(s, digest, "hard_bounce", now, note=outcome.describe()[:200])
        self._observe(job, outcome, step.status)
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

    def _observe(self, job: Recipient, outcome: Outcome, status: str) -> None:
        """Count the outcome; trip the breaker on a server in trouble, pause on a run of
        policy rejections."""
        names = {"sent": "sent", "failed": "failed", "queued": "retrying"}
        self._count(names.get(status, "possibly_sent"))
        tripped = self.streak.observe(job.delivery_id, outcome)
        with self.lock:
            if tripped and self.tripped is None and not self.pause_reason:
                self.tripped = outcome  # the reason is written with the pause (sender.py)
                self.halt.set()
            if outcome.policy_rejection:
                self.policy_failures += 1
            elif outcome.ok:
                self.policy_failures = 0
            if not self.pause_reason:
                self.pause_reason = self._pause_reason(outcome)
            if self.pause_reason:
                self.halt.set()

    def _pause_reason(self, outcome: Outcome) -> str:
        if self.tripped is not None:
            return ""
        if self.policy_failures >= self.sending.policy_failures_to_pause:
            return (
                f"{self.policy_failures} policy rejections (5.7.x) in a row, last: "
                f"{outcome.describe()}; check the sender's reputation and DNS records"
            )
        return ""


def _list_ids(engine: Engine, slugs: list[str]) -> list[int]:
    with session_scope(engine) as s:
        query = select(MailingList.id).where(col(MailingList.slug).in_(slugs))
        return [i for i in s.exec(query).all() if i is not None]


def _sent_last_hour(engine: Engine, now: datetime) -> list[float]:
    """Seconds since each message of the last hour, from every send: the hourly limit is the
    installation's, not one run's."""
    table = Delivery.__table__  # type: ignore[attr-defined]
    query = sa.select(table.c.sent_at).where(table.c.sent_at >= now - timedelta(hours=1))
    with session_scope(engine) as s:
        times = s.connection().execute(query).scalars().all()
    return [(now - t).total_seconds() for t in times if t is not None]
