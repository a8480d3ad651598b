"""Commands of the scheduling capability: `issues schedule|unschedule|reschedule`, `worker`,
`status`. They parse input, call the services in newsletter.schedule / worker / status, and print.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import asdict
from typing import Any

import typer

from newsletter.cli.common import JSON_OPTION, print_json, state
from newsletter.core import logs
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.models import Issue
from newsletter.scheduling import schedule, status_report

ISSUE_ARG = typer.Argument(
    ..., metavar="ISSUE", help="The issue number (see 'newsletter issues list')."
)
AT_OPTION = typer.Option(
    ...,
    "--at",
    metavar="TIME",
    help='Local send time, "YYYY-MM-DD HH:MM" (e.g. "2026-12-01 09:00").',
)
TZ_OPTION = typer.Option(
    None,
    "--tz",
    metavar="ZONE",
    help="IANA time zone of --at, e.g. Europe/Istanbul (default: [scheduler] timezone).",
)
ACTOR_OPTION = typer.Option(
    None, "--by", metavar="NAME", help="Who is doing this, for the issue's history (default: you)."
)


def _actor(given: str | None) -> str:
    """--by, else the configured editor name, else the login name (as the compose commands)."""
    if given:
        return given
    configured = state().config.library.editor
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER", "cli")


def _split_lists(values: list[str] | None) -> list[str]:
    """--list a --list b and --list a,b both work."""
    return [s.strip() for v in values or [] for s in v.split(",") if s.strip()]


def _as_dict(issue: Issue) -> dict[str, Any]:
    tz = issue.schedule_tz
    return {
        "issue": issue.id,
        "title": issue.title,
        "status": issue.status,
        "scheduled_at": issue.scheduled_at,
        "timezone": tz,
        "local": schedule.format_local(issue.scheduled_at, tz)
        if issue.scheduled_at and tz
        else None,
        "lists": list(issue.schedule_lists or []),
    }


def _report(issue: Issue, as_json: bool, what: str) -> None:
    if as_json:
        print_json(_as_dict(issue))
        return
    if issue.status == "scheduled":
        when = schedule.format_local(issue.scheduled_at, issue.schedule_tz)  # type: ignore[arg-type]
        lists = ", ".join(issue.schedule_lists)
        typer.echo(f"issue {issue.id} {what} for {when} to {lists}")
    else:
        typer.echo(f"issue {issue.id} {what}: it is {issue.status} again")


def schedule_cmd(
    issue: int = ISSUE_ARG,
    list_slugs: list[str] = typer.Option(
        ...,
        "--list",
        "-l",
        metavar="SLUG",
        help="A list to send to (repeat, or separate with commas).",
    ),
    at: str = AT_OPTION,
    tz: str | None = TZ_OPTION,
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Schedule an approved issue that passes 'issues check' to go out at a local time.

    Example: newsletter issues schedule 12 --list ortaklar --at "2026-12-01 09:00"
    --tz Europe/Istanbul. The running 'newsletter worker' sends it then.
    """
    st = state()
    with st.session() as session:
        found = schedule.schedule_issue(
            session, st.config, issue, _split_lists(list_slugs), at, tz, utcnow(), _actor(actor)
        )
    _report(found, as_json, "scheduled")


def unschedule_cmd(
    issue: int = ISSUE_ARG, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Take a scheduled (or missed) issue off the schedule; it stays approved."""
    st = state()
    with st.session() as session:
        found = schedule.unschedule_issue(session, issue, utcnow(), _actor(actor))
    _report(found, as_json, "unscheduled")


def reschedule_cmd(
    issue: int = ISSUE_ARG,
    at: str = AT_OPTION,
    tz: str | None = TZ_OPTION,
    list_slugs: list[str] | None = typer.Option(
        None,
        "--list",
        "-l",
        metavar="SLUG",
        help="Send to these lists instead (default: the same lists).",
    ),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Move a scheduled or missed issue to a new local time (and optionally other lists)."""
    st = state()
    with st.session() as session:
        found = schedule.reschedule_issue(
            session,
            st.config,
            issue,
            at,
            tz,
            utcnow(),
            _split_lists(list_slugs) or None,
            _actor(actor),
        )
    _report(found, as_json, "rescheduled")


def worker_cmd(
    once: bool = typer.Option(
        False, "--once", help="Do one round of due work (sends, confirmations) and exit."
    ),
    poll: float | None = typer.Option(
        None,
        "--poll",
        min=0.05,
        metavar="SECONDS",
        help="Seconds between wake-ups (default: config).",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug lines in the log."),
    as_json: bool = typer.Option(False, "--json", help="With --once: print what it did as JSON."),
) -> None:
    """Run the worker: sends scheduled issues at their time, resumes interrupted sends and sends
    confirmation emails. Stop it with SIGTERM or Ctrl-C: it finishes the messages in flight,
    records its progress and exits 0. Run it as a systemd service (docs/scheduling.md).
    """
    from newsletter.scheduling.worker import Worker

    if as_json and not once:
        raise UserError("--json needs --once: a running worker reports through its log lines")
    st = state()
    handler = logs.setup(verbose=verbose or st.verbose)
    try:
        worker = Worker(st.engine, st.config, poll_seconds=poll)
        if not once:
            worker.run()
            return
        report = worker.tick()
        worker.shutdown()
    finally:
        logs.detach(handler)
    if as_json:
        print_json(asdict(report))
        return
    typer.echo(
        f"started {len(report.started)} send(s), ran {len(report.ran)}, "
        f"marked {len(report.missed)} missed, {len(report.failed)} failed to start, "
        f"sent {report.confirmations} confirmation(s)"
        + (f", {report.confirmations_not_sent} not sent" if report.confirmations_not_sent else "")
    )


def status_cmd(
    errors: int = typer.Option(
        10, "--errors", min=0, metavar="N", help="How many recent errors to show."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show scheduled issues (local times), sends in progress with counts and rate, paused and
    missed issues, the workers, and the last errors and warnings."""
    st = state()
    with st.session() as session:
        report = status_report.collect(session, st.config.scheduler, utcnow(), errors=errors)
    if as_json:
        print_json(report)
    else:
        typer.echo(status_report.format_text(report))


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the root app and the `issues` group."""
    from newsletter.cli import issues

    issues.app.command("schedule")(schedule_cmd)
    issues.app.command("unschedule")(unschedule_cmd)
    issues.app.command("reschedule")(reschedule_cmd)
    app.command("worker")(worker_cmd)
    app.command("status")(status_cmd)
