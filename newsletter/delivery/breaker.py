"""The circuit breaker of a send: when the server is in trouble, stop spending recipients.

A run of connection failures, unknown outcomes (no reply after the message data) or temporary
failures of *different* recipients says the server is in trouble, not the people: the send
pauses with the reason, the temporary failures of that run give their attempt back, and the
send resumes by itself after a backoff (the worker) or on ``issues resume``.

The state lives on the send row, so every worker sees it: ``pause_reason`` starts with
``REASON_PREFIX`` and ``last_error`` holds the trip record (how many trips in a row, when the
send may resume, the last error), written and read only here. ``Streak`` is the in-memory
counter of one run; it is pure apart from its lock.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsletter.delivery.transport import Outcome

REASON_PREFIX = "the mail server is in trouble"
CONNECTION = "connection failures"
UNKNOWN = "messages without a reply after the data"
TEMPORARY = "temporary failures"
MAX_FACTOR = 8  # the backoff doubles per trip in a row, up to this many times the base
_RECORD = re.compile(r"^circuit breaker trip (\d+), resumes at (\S+): ")


@dataclass(frozen=True)
class Trip:
    trips: int
    resume_at: datetime
    last: str


def record(trip: Trip) -> str:
    """The trip as the send's ``last_error``: readable by a person, parsed by ``parse``."""
    at = trip.resume_at.isoformat()
    return f"circuit breaker trip {trip.trips}, resumes at {at}: {trip.last}"[:1000]


def parse(text: str) -> Trip | None:
    match = _RECORD.match(text or "")
    if not match:
        return None
    try:
        at = datetime.fromisoformat(match.group(2))
    except ValueError:
        return None
    return Trip(int(match.group(1)), at, text[match.end() :])


def next_trip(previous: str, delivered_since: bool, now: datetime, base_seconds: float,
              last: str) -> Trip:  # fmt: skip
    """The trip after ``previous`` (the send's last_error): a trip in a row doubles the wait,
    one after messages got through starts again from the base."""
    before = parse(previous)
    trips = before.trips + 1 if before and not delivered_since else 1
    factor = min(2 ** (trips - 1), MAX_FACTOR)
    return Trip(trips, now + timedelta(seconds=base_seconds * factor), last)


def is_breaker_pause(pause_reason: str) -> bool:
    return pause_reason.startswith(REASON_PREFIX)


def reason(count: int, kinds: set[str], last: Outcome, resume_at: datetime) -> str:
    what = " or ".join(sorted(kinds))
    return (
        f"{REASON_PREFIX}: {count} {what} in a row, last: {last.describe()}; no recipient "
        f"spent an attempt on it. Resumes by itself at {resume_at:%Y-%m-%d %H:%M:%S} UTC "
        "(a worker), or now with 'issues resume'"
    )


def kind(outcome: Outcome) -> str:
    """Which kind of trouble an outcome is, or "" when the server answered properly."""
    if outcome.status == "unknown":
        return UNKNOWN
    if outcome.connection_failed:
        return CONNECTION
    if outcome.status == "temporary":
        return TEMPORARY
    return ""


@dataclass
class Streak:
    """Consecutive trouble in one run. Connection failures and unknown outcomes count each
    time; temporary failures count once per recipient (one person's greylisting is not an
    outage). ``attempts`` holds the attempts each row spent during the streak, to give back."""

    threshold: int
    hard: int = 0  # connection failures and unknown outcomes
    temporary: set[int] = field(default_factory=set)  # rows refused for now
    attempts: Counter[int] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, delivery_id: int, outcome: Outcome) -> bool:
        """Count one outcome; True when the breaker trips (the threshold is reached)."""
        what = kind(outcome)
        with self.lock:
            if not what:
                if outcome.status in ("sent", "permanent"):  # the server answers properly
                    self.hard, self.temporary, self.attempts, self.seen = 0, set(), Counter(), set()
                return False
            self.seen.add(what)
            if what == TEMPORARY:
                self.temporary.add(delivery_id)
            else:
                self.hard += 1
            if what != UNKNOWN:  # an unknown row stays "possibly sent": nothing to give back
                self.attempts[delivery_id] += 1
            return self.hard + len(self.temporary) >= self.threshold

    def refunds(self) -> dict[int, int]:
        """Row id -> attempts it spent on the trouble (they are given back)."""
        with self.lock:
            return dict(self.attempts)

    def kinds(self) -> set[str]:
        with self.lock:
            return set(self.seen)

    def __len__(self) -> int:
        with self.lock:
            return self.hard + len(self.temporary)
