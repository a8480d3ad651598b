"""Reading the ledger: counts per status, the failed recipients, the possibly sent ones."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter import issues
from newsletter.errors import NotFound
from newsletter.models import Delivery, Send, Subscriber

STATUSES = ("queued", "sending", "sent", "failed", "skipped")


def latest_send(session: Session, issue_id: int) -> Send:
    issues.get(session, issue_id)
    found = session.exec(
        select(Send).where(Send.issue_id == issue_id).order_by(col(Send.id).desc())
    ).first()
    if found is None:
        raise NotFound(f"issue {issue_id} has never been sent (use 'newsletter issues send')")
    return found


def status_counts(session: Session, send_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Delivery.status, sa.func.count())
        .where(Delivery.send_id == send_id)
        .group_by(Delivery.status)
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def report(session: Session, issue_id: int) -> dict[str, Any]:
    """Counts per status, failed recipients with reasons, and the possibly sent ones."""
    send = latest_send(session, issue_id)
    counts = status_counts(session, send.id or 0)
    rows = session.exec(
        select(Delivery, Subscriber.email)
        .join(Subscriber, col(Subscriber.id) == col(Delivery.subscriber_id), isouter=True)
        .where(Delivery.send_id == send.id, col(Delivery.status).in_(("failed", "sending")))
        .order_by(col(Delivery.id))
    ).all()

    def row(d: Delivery, email: str | None) -> dict[str, Any]:
        return {
            "email": email or "(erased)",
            "code": d.last_code,
            "reason": d.last_text,
            "attempts": d.attempts,
            "message_id": d.message_id,
        }

    return {
        "issue_id": issue_id,
        "send_id": send.id,
        "status": send.status,
        "pause_reason": send.pause_reason,
        "lists": send.lists,
        "started_at": send.started_at,
        "finished_at": send.finished_at,
        "total": sum(counts.values()),
        "counts": counts,
        "failed": [row(d, e) for d, e in rows if d.status == "failed"],
        # Handed over with no final answer: in flight now, or when a run was killed. Never
        # sent again automatically.
        "possibly_sent": [row(d, e) for d, e in rows if d.status == "sending"],
    }
