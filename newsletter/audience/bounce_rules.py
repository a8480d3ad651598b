"""What a bounce or a complaint does to a person (the `[bounces]` rules).

A hard bounce acts when the person has ``hard_threshold`` of them within the window (1 by
default: at once), soft bounces at ``soft_threshold`` (3 in 30 days by default): the person is
set to ``bounced`` and the address suppressed ("hard_bounce"), so no later send, import or
subscription form reaches it. A complaint always acts at once: ``complained``, unsubscribed from
every list (with consent records) and suppressed ("complaint"). The event is recorded by the
caller before this runs, so it counts itself. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from newsletter.audience import subscriptions, suppression
from newsletter.core.models import BounceEvent, Subscriber

KINDS = ("hard", "soft", "complaint")


@dataclass(frozen=True)
class Rules:
    hard_threshold: int = 1
    soft_threshold: int = 3
    window: timedelta = timedelta(days=30)


def apply(
    session: Session, secret: str, person: Subscriber, event: BounceEvent, rules: Rules
) -> str:
    """Act on ``event`` (already added to the session) and say what was done, in a few words."""
    if event.kind == "complaint":
        return _complaint(session, secret, person, event)
    threshold = rules.hard_threshold if event.kind == "hard" else rules.soft_threshold
    seen = _count(session, person.id or 0, event, rules.window)
    if seen < threshold:
        return f"{event.kind} {seen} of {threshold}"
    note = f"{seen} {event.kind} bounce(s) within {rules.window.days} days"
    if person.status == "active":
        person.status, person.updated_at = "bounced", event.created_at
        session.add(person)
    suppression.add_hash(
        session, suppression.hash_normalised(secret, person.email), "hard_bounce",
        event.created_at, note,
    )  # fmt: skip
    return f"{person.status}, suppressed ({note})"


def _complaint(session: Session, secret: str, person: Subscriber, event: BounceEvent) -> str:
    now = event.created_at
    # Suppress first: unsubscribe() would suppress as "unsubscribed", and the first reason stays.
    digest = suppression.hash_normalised(secret, person.email)
    suppression.add_hash(session, digest, "complaint", now, f"feedback report: {event.code}")
    left = subscriptions.unsubscribe(session, secret, person.id or 0, None, "complaint", now)
    if person.status in ("active", "bounced"):
        person.status, person.updated_at = "complained", now
        session.add(person)
    return f"complained, unsubscribed from {len(left)} list(s), suppressed"


def _count(session: Session, subscriber_id: int, event: BounceEvent, window: timedelta) -> int:
    session.flush()
    table = BounceEvent.__table__
    query = sa.select(sa.func.count()).where(
        table.c.subscriber_id == subscriber_id,
        table.c.kind == event.kind,
        table.c.at > event.at - window,
        table.c.at <= event.at,
    )
    return int(session.connection().scalar(query) or 0)
