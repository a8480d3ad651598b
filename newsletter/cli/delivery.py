"""Commands of the delivery capability: `issues send|pause|resume|cancel|retry-failed|
requeue-possibly-sent|report|test` and `confirmations send`. They parse input, call ledger /
sender / confirmations, and print.

`issues send`, `resume`, `retry-failed` and `requeue-possibly-sent` exit 0 when everyone got
the issue, 3 when the send ended paused or stopped before the end (a dead server, a TLS
failure, the circuit breaker, a policy pause, Ctrl-C), 4 when it finished with failures or
possibly-sent recipients (or failed outright), and 1 on an error.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from sqlmodel import Session

from newsletter.cli.common import JSON_OPTION, console, new_app, print_json, state
from newsletter.compose import issues
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.models import Send
from newsletter.delivery import confirmations, ledger, ledger_faults, proofs
from newsletter.delivery.send_settings import check_ready, message_settings
from newsletter.delivery.send_settings import warnings as sender_warnings
from newsletter.delivery.send_threads import Progress as SendProgress
from newsletter.delivery.sender import Abort, RunResult, run_send
from newsletter.delivery.transport_factory import make_transport
from newsletter.scheduling import leases

ISSUE = typer.Argument(..., help="Issue id (see 'newsletter issues list').")
LISTS = typer.Option(..., "--list", "-l", help="List slug to send to; repeat for more lists.")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOPPED_BY_HAND = "stopped by hand (Ctrl-C or SIGTERM) during a foreground send"


@contextmanager
def _stop_on_signals(abort: Abort) -> Iterator[threading.Event]:
    """Ctrl-C or SIGTERM finishes the messages in flight (for at most the grace), records them,
    and stops cleanly; a second one closes the connections at once, still recording."""
    stop = threading.Event()

    def handle(*_: object) -> None:
        if stop.is_set():
            abort.now.set()
        stop.set()

    try:
        previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    except ValueError:  # not the main thread
        yield stop
        return
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(send_id: int, owner: str) -> RunResult:
    """Run the send under its lease (claimed by the caller), so no worker runs it meanwhile."""
    st = state()
    seconds = st.config.scheduler.lease_seconds
    abort = Abort(st.config.scheduler.stop_grace_seconds)
    with (
        _stop_on_signals(abort) as stop,
        leases.held(st.engine, send_id, owner, utcnow, seconds, stop) as keeper,
    ):
        result = _run_with_bar(send_id, stop, abort)
        if result.status == "running" and stop.is_set() and not keeper.lost:
            result = _paused_by_hand(send_id, result)
    _summary(result, keeper.lost)
    return result


def _paused_by_hand(send_id: int, result: RunResult) -> RunResult:
    """A stop by hand pauses the send, still under the lease: a worker must not carry it on
    behind the user's back. `issues resume` continues it."""
    with state().session() as session:
        send = session.get(Send, send_id)
        if send is not None and send.status == "running":
            ledger.set_paused(session, send, STOPPED_BY_HAND, utcnow())
            return replace(result, status="paused", reason=STOPPED_BY_HAND)
    return result


def _run_with_bar(send_id: int, stop: threading.Event, abort: Abort) -> RunResult:
    st = state()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn(
            "sent {task.fields[sent]} · failed {task.fields[failed]} · "
            "{task.fields[rate]:.0f}/s · ETA"
        ),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"send {send_id}", total=None, sent=0, failed=0, rate=0.0)

        def show(p: SendProgress) -> None:
            bar.update(
                task,
                total=p.total,
                completed=p.done_before + p.handled,
                sent=p.sent,
                failed=p.failed,
                rate=p.rate,
            )

        return run_send(st.engine, st.config, send_id, utcnow, stop_event=stop, progress=show,
                        abort=abort)  # fmt: skip


def _claim(session: Session, send_id: int, owner: str) -> None:
    """Take the send's lease in the caller's transaction: refused (and nothing written) if a
    live worker or another command holds it."""
    seconds = state().config.scheduler.lease_seconds
    session.flush()  # the send's new status must be in the database the claim reads
    if not leases.take_over(session, send_id, owner, utcnow(), seconds):
        raise leases.refuse(session, send_id, utcnow())


def _summary(result: RunResult, lost: bool = False) -> None:
    p = result.progress
    typer.echo(
        f"Sent {p.sent}, failed {p.failed}, skipped {p.skipped}, possibly sent "
        f"{p.possibly_sent}, retries {p.retrying} (send {result.send_id}: {result.status})."
    )
    if result.status == "paused" and result.reason == STOPPED_BY_HAND:
        typer.echo("Paused: stopped by hand; 'newsletter issues resume ISSUE' continues.")
    elif result.status == "paused":
        typer.echo(f"Paused: {result.reason}")
        typer.echo("Fix the cause, then run 'newsletter issues resume ISSUE'.")
    elif lost:
        typer.echo("Stopped: this command stalled past its lease and a worker took the send over.")
    elif result.status == "running":
        typer.echo("Stopped before the end: 'newsletter issues resume ISSUE' continues.")
    elif result.status == "failed":
        typer.echo(f"FAILED: {result.reason}")
    if p.failed:
        typer.echo("See who failed and why: 'newsletter issues report ISSUE'.")
    if result.failed > p.failed:
        typer.echo(f"{result.failed} failed in all, counting earlier runs.")
    possibly = max(p.possibly_sent, result.possibly_sent)
    if possibly:
        typer.echo(
            f"{possibly} possibly sent (no reply after the data): most were not "
            "delivered; 'newsletter issues requeue-possibly-sent ISSUE' sends them again."
        )


