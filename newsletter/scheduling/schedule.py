"""When an issue goes out: parsing local times, and scheduling approved issues.

The database holds the schedule: the UTC instant, the zone it was given in and the target lists
(``Issue.scheduled_at``, ``schedule_tz``, ``schedule_lists``). The worker only asks which issues
are due; nothing about a schedule lives in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import Session, select

from newsletter.audience import lists
from newsletter.compose import issue_checks, issues
from newsletter.core import logs
from newsletter.core.config import Config
from newsletter.core.errors import StateError, UserError
from newsletter.core.models import Issue, IssueEvent
from newsletter.delivery import ledger
from newsletter.delivery.send_checks import check_sendable
from newsletter.delivery.send_settings import message_settings
from newsletter.rendering import checks

_AT = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
AT_HELP = 'a local time "YYYY-MM-DD HH:MM" (seconds and a UTC offset such as +02:00 optional)'


@dataclass(frozen=True)
class When:
    """A schedule time: the UTC instant and the zone the person gave it in."""

    utc: datetime
    tz: str

    @property
    def local(self) -> datetime:
        return self.utc.astimezone(zone(self.tz))

    def describe(self) -> str:
        return format_local(self.utc, self.tz)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone of that name, or a UserError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"unknown time zone '{name}': use an IANA name such as Europe/Istanbul or UTC"
        ) from None


def default_zone(config: Config) -> str:
    """The configured default zone, refused by its config key when it is not a known zone."""
    name = config.scheduler.timezone
    try:
        zone(name)
    except UserError as exc:
        raise UserError(f"scheduler.timezone: {exc}") from None
    return name


def format_local(instant: datetime, tz: str) -> str:
    """'2026-12-01 09:00 +03 (Europe/Istanbul)': the local wall time a person expects to see."""
    local = instant.astimezone(zone(tz))
    shown = f"{local:%Y-%m-%d %H:%M} {local:%Z}"
    return shown if local.tzname() == tz else f"{shown} ({tz})"


def _offset_text(value: timedelta | None) -> str:
    minutes = int((value or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _split(text: str) -> tuple[datetime, str | None]:
    match = _AT.match(text.strip())
    if match is None:
        raise UserError(f"--at '{text}': expected {AT_HELP}")
    time = match["time"] if len(match["time"].split(":")[0]) == 2 else "0" + match["time"]
    try:
        naive = datetime.fromisoformat(f"{match['date']}T{time}")
    except ValueError as exc:
        raise UserError(f"--at '{text}': {exc}") from None
    return naive, match["offset"]


def _resolve(text: str, naive: datetime, tz: ZoneInfo, name: str) -> datetime:
    """The one UTC instant a local wall time names in the zone, or a UserError."""
    first = naive.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise UserError(
            f"--at '{text}' does not exist in {name}: the clocks jump forward over it "
            "(daylight saving); choose a time outside the gap"
        )
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        options = " or ".join(
            f"'{naive:%Y-%m-%d %H:%M}{_offset_text(t.utcoffset())}'" for t in (first, second)
        )
        raise UserError(
            f"--at '{text}' happens twice in {name} (the clocks go back); "
            f"say which with a UTC offset: {options}"
        )
    return first.astimezone(UTC)


def _with_offset(text: str, naive: datetime, offset: str, tz: ZoneInfo, name: str) -> datetime:
    aware = datetime.fromisoformat(naive.isoformat() + ("+00:00" if offset == "Z" else offset))
    if aware.astimezone(tz).replace(tzinfo=None) != naive:
        used = naive.replace(tzinfo=tz).utcoffset()
        raise UserError(
            f"--at '{text}': {name} is not at UTC{_offset_text(aware.utcoffset())} then "
            f"(it is at UTC{_offset_text(used)})"
        )
    return aware.astimezone(UTC)


def parse_at(text: str, tz_name: str, now: datetime) -> When:
    """A future local time in the named zone as a UTC instant; clear errors for anything else."""
    tz = zone(tz_name)
    naive, offset = _split(text)
    if offset:
        instant = _with_offset(text, naive, offset, tz, tz_name)
    else:
        instant = _resolve(text, naive, tz, tz_name)
    if instant <= now:
        raise UserError(
            f"--at '{text}' ({tz_name}) is in the past: it is now "
            f"{now.astimezone(tz):%Y-%m-%d %H:%M:%S} there"
        )
    return When(instant, tz_name)


def is_missed(scheduled_at: datetime, now: datetime, grace_minutes: float) -> bool:
    """True when a due issue is later than the grace period allows to send it unattended."""
    return now - scheduled_at > timedelta(minutes=grace_minutes)


# --- Services: schedule, unschedule, reschedule, and what the worker asks ----------------------

_issues_table = Issue.__table__  # type: ignore[attr-defined]
_NEXT_STEP = {
    "draft": "submit and approve it first",
    "in_review": "approve it first",
    "scheduled": "use 'newsletter issues reschedule' to change its time",
    "missed": "use 'newsletter issues reschedule' to give it a new time",
}


def _target_lists(session: Session, slugs: list[str]) -> list[str]:
    if not slugs:
        raise UserError("--list: name at least one list to send the issue to")
    return [found.slug for found in lists.get_many(session, slugs)]


def _require_checks(session: Session, config: Config, issue_id: int) -> None:
    errors = checks.errors_of(issue_checks.check_issue(session, config, issue_id))
    if errors:
        first = "; ".join(f"{f.id}: {f.message}" for f in errors[:3])
        raise StateError(
            f"issue {issue_id} cannot be scheduled: {len(errors)} check error(s): {first} "
            "(see 'newsletter issues check')"
        )


def _require_sendable(
    session: Session, config: Config, issue_id: int, slugs: list[str], now: datetime
) -> None:
    """Refuse now what would stop the send at its time: a header value (the subject of an
    edition, the From name, a list's name...) no message can carry, or a broken setting."""
    snapshots = issues.freeze(session, issue_id, now, config)
    check_sendable(message_settings(config), issue_id, snapshots,
                   lists.get_many(session, slugs), now)  # fmt: skip


def _set(issue: Issue, when: When | None, slugs: list[str], now: datetime) -> None:
    issue.scheduled_at = when.utc if when else None
    issue.schedule_tz = when.tz if when else None
    issue.schedule_lists = slugs
    issue.updated_at = now


def schedule_issue(
    session: Session,
    config: Config,
    issue_id: int,
    list_slugs: list[str],
    at: str,
    tz: str | None,
    now: datetime,
    actor: str = "",
) -> Issue:
    """Schedule an approved issue that passes its checks; the content is frozen now, and
    refused when no message could be made of it (``send_checks``)."""
    issue = issues.get(session, issue_id)
    if issue.status != "approved":
        step = _NEXT_STEP.get(issue.status, "only an approved issue can be scheduled")
        raise StateError(f"issue {issue_id} is {issue.status}: {step}")
    when = parse_at(at, tz or default_zone(config), now)
    slugs = _target_lists(session, list_slugs)
    _require_checks(session, config, issue_id)
    _set(issue, when, slugs, now)
    note = f"for {when.describe()} to {', '.join(slugs)}"
    issues.transition(session, issue_id, "scheduled", actor, now, note=note)
    _require_sendable(session, config, issue_id, slugs, now)
    return issue


def unschedule_issue(session: Session, issue_id: int, now: datetime, actor: str = "") -> Issue:
    """Take a scheduled or missed issue off the schedule; it is approved again."""
    issue = issues.get(session, issue_id)
    if issue.status not in ("scheduled", "missed"):
        raise StateError(f"issue {issue_id} is {issue.status}: it is not scheduled")
    before = format_local(issue.scheduled_at, issue.schedule_tz) if issue.scheduled_at else "-"
    _set(issue, None, [], now)
    issues.transition(session, issue_id, "approved", actor, now, note=f"unscheduled (was {before})")
    return issue


def reschedule_issue(
    session: Session,
    config: Config,
    issue_id: int,
    at: str,
    tz: str | None,
    now: datetime,
    list_slugs: list[str] | None = None,
    actor: str = "",
) -> Issue:
    """A new time (in ``tz``, else the zone it was scheduled in) for a scheduled or missed issue."""
    issue = issues.get(session, issue_id)
    if issue.status not in ("scheduled", "missed"):
        hint = "use 'newsletter issues schedule'" if issue.status == "approved" else "it is not"
        raise StateError(f"issue {issue_id} is {issue.status}: {hint} scheduled")
    when = parse_at(at, tz or issue.schedule_tz or default_zone(config), now)
    slugs = _target_lists(session, list_slugs if list_slugs else list(issue.schedule_lists))
    _require_checks(session, config, issue_id)
    before = issue.status
    _set(issue, when, slugs, now)
    note = f"rescheduled for {when.describe()} to {', '.join(slugs)}"
    if before == "missed":
        issues.transition(session, issue_id, "scheduled", actor, now, note=note)
    else:  # scheduled stays scheduled: record the change in the history all the same
        session.add(IssueEvent(issue_id=issue_id, from_status=before, to_status="scheduled",
                               actor=actor, note=note, at=now))  # fmt: skip
    _require_sendable(session, config, issue_id, slugs, now)
    return issue


def due_issues(session: Session, now: datetime) -> list[Issue]:
    """Scheduled issues whose time has come, earliest first."""
    query = select(Issue).where(Issue.status == "scheduled", Issue.scheduled_at <= now)
    return list(session.exec(query.order_by(Issue.scheduled_at, Issue.id)))


def _take(session: Session, issue_id: int, now: datetime) -> bool:
    """Lock a due issue for this transaction; False if another worker already took it."""
    t = _issues_table
    stmt = (
        sa.update(t)
        .where(t.c.id == issue_id, t.c.status == "scheduled", t.c.scheduled_at <= now)
        .values(updated_at=now)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def begin_due(session: Session, config: Config, issue_id: int, now: datetime) -> str:
    """Start the send of a due issue, or mark it missed when too late: "started", "missed",
    or "" when another worker took it first."""
    if not _take(session, issue_id, now):
        return ""
    issue = issues.get(session, issue_id)
    due = format_local(issue.scheduled_at, issue.schedule_tz)  # type: ignore[arg-type]
    grace = config.scheduler.grace_minutes
    if is_missed(issue.scheduled_at, now, grace):  # type: ignore[arg-type]
        message = (
            f"issue {issue_id} was due {due} while no worker ran; more than {grace:g} min "
            "late, so it waits for a person ('issues send' or 'issues reschedule')"
        )
        issues.transition(session, issue_id, "missed", "worker", now, note=message)
        logs.record(session, "warning", "issue.missed", message, now, issue=issue_id)
        return "missed"
    send = ledger.start_send(session, issue_id, list(issue.schedule_lists), now, config)
    # The ledger keeps its own record of the start in the event log; this is the log line.
    logs.log("info", "send.started", f"send {send.id} of issue {issue_id} due {due} started",
             issue=issue_id, send=send.id)  # fmt: skip
    return "started"


def fail_start(session: Session, issue_id: int, reason: str, now: datetime) -> None:
    """A due issue that cannot start waits for a person, with the reason in the event log."""
    issue = issues.get(session, issue_id)
    message = f"issue {issue_id} could not start sending: {reason}"
    if issue.status == "scheduled":
        issues.transition(session, issue_id, "missed", "worker", now, note=message)
    logs.record(session, "error", "send.start_failed", message, now, issue=issue_id)
