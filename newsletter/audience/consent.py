"""Consent records: an append-only log proving who agreed to what, when, where and how.

Records are only ever added here; nothing updates them. They are deleted only when the person
is erased (GDPR art. 17 / KVKK art. 7).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from newsletter.core.models import ConsentRecord

EVENTS = ("subscribed", "confirmed", "imported", "unsubscribed", "preferences_changed", "erased")


def record(
    session: Session,
    *,
    event: str,
    now: datetime,
    subscriber_id: int | None,
    list_id: int | None = None,
    source: str = "",
    ip: str | None = None,
    user_agent: str | None = None,
    consent_text: str | None = None,
    consent_version: str | None = None,
    details: dict[str, Any] | None = None,
) -> ConsentRecord:
    if event not in EVENTS:
        raise ValueError(f"unknown consent event {event!r}")
    entry = ConsentRecord(
        subscriber_id=subscriber_id,
        list_id=list_id,
        event=event,
        source=source,
        ip=ip,
        user_agent=user_agent,
        consent_text=consent_text,
        consent_version=consent_version,
        details=details or {},
        at=now,
    )
    session.add(entry)
    return entry


def row(
    *,
    event: str,
    now: datetime,
    subscriber_id: int,
    list_id: int | None,
    source: str,
    consent_text: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A record as a plain dict, for bulk inserts (imports)."""
    return {
        "subscriber_id": subscriber_id,
        "list_id": list_id,
        "event": event,
        "source": source,
        "ip": None,
        "user_agent": None,
        "consent_text": consent_text,
        "consent_version": None,
        "details": details or {},
        "at": now,
    }


def history(session: Session, subscriber_id: int) -> list[ConsentRecord]:
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.subscriber_id == subscriber_id)
        .order_by(ConsentRecord.at, ConsentRecord.id)
    )
    return list(session.exec(query))
