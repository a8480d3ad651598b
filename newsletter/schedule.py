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

from newsletter.errors import UserError

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
            f"--at '{text}' ({tz_name}) is in the past: it is now {format_local(now, tz_name)}"
        )
    return When(instant, tz_name)


def is_missed(scheduled_at: datetime, now: datetime, grace_minutes: float) -> bool:
    """True when a due issue is later than the grace period allows to send it unattended."""
    return now - scheduled_at > timedelta(minutes=grace_minutes)
