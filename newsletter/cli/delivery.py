"""Commands of the delivery capability: `issues send|pause|resume|cancel|retry-failed|report|test`
and `confirmations send`. They parse input, call ledger / sender / confirmations, and print.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from newsletter import confirmations, issues, ledger
from newsletter.addresses import normalise
from newsletter.cli.common import JSON_OPTION, console, new_app, print_json, state
from newsletter.clock import utcnow
from newsletter.composer import Composer, Recipient
from newsletter.errors import UserError
from newsletter.models import IssueSnapshot
from newsletter.sender import Progress as SendProgress
from newsletter.sender import RunResult, check_ready, run_send
from newsletter.transports import make_transport

ISSUE = typer.Argument(..., help="Issue id (see 'newsletter issues list').")
LISTS = typer.Option(..., "--list", "-l", help="List slug to send to; repeat for more lists.")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")


@contextmanager
def _stop_on_ctrl_c() -> Iterator[threading.Event]:
    """Ctrl-C finishes the messages in flight, records them, and stops cleanly."""
    stop = threading.Event()
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    except ValueError:  # not the main thread
        yield stop
        return
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(send_id: int) -> RunResult:
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
    with _stop_on_ctrl_c() as stop, Progress(*columns, console=console, transient=False) as bar:
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

        result = run_send(st.engine, st.config, send_id, utcnow, stop_event=stop, progress=show)
    _summary(result)
    return result


def _summary(result: RunResult) -> None:
    p = result.progress
    typer.echo(
        f"Sent {p.sent}, failed {p.failed}, skipped {p.skipped}, possibly sent "
        f"{p.possibly_sent}, retries {p.retrying} (send {result.send_id}: {result.status})."
    )
    if result.status == "paused":
        typer.echo(f"Paused: {result.reason}")
        typer.echo("Fix the cause, then run 'newsletter issues resume ISSUE'.")
    elif result.status == "running":
        typer.echo("Stopped before the end: 'newsletter issues resume ISSUE' continues.")
    if p.failed:
        typer.echo("See who failed and why: 'newsletter issues report ISSUE'.")


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
    check_ready(st.config)
    if not yes and not typer.confirm("Send now?", default=False):
        raise UserError("not sent (answer y, or pass --yes)")
    with st.session() as session:
        send_id = ledger.start_send(session, issue_id, slugs, utcnow(), st.config).id or 0
    _run(send_id)


def pause(issue_id: int = ISSUE, reason: str = typer.Option("paused by hand", "--reason")) -> None:
    """Pause the running send; a foreground or worker run stops after the messages in flight."""
    with state().session() as session:
        sent = ledger.pause(session, issue_id, reason, utcnow())
    typer.echo(f"Send {sent.id} of issue {issue_id} paused: {reason}")


def resume(issue_id: int = ISSUE) -> None:
    """Continue a paused, failed or interrupted send (also after a crash) in the foreground."""
    check_ready(state().config)
    with state().session() as session:
        sent = ledger.resume(session, issue_id, utcnow())
    _run(sent.id or 0)


def cancel(issue_id: int = ISSUE, yes: bool = YES) -> None:
    """Stop a send for good: recipients not yet sent to are skipped."""
    if not yes and not typer.confirm(f"Cancel the send of issue {issue_id}?", default=False):
        raise UserError("not cancelled (answer y, or pass --yes)")
    with state().session() as session:
        skipped = ledger.cancel(session, issue_id, utcnow())
    typer.echo(f"Send of issue {issue_id} cancelled; {skipped} recipients skipped.")


def retry_failed(issue_id: int = ISSUE) -> None:
    """Queue failed recipients again (not hard bounces) and send to them in the foreground."""
    with state().session() as session:
        count = ledger.retry_failed(session, issue_id, utcnow())
        send_id = ledger.latest_send(session, issue_id).id or 0
    typer.echo(f"{count} failed recipients queued again.")
    if count:
        _run(send_id)


def report(issue_id: int = ISSUE, as_json: bool = JSON_OPTION) -> None:
    """Counts per status, the failed recipients with reasons, and any possibly sent."""
    with state().session() as session:
        data = ledger.report(session, issue_id)
    if as_json:
        print_json(data)
        return
    typer.echo(
        f"Issue {issue_id}, send {data['send_id']} ({data['status']}) to "
        f"{', '.join(data['lists'])}: {data['total']} recipients"
    )
    if data["pause_reason"]:
        typer.echo(f"Paused: {data['pause_reason']}")
    for status, count in data["counts"].items():
        label = "possibly sent" if status == "sending" else status
        typer.echo(f"  {label:<14}{count:>8}")
    _rows("Failed", data["failed"])
    _rows("Possibly sent (in flight when a run stopped; not sent again)", data["possibly_sent"])


def _rows(title: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        typer.echo(f"{title}:")
        for r in rows:
            typer.echo(f"  {r['email']}  {r['code'] or '-'}  {r['reason']}")


def send_test(
    issue_id: int = ISSUE,
    to: list[str] = typer.Option(..., "--to", help="Address for a proof; repeat for more."),
    language: str | None = typer.Option(
        None, "--language", help="Which language edition (default: the issue's language)."
    ),
) -> None:
    """Send proofs marked [TEST], outside the ledger, as the issue looks now."""
    st = state()
    people = [normalise(a) for a in to]
    with st.session() as session:
        issue = issues.get(session, issue_id)
        wanted = language or issue.language
        snaps = [s for s in issues.snapshots(session, issue_id) if s.language == wanted]
        snaps = snaps or [_render(session, issue_id, wanted)]
    composer = Composer(st.config, issue_id, snaps, wanted, test=True)
    transport = make_transport(st.config)
    try:
        for a in people:
            r = Recipient(0, None, None, a.normalised, a.envelope, "", wanted)
            c = composer.compose(r, utcnow())
            outcome = transport.send(c.envelope_from, c.recipient, c.data)
            typer.echo(
                f"{a.normalised}: {'sent' if outcome.ok else 'FAILED'} ({outcome.describe()})"
            )
            if not outcome.ok:
                raise UserError(f"proof to {a.normalised} not sent: {outcome.describe()}")
    finally:
        transport.close()


def _render(session: Any, issue_id: int, language: str) -> IssueSnapshot:
    from newsletter.issue_view import load_view
    from newsletter.render import render_issue

    view = load_view(session, issue_id, language)
    rendered = render_issue(view, state().config)
    return IssueSnapshot(
        issue_id=issue_id,
        language=view.language,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
    )


confirmations_app = new_app("Confirmation emails for double opt-in lists.")


@confirmations_app.command("send")
def confirmations_send() -> None:
    """Send every queued confirmation email that is due (the worker does this too)."""
    st = state()
    count = confirmations.send_due(st.engine, st.config, utcnow())
    typer.echo(f"{count} confirmation email(s) sent.")


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the root app and its groups."""
    from newsletter.cli import issues as issues_cli

    for name, func in (
        ("send", send),
        ("pause", pause),
        ("resume", resume),
        ("cancel", cancel),
        ("retry-failed", retry_failed),
        ("report", report),
        ("test", send_test),
    ):
        issues_cli.app.command(name)(func)
    app.add_typer(confirmations_app, name="confirmations")