def _exit(result: RunResult) -> None:
    """The documented exit code (module docstring): scripts and systemd can tell."""
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def send(issue_id: int = ISSUE, list_slugs: list[str] = LISTS, yes: bool = YES) -> None:
    """Send an issue to one or more lists now, with a progress bar and a summary."""
    st = state()
    slugs = [s.strip() for v in list_slugs for s in v.split(",") if s.strip()]
    with st.session() as session:
        issue = issues.get(session, issue_id)
        found = ledger.audience(session, st.config.secret_key, issue_id, slugs)
    typer.echo(
        f"Issue {issue_id} “{issue.title}” to {', '.join(slugs)}: {len(found.recipients)} "
        f"recipients ({found.suppressed} suppressed, {found.blocklisted} blocklisted and "
        f"{found.already_sent} already sent are left out)."
    )
    if found.carried_over:
        typer.echo(f"{len(found.carried_over)} of them were not reached by a cancelled send.")
    check_ready(st.config)
    for warning in sender_warnings(st.config):
        typer.echo(f"Warning: {warning}", err=True)
    if not yes and not typer.confirm("Send now?", default=False):
        raise UserError("not sent (answer y, or pass --yes)")
    owner = leases.new_owner()
    with st.session() as session:
        send_id = ledger.start_send(session, issue_id, slugs, utcnow(), st.config).id or 0
        _claim(session, send_id, owner)
    _exit(_run(send_id, owner))


def pause(issue_id: int = ISSUE, reason: str = typer.Option("paused by hand", "--reason")) -> None:
    """Pause the running send; a foreground or worker run stops after the messages in flight."""
    with state().session() as session:
        sent = ledger.pause(session, issue_id, reason, utcnow())
    typer.echo(f"Send {sent.id} of issue {issue_id} paused: {reason}")


def resume(issue_id: int = ISSUE) -> None:
    """Continue a paused, failed or interrupted send (also after a crash) in the foreground."""
    check_ready(state().config)
    owner = leases.new_owner()
    with state().session() as session:
        sent = ledger.resume(session, issue_id, utcnow())
        _claim(session, sent.id or 0, owner)
    _exit(_run(sent.id or 0, owner))


def cancel(issue_id: int = ISSUE, yes: bool = YES) -> None:
    """Stop a send for good: recipients not yet sent to are skipped."""
    if not yes and not typer.confirm(f"Cancel the send of issue {issue_id}?", default=False):
        raise UserError("not cancelled (answer y, or pass --yes)")
    with state().session() as session:
        skipped = ledger.cancel(session, issue_id, utcnow())
    typer.echo(f"Send of issue {issue_id} cancelled; {skipped} recipients skipped.")
    if skipped:
        typer.echo("They can still get the issue in a later send; nobody gets it twice.")


def retry_failed(issue_id: int = ISSUE) -> None:
    """Queue failed recipients again (not hard bounces) and send to them in the foreground."""
    owner = leases.new_owner()
    with state().session() as session:
        send = ledger.latest_send(session, issue_id)
        count = ledger.retry_failed(session, issue_id, utcnow())
        if count:  # refused while a worker runs the send: the rows stay failed
            _claim(session, send.id or 0, owner)
    typer.echo(f"{count} failed recipients queued again.")
    if count:
        _exit(_run(send.id or 0, owner))


TWICE = (
    "{n} recipients of issue {issue} are possibly sent: the server took their message but "
    "gave no final reply (or a run was killed). Most such messages were not delivered, but "
    "SOME OF THESE PEOPLE MAY GET THE ISSUE TWICE if you send again."
)


def requeue_possibly_sent(
    issue_id: int = ISSUE,
    older_than: float | None = typer.Option(
        None, "--older-than", min=0, help="Only rows marked sending at least this many minutes ago."
    ),
    yes: bool = YES,
) -> None:
    """Send again to possibly-sent recipients (no final reply), after saying some may get the
    issue twice; asks first unless --yes."""
    st = state()
    age = timedelta(minutes=older_than) if older_than is not None else None
    with st.session() as session:
        ids = ledger_faults.possibly_sent_ids(session, issue_id, utcnow(), age)
    if not ids:
        typer.echo(f"Issue {issue_id}: no possibly-sent recipients to requeue.")
        return
    typer.echo(TWICE.format(n=len(ids), issue=issue_id))
    if not yes and not typer.confirm(f"Send again to these {len(ids)}?", default=False):
        raise UserError("not requeued (answer y, or pass --yes)")
    check_ready(st.config)
    owner = leases.new_owner()
    with st.session() as session:
        count = ledger_faults.requeue_possibly_sent(session, issue_id, utcnow(), age)
        send_id = ledger.latest_send(session, issue_id).id or 0
        if count:
            _claim(session, send_id, owner)
    typer.echo(f"{count} possibly-sent recipients queued again.")
    if count:
        _exit(_run(send_id, owner))


