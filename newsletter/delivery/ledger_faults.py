"""The ledger under faults: the breaker's pause and its resumption, and the possibly-sent rows.

``trip`` pauses a send whose server is in trouble (breaker.py) and gives the temporary
failures of that run their attempt back; ``resume_due`` is the worker's half, resuming the
sends whose backoff is over. ``requeue_possibly_sent`` is a person's remedy for rows left
``sending`` (no reply after the data, or a killed run): most were never delivered, but some
may have been, so it is never done without asking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.compose import issues
from newsletter.core.errors import StateError
from newsletter.core.models import Delivery, Send
from newsletter.delivery import breaker
from newsletter.delivery.ledger import latest_send, log_event, set_paused
from newsletter.delivery.transport import Outcome

_deliveries = Delivery.__table__  # type: ignore[attr-defined]


def trip(
    session: Session,
    send: Send,
    last: Outcome,
    streak: breaker.Streak,
    delivered_since: bool,
    now: datetime,
    backoff_seconds: float,
) -> str:
    """Pause the send with the breaker's reason and record the trip on the send row; the
    streak's temporary failures get their attempt back (and any it made give up, its row)."""
    refunds = streak.refunds()
    if refunds:
        table = _deliveries
        stmt = (
            sa.update(table)
            .where(
                table.c.id == sa.bindparam("row_id"),
                table.c.send_id == send.id,
                # not IN (...): an expanding list cannot go through executemany
                sa.or_(table.c.status == "queued", table.c.status == "failed"),
            )
            .values(
                status="queued",
                attempts=sa.case(
                    (
                        table.c.attempts > sa.bindparam("spent"),
                        table.c.attempts - sa.bindparam("spent"),
                    ),
                    else_=0,
                ),
                next_attempt_at=None,
                updated_at=now,
            )
        )
        params = [{"row_id": i, "spent": n} for i, n in refunds.items()]
        session.connection().execute(stmt, params)
    found = breaker.next_trip(
        send.last_error, delivered_since, now, backoff_seconds, last.describe()
    )
    reason = breaker.reason(len(streak), streak.kinds(), last, found.resume_at)
    send.last_error = breaker.record(found)
    set_paused(session, send, reason, now)
    return reason


def resume_due(session: Session, now: datetime) -> list[int]:
    """Resume the sends the breaker paused whose backoff is over (the worker then runs them).

    Only a pause the breaker made: a person's pause, or a send paused again by hand after the
    trip, has another reason and waits for that person."""
    resumed = []
    paused = session.exec(select(Send).where(Send.status == "paused")).all()
    for send in paused:
        found = breaker.parse(send.last_error)
        if not breaker.is_breaker_pause(send.pause_reason) or found is None:
            continue
        if found.resume_at > now:
            continue
        send.status, send.pause_reason = "running", ""
        session.add(send)
        if issues.get(session, send.issue_id).status != "sending":
            issues.transition(
                session,
                send.issue_id,
                "sending",
                "sender",
                now,
                note="resumed after the circuit breaker's backoff",
            )
        log_event(
            session,
            send.issue_id,
            now,
            "send_resumed",
            f"send {send.id} resumed after the circuit breaker's backoff (trip {found.trips})",
        )
        resumed.append(send.id or 0)
    return resumed


def possibly_sent_ids(
    session: Session, issue_id: int, now: datetime, older_than: timedelta | None = None
) -> list[int]:
    """Rows of the latest send left ``sending`` (and, with ``older_than``, for that long)."""
    send = latest_send(session, issue_id)
    query = select(Delivery.id).where(Delivery.send_id == send.id, Delivery.status == "sending")
    if older_than is not None:
        query = query.where(col(Delivery.updated_at) <= now - older_than)
    return [i for i in session.exec(query.order_by(col(Delivery.id))).all() if i is not None]


def requeue_possibly_sent(
    session: Session, issue_id: int, now: datetime, older_than: timedelta | None = None
) -> int:
    """Queue possibly-sent rows again and mark the send running; returns how many.

    Refused while the send is running: a row ``sending`` then may be on the wire right now."""
    send = latest_send(session, issue_id)
    if send.status == "cancelled":
        raise StateError(f"send {send.id} of issue {issue_id} was cancelled")
    if send.status == "running":
        raise StateError(
            f"send {send.id} of issue {issue_id} is running: its rows marked sending may be "
            "on the wire now; pause it first ('issues pause')"
        )
    ids = possibly_sent_ids(session, issue_id, now, older_than)
    if not ids:
        return 0
    session.connection().execute(
        sa.update(_deliveries)
        .where(_deliveries.c.id.in_(ids), _deliveries.c.status == "sending")
        .values(
            status="queued",
            next_attempt_at=None,
            claimed_by=None,
            updated_at=now,
            last_text="requeued by hand after no final reply (possibly sent)",
        )
    )
    send.status, send.pause_reason, send.finished_at = "running", "", None
    session.add(send)
    issue = issues.get(session, issue_id)
    if issue.status in ("paused", "failed"):  # a sent issue stays sent: most of it went out
        issues.transition(
            session, issue_id, "sending", "sender", now, note="possibly-sent recipients requeued"
        )
    log_event(
        session,
        issue_id,
        now,
        "send_requeued",
        f"send {send.id}: {len(ids)} possibly-sent recipients queued again by hand; "
        "some may get the issue twice",
        "warning",
    )
    return len(ids)
