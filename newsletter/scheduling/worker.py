"""The long-running worker: wakes up every poll, starts due sends, resumes interrupted ones.

The database holds all state. APScheduler only wakes the worker up: one job does the quick
housekeeping (heartbeat, due and missed issues, confirmation emails), the other claims sends by
lease and runs them through the ledger. Both run with ``max_instances=1`` and ``coalesce``, so a
long send never piles up wake-ups. A stop (SIGTERM, Ctrl-C) stops claiming, lets the sender
finish the messages in flight for at most ``scheduler.stop_grace_seconds`` (a second signal: at
once), then closes the connections, records every row, gives the leases back and returns. The
wake-up also resumes sends the circuit breaker paused once their backoff is over.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from newsletter.core import logs
from newsletter.core.clock import Clock, utcnow
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.errors import UserError
from newsletter.core.models import Send
from newsletter.delivery import confirmations, ledger_faults, sender
from newsletter.delivery.transport_factory import make_transport
from newsletter.scheduling import heartbeat, leases, schedule

MAX_ERROR_CHARS = 500


@dataclass
class TickReport:
    """What one wake-up did, for tests and the `--once` summary."""

    started: list[int] = field(default_factory=list)  # issue ids whose send began
    missed: list[int] = field(default_factory=list)  # issue ids past the grace period
    failed: list[int] = field(default_factory=list)  # issue ids whose send could not start
    ran: list[int] = field(default_factory=list)  # send ids this worker ran
    confirmations: int = 0  # confirmation emails sent
    confirmations_not_sent: int = 0  # failed, or to be retried (reasons in the log and status)


class Worker:
    """One worker process. ``clock`` is injectable so tests move time without sleeping."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        clock: Clock = utcnow,
        owner: str | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.owner = owner or leases.new_owner()
        self.poll_seconds = poll_seconds or config.scheduler.poll_seconds
        self.lease_seconds = config.scheduler.lease_seconds
        self.stopping = threading.Event()
        # Set by a second SIGTERM: close the connections in flight now, not after the grace.
        self.abort_now = threading.Event()
        self._send_stops: set[threading.Event] = set()
        self._lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None
        self._current_send: int | None = None
        self._last_errors: dict[str, str] = {}
        # Built on the first round that succeeds, then kept (the config does not change).
        self._confirmation_settings: confirmations.ConfirmationSettings | None = None

    # --- stopping --------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Stop claiming new work and ask running sends to finish their in-flight messages."""
        self.stopping.set()
        with self._lock:
            for event in self._send_stops:
                event.set()

    # --- one wake-up -----------------------------------------------------------------------

    def tick(self) -> TickReport:
        """Everything one wake-up does, in order; the loop runs the two halves as separate jobs."""
        report = self.housekeeping()
        report.ran = self.run_sends()
        return report

    def housekeeping(self) -> TickReport:
        """Heartbeat, start due issues (or mark them missed), send queued confirmations."""
        report = TickReport()
        if self.stopping.is_set():
            return report
        self._guarded("worker.heartbeat_failed", self.beat)
        self._guarded("schedule.failed", self.start_due, report)
        resumed = self._guarded("send.resume_failed", self._resume_tripped)
        if report.started or resumed:
            self._wake_sends()
        run = self._guarded("confirmations.failed", self._confirmations)
        if run is not None:
            report.confirmations, report.confirmations_not_sent = run.sent, len(run.not_sent)
        return report

    def _confirmations(self) -> confirmations.ConfirmationRun:
        if self._confirmation_settings is None:
            self._confirmation_settings = confirmations.ConfirmationSettings.from_config(
                self.config
            )
        transport = make_transport(self.config)
        try:
            run = confirmations.send_jobs(
                self.engine, self._confirmation_settings, transport, self.clock()
            )
        finally:
            transport.close()
        if run.sent:
            logs.log("info", "confirmations.sent", f"{run.sent} confirmation email(s) sent",
                     count=run.sent)  # fmt: skip
        if run.not_sent:  # reasons without addresses: the log is not the place for them
            reasons = "; ".join(sorted({n.reason for n in run.not_sent}))[:MAX_ERROR_CHARS]
            logs.log("warning", "confirmations.not_sent",
                     f"{len(run.failed)} confirmation email(s) failed, {len(run.retrying)} to "
                     f"retry: {reasons} (see 'newsletter status')",
                     failed=len(run.failed), retrying=len(run.retrying))  # fmt: skip
        return run

    def _resume_tripped(self) -> list[int]:
        """Sends the circuit breaker paused whose backoff is over run again."""
        with session_scope(self.engine) as session:
            resumed = ledger_faults.resume_due(session, self.clock())
        for send_id in resumed:
            logs.log("info", "send.resumed", f"send {send_id} resumed after the circuit "
                     "breaker's backoff", send=send_id)  # fmt: skip
        return resumed

    def start_due(self, report: TickReport) -> None:
        with session_scope(self.engine) as session:
            due = [issue.id for issue in schedule.due_issues(session, self.clock())]
        logs.log("debug", "schedule.checked", f"{len(due)} issue(s) due", due=len(due))
        for issue_id in due:
            outcome = self._guarded("send.start_failed", self._start_one, issue_id)
            if outcome:  # "" when another worker got there first
                getattr(report, outcome).append(issue_id)

    def _start_one(self, issue_id: int) -> str:
        try:
            with session_scope(self.engine) as session:
                return schedule.begin_due(session, self.config, issue_id, self.clock())
        except UserError as exc:
            # The issue cannot be sent as it stands (e.g. a list was deleted): a person decides.
            with session_scope(self.engine) as session:
                schedule.fail_start(session, issue_id, str(exc), self.clock())
            return "failed"

    # --- sends -----------------------------------------------------------------------------

    def run_sends(self) -> list[int]:
        """Claim running sends nobody holds, one at a time, until none is left or we stop.

        Each send is tried once per wake-up, so one that keeps failing cannot spin the loop.
        """
        ran: list[int] = []
        while not self.stopping.is_set():
            send_id = self._guarded("lease.claim_failed", self._claim_next, ran)
            if send_id is None:
                break
            ran.append(send_id)
            self._guarded("send.crashed", self.run_claimed, send_id)
        return ran

    def _claim_next(self, exclude: list[int]) -> int | None:
        with session_scope(self.engine) as session:
            now = self.clock()
            return leases.claim_next(session, self.owner, now, self.lease_seconds, exclude)

    def run_claimed(self, send_id: int) -> None:
        """Run a send whose lease we hold, renewing it meanwhile, and give it back afterwards."""
        stop = threading.Event()
        with self._lock:
            self._send_stops.add(stop)
            if self.stopping.is_set():
                stop.set()
        issue_id = self._issue_of(send_id)
        logs.log("info", "send.running", f"running send {send_id}", issue=issue_id, send=send_id)
        self._current_send = send_id
        try:
            with leases.held(self.engine, send_id, self.owner, self.clock, self.lease_seconds,
                             stop, on_renew=self.beat) as keeper:  # fmt: skip
                abort = sender.Abort(self.config.scheduler.stop_grace_seconds, self.abort_now)
                result = sender.run_send(
                    self.engine, self.config, send_id, self.clock, stop_event=stop,
                    progress=logs.ProgressLog(send_id, issue_id), abort=abort,
                )  # fmt: skip
        finally:
            with self._lock:
                self._send_stops.discard(stop)
            self._current_send = None
        self._log_outcome(result, issue_id, keeper.lost)

    def _issue_of(self, send_id: int) -> int | None:
        with session_scope(self.engine) as session:
            send = session.get(Send, send_id)
            return send.issue_id if send else None

    def _log_outcome(self, result: sender.RunResult, issue_id: int | None, lost: bool) -> None:
        """One log line on how the run ended (the ledger keeps its own event-log rows)."""
        send_id, p = result.send_id, result.progress
        counts = {"sent": p.sent, "failed": p.failed, "skipped": p.skipped}
        if lost:
            message = f"lost the lease on send {send_id}: another worker took it over"
            with session_scope(self.engine) as session:
                logs.record(session, "warning", "lease.lost", message, self.clock(),
                            issue=issue_id, send=send_id)  # fmt: skip
            return
        status, level = result.status, "info"
        message = f"send {send_id} {status}"
        if status == "running":
            status, message = "stopped", f"send {send_id} stopped; its progress is in the ledger"
        elif status == "paused":
            level, message = "warning", f"send {send_id} paused: {result.reason}"
        logs.log(level, f"send.{status}", message, issue=issue_id, send=send_id, **counts)

    def beat(self) -> None:
        heartbeat.beat(self.engine, self.owner, self.clock(), send_id=self._current_send)

    # --- the loop --------------------------------------------------------------------------

    def _guarded(self, event: str, func: Callable[..., Any], *args: Any) -> Any:
        """Run one piece of work; an error is logged and recorded, and the worker carries on."""
        try:
            result = func(*args)
        except Exception as exc:
            self._report_error(event, exc)
            return None
        self._last_errors.pop(event, None)  # fixed: the next failure is news again
        return result

    def _report_error(self, event: str, exc: Exception) -> None:
        """One line per error; the same error again (say, every poll) is only a debug line, so
        a lasting fault does not flood the log or the event table."""
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        message = lines[0][:MAX_ERROR_CHARS]
        logs.logger().debug("traceback", exc_info=exc, extra={"event": event, "issue": None})
        if self._last_errors.get(event) == message:
            logs.log("debug", event, f"again: {message}")
            return
        self._last_errors[event] = message
        logs.log("error", event, message)
        try:
            with session_scope(self.engine) as session:
                logs.store(session, "error", event, message, self.clock())
        except Exception:  # the database itself may be what failed
            logs.log("debug", "event_log.unavailable", "could not keep the error in the database")

    def _wake_sends(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.modify_job("sends", next_run_time=utcnow())

    def start(self) -> BackgroundScheduler:
        """Start the two wake-up jobs in background threads; the first run is immediate."""
        scheduler = BackgroundScheduler(timezone="UTC")
        for job_id, func in (("housekeeping", self.housekeeping), ("sends", self.run_sends)):
            scheduler.add_job(
                func,
                "interval",
                id=job_id,
                seconds=self.poll_seconds,
                next_run_time=utcnow(),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self._scheduler = scheduler
        scheduler.start()
        logs.log(
            "info",
            "worker.started",
            f"worker {self.owner} polling every {self.poll_seconds:g}s",
            owner=self.owner,
        )
        return scheduler

    def shutdown(self) -> None:
        """Stop claiming, wait for the jobs to finish their in-flight work, leave cleanly."""
        self.request_stop()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self._guarded("worker.stop_failed", heartbeat.forget, self.engine, self.owner)
        logs.log("info", "worker.stopped", f"worker {self.owner} stopped", owner=self.owner)

    def run(self, install_signals: bool = True) -> None:
        """Run until SIGTERM / SIGINT (or ``request_stop``), then shut down cleanly."""
        previous = self._install_signals() if install_signals else {}
        self.start()
        try:
            while not self.stopping.wait(0.5):
                pass
            logs.log("info", "worker.stopping", "finishing in-flight messages")
        finally:
            self.shutdown()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _install_signals(self) -> dict[int, Any]:
        def handle(signum: int, _frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            if self.abort_now.is_set():  # a third: the recording itself is stuck
                logs.log("warning", "worker.killed", f"third {name}: exiting at once")
                os._exit(1)
            if self.stopping.is_set():
                # Shorten the grace, but still record each row and give the lease back: an
                # exit here would leave rows "possibly sent" and the lease held until expiry.
                logs.log("warning", "worker.hurry", f"second {name}: closing the connections "
                         "now; the ledger and the lease are still kept right")  # fmt: skip
                self.abort_now.set()
                return
            logs.log("info", "worker.signal", f"received {name}")
            self.request_stop()

        return {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
