"""The audit trail: who created, changed, submitted, approved, sent back, scheduled and sent
what, and when. Written by the service functions in the same transaction as the change, so a
change and its record land together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from newsletter.core.account_models import AuditEvent


def record(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    subject_id: int | None,
    now: datetime,
    note: str = "",
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=now,
        actor=actor or "",
        action=action,
        subject=subject,
        subject_id=subject_id or 0,
        note=note,
        details=details,
    )
    session.add(event)
    return event


def for_subject(session: Session, subject: str, subject_id: int) -> Sequence[AuditEvent]:
    """The trail of one thing, oldest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject == subject, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return session.exec(query).all()


def recent(session: Session, limit: int = 100, actor: str | None = None) -> Sequence[AuditEvent]:
    """The newest events first, of everyone or of one actor."""
    query = select(AuditEvent)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    return session.exec(query.order_by(AuditEvent.id.desc()).limit(limit)).all()  # type: ignore[union-attr]


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "subject_id": event.subject_id,
        "note": event.note,
        "details": event.details,
    }