def report(issue_id: int = ISSUE, as_json: bool = JSON_OPTION) -> None:
    """The issue across all its sends: counts, failed recipients with reasons, possibly sent."""
    with state().session() as session:
        data = ledger.report(session, issue_id)
    if as_json:
        print_json(data)
        return
    sends = data["sends"]
    if len(sends) == 1:
        typer.echo(
            f"Issue {issue_id}, send {data['send_id']} ({data['status']}) to "
            f"{', '.join(data['lists'])}: {data['total']} recipients"
        )
    else:
        typer.echo(f"Issue {issue_id}: {len(sends)} sends, {data['total']} recipients")
        for one in sends:
            typer.echo(
                f"  send {one['send_id']} ({one['status']}) to {', '.join(one['lists'])}: "
                f"{one['total']} recipients, {one['counts']['sent']} sent, "
                f"{one['counts']['failed']} failed"
            )
    if data["status"] == "paused" and data["pause_reason"]:
        typer.echo(f"Paused: {data['pause_reason']}")
    elif data["status"] == "failed" and data["pause_reason"]:
        typer.echo(f"FAILED: {data['pause_reason']}")
    if data["counts"]["sending"]:
        typer.echo(
            f"POSSIBLY SENT: {data['counts']['sending']} (no final reply; most were not "
            "delivered): 'newsletter issues requeue-possibly-sent ISSUE' sends them again"
        )
    if data.get("last_error"):
        typer.echo(f"Last error: {data['last_error']}")
    for status, count in data["counts"].items():
        label = "possibly sent" if status == "sending" else status
        typer.echo(f"  {label:<14}{count:>8}")
    if len(data["editions"]) > 1:
        typer.echo("Per edition:")
        for language, c in data["editions"].items():
            typer.echo(
                f"  {language:<6} {c['sent']} sent, {c['failed']} failed, "
                f"{c['sending']} possibly sent, {c['unsubscribed']} unsubscribed since"
            )
    several = len(sends) > 1
    _rows("Failed", data["failed"], several)
    title = "Possibly sent (in flight when a run stopped; not sent again)"
    _rows(title, data["possibly_sent"], several)


def _rows(title: str, rows: list[dict[str, Any]], several: bool) -> None:
    if rows:
        typer.echo(f"{title}:")
        for r in rows:
            where = f"  (send {r['send_id']})" if several else ""
            typer.echo(f"  {r['email']}  {r['code'] or '-'}  {r['reason']}{where}")


def send_test(
    issue_id: int = ISSUE,
    to: list[str] = typer.Option(..., "--to", help="Address for a proof; repeat for more."),
    language: str | None = typer.Option(
        None, "--language", help="Which language edition (default: the issue's language)."
    ),
) -> None:
    """Send proofs marked [TEST], outside the ledger, as the issue looks now."""
    st = state()
    settings = message_settings(st.config)
    with st.session() as session:
        composer = proofs.proof_composer(session, st.config, settings, issue_id, language)
    transport = make_transport(st.config)
    try:
        results = proofs.send_proofs(composer, transport, to, utcnow())
    finally:
        transport.close()
    for r in results:
        typer.echo(f"{r.address}: {'sent' if r.outcome.ok else 'FAILED'} ({r.outcome.describe()})")
    if results and not results[-1].outcome.ok:
        last = results[-1]
        raise UserError(f"proof to {last.address} not sent: {last.outcome.describe()}")


confirmations_app = new_app("Confirmation emails for double opt-in lists.")


@confirmations_app.command("send")
def confirmations_send() -> None:
    """Send every queued confirmation email that is due (the worker does this too). Exits
    non-zero when any could not be sent, with each reason."""
    st = state()
    run = confirmations.run_due(st.engine, st.config, utcnow())
    typer.echo(f"{run.sent} confirmation email(s) sent.")
    for n in run.not_sent:
        what = "will be retried" if n.retrying else "FAILED"
        typer.echo(f"{n.email} ({n.list_name}): {what}: {n.reason}")
    if run.not_sent:
        raise UserError(
            f"{len(run.failed)} confirmation email(s) failed and {len(run.retrying)} will be "
            "retried (see 'newsletter status')"
        )


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the root app and its groups."""
    from newsletter.cli import issues as issues_cli

    for name, func in (
        ("send", send),
        ("pause", pause),
        ("resume", resume),
        ("cancel", cancel),
        ("retry-failed", retry_failed),
        ("requeue-possibly-sent", requeue_possibly_sent),
        ("report", report),
        ("test", send_test),
    ):
        issues_cli.app.command(name)(func)
    app.add_typer(confirmations_app, name="confirmations")
