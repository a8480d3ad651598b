"""Reading the ledger: counts per status and per language edition, failed recipients, possibly
sent ones (all sends)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.compose import issues
from newsletter.core.errors import NotFound
from newsletter.core.models import Delivery, Send, Subscriber, Subscription

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


def issue_counts(session: Session, issue_id: int) -> dict[int, dict[str, int]]:
    """Counts per status for each send of the issue, by send id."""
    rows = session.exec(
        select(Delivery.send_id, Delivery.status, sa.func.count())
        .where(Delivery.issue_id == issue_id)
        .group_by(Delivery.send_id, Delivery.status)
    ).all()
    found: dict[int, dict[str, int]] = {}
    for send_id, status, n in rows:
        found.setdefault(send_id or 0, dict.fromkeys(STATUSES, 0))[status] = n
    return found


def edition_counts(session: Session, issue_id: int, since: Any) -> dict[str, dict[str, int]]:
    """Per language edition: counts per status, and ``unsubscribed``: how many of those it was
    sent to have left the list it was sent for since ``since`` (the first send's start)."""
    found: dict[str, dict[str, int]] = {}
    rows = session.exec(
        select(Delivery.language, Delivery.status, sa.func.count())
        .where(Delivery.issue_id == issue_id)
        .group_by(Delivery.language, Delivery.status)
    ).all()
    for language, status, n in rows:
        found.setdefault(language, dict.fromkeys((*STATUSES, "unsubscribed"), 0))[status] = n
    left = session.exec(
        select(Delivery.language, sa.func.count())
        .join(
            Subscription,
            sa.and_(
                col(Subscription.subscriber_id) == col(Delivery.subscriber_id),
                col(Subscription.list_id) == col(Delivery.list_id),
            ),
        )
        .where(
            Delivery.issue_id == issue_id,
            Delivery.status == "sent",
            Subscription.status == "unsubscribed",
            col(Subscription.unsubscribed_at) >= since,
        )
        .group_by(Delivery.language)
    ).all()
    for language, n in left:
        found[language]["unsubscribed"] = n
    return dict(sorted(found.items()))


def _total(per_send: dict[int, dict[str, int]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for one in per_send.values():
        for status, n in one.items():
            counts[status] += n
    return counts


def _send(send: Send, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "send_id": send.id,
        "status": send.status,
        "pause_reason": send.pause_reason,
        "lists": send.lists,
        "started_at": send.started_at,
        "finished_at": send.finished_at,
        "total": sum(counts.values()),
        "counts": counts,
    }


def report(session: Session, issue_id: int) -> dict[str, Any]:
    """The issue across all its sends (the ledger is unique per issue and subscriber, so each
    person is counted once): counts per status, failed recipients with reasons, possibly sent.
    ``send_id``, ``status`` and ``pause_reason`` are those of the latest send."""
    latest = latest_send(session, issue_id)
    all_sends = session.exec(
        select(Send).where(Send.issue_id == issue_id).order_by(col(Send.id))
    ).all()
    per_send = issue_counts(session, issue_id)
    empty = dict.fromkeys(STATUSES, 0)
    counts = _total(per_send)
    rows = session.exec(
        select(Delivery, Subscriber.email)
        .join(Subscriber, col(Subscriber.id) == col(Delivery.subscriber_id), isouter=True)
        .where(Delivery.issue_id == issue_id, col(Delivery.status).in_(("failed", "sending")))
        .order_by(col(Delivery.id))
    ).all()

    def row(d: Delivery, email: str | None) -> dict[str, Any]:
        return {
            "email": email or "(erased)",
            "code": d.last_code,
            "reason": d.last_text,
            "attempts": d.attempts,
            "message_id": d.message_id,
            "send_id": d.send_id,
        }

    return {
        "issue_id": issue_id,
        "send_id": latest.id,
        "status": latest.status,
        "pause_reason": latest.pause_reason,
        "last_error": latest.last_error,
        "lists": list(dict.fromkeys(slug for s in all_sends for slug in s.lists)),
        "started_at": all_sends[0].started_at,
        "finished_at": latest.finished_at,
        "total": sum(counts.values()),
        "counts": counts,
        "sends": [_send(s, per_send.get(s.id or 0, dict(empty))) for s in all_sends],
        "editions": edition_counts(session, issue_id, all_sends[0].started_at),
        "failed": [row(d, e) for d, e in rows if d.status == "failed"],
        # Handed over with no final answer: in flight now, or when a run was killed. Never
        # sent again automatically.
        "possibly_sent": [row(d, e) for d, e in rows if d.status == "sending"],
    }
