"""The delivery ledger: one row per recipient of an issue, so nobody is lost or mailed twice.

A row moves ``queued`` → ``sending`` → ``sent`` | ``failed`` | ``queued`` (retry later), or
``queued`` → ``skipped``. The move to ``sending`` is committed *before* the message is handed
over and only succeeds from ``queued``, so a row is sent at most once however many runners
there are. A row still ``sending`` when no run is active was in flight when a run died: it is
reported as "possibly sent" and never sent again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter import issues, lists
from newsletter.errors import NotFound, StateError, UserError
from newsletter.models import (
    Delivery,
    EventLog,
    Issue,
    Send,
    Subscriber,
    Subscription,
    Suppression,
)
from newsletter.suppression import hash_normalised
from newsletter.transports import Outcome

if TYPE_CHECKING:
    from newsletter.config import Config, SendingConfig

ACTIVE = ("running", "paused")
STATUSES = ("queued", "sending", "sent", "failed", "skipped")


@dataclass(frozen=True)
class Audience:
    """Who a send to these lists would reach, and who is left out and why."""

    recipients: list[tuple[int, int, str]]  # (subscriber id, list id, language)
    suppressed: int
    blocklisted: int
    already_sent: int


def _config(config: Config | None) -> Config:
    from newsletter.config import load_config

    return config or load_config()


def audience(session: Session, secret: str, issue_id: int, list_slugs: list[str]) -> Audience:
    """Confirmed subscribers of the lists, once each, minus suppressed and blocklisted ones."""
    mlists = lists.get_many(session, list_slugs)
    if not mlists:
        raise UserError("choose at least one list (--list SLUG)")
    order = {m.id: i for i, m in enumerate(mlists)}
    rows = session.exec(
        select(
            Subscriber.id,
            Subscriber.email,
            Subscriber.status,
            Subscriber.language,
            Subscription.list_id,
        )
        .join(Subscription, col(Subscription.subscriber_id) == col(Subscriber.id))
        .where(col(Subscription.list_id).in_(list(order)), Subscription.status == "confirmed")
        .order_by(col(Subscriber.id))
    ).all()
    done = set(
        session.exec(select(Delivery.subscriber_id).where(Delivery.issue_id == issue_id)).all()
    )
    hashes = set(session.exec(select(Suppression.email_hash)).all())
    chosen: dict[int, tuple[int, str]] = {}
    seen: set[int] = set()
    suppressed = blocked = already = 0
    for sub_id, email, status, language, list_id in rows:
        if sub_id in chosen:  # on several lists: the first list given names the link
            if order[list_id] < order[chosen[sub_id][0]]:
                chosen[sub_id] = (list_id, language)
            continue
        if sub_id in seen:
            continue
        seen.add(sub_id)
        if sub_id in done:
            already += 1
        elif status != "active":
            blocked += 1
        elif hash_normalised(secret, email) in hashes:
            suppressed += 1
        else:
            chosen[sub_id] = (list_id, language)
    recipients = [(sid, lid, lang) for sid, (lid, lang) in chosen.items()]
    return Audience(recipients, suppressed, blocked, already)


def active_send(session: Session, issue_id: int) -> Send | None:
    query = select(Send).where(Send.issue_id == issue_id, col(Send.status).in_(ACTIVE))
    return session.exec(query.order_by(col(Send.id).desc())).first()


def latest_send(session: Session, issue_id: int) -> Send:
    issues.get(session, issue_id)
    found = session.exec(
        select(Send).where(Send.issue_id == issue_id).order_by(col(Send.id).desc())
    ).first()
    if found is None:
        raise NotFound(f"issue {issue_id} has never been sent (use 'newsletter issues send')")
    return found


def start_send(
    session: Session,
    issue_id: int,
    list_slugs: list[str],
    now: datetime,
    config: Config | None = None,
) -> Send:
    """Freeze the issue and write one queued delivery row per recipient."""
    config = _config(config)
    issue = issues.get(session, issue_id)
    running = active_send(session, issue_id)
    if running is not None:
        raise StateError(
            f"issue {issue_id} already has send {running.id} ({running.status}): "
            "use 'issues resume', 'issues pause' or 'issues cancel'"
        )
    found = audience(session, config.secret_key, issue_id, list_slugs)
    snapshots = issues.freeze(session, issue_id, now, config)
    languages = {s.language for s in snapshots}
    if issue.status != "sending":
        issues.transition(session, issue_id, "sending", "sender", now, note="send started")
    send = Send(
        issue_id=issue_id,
        lists=list(dict.fromkeys(list_slugs)),
        status="running",
        created_at=now,
        started_at=now,
    )
    session.add(send)
    session.flush()
    rows = [
        {
            "issue_id": issue_id,
            "send_id": send.id,
            "subscriber_id": sid,
            "list_id": lid,
            "language": lang if lang in languages else issue.language,
            "status": "queued",
            "attempts": 0,
            "last_text": "",
            "queued_at": now,
            "updated_at": now,
        }
        for sid, lid, lang in found.recipients
    ]
    table = Delivery.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), 5000):
        session.connection().execute(sa.insert(table), rows[start : start + 5000])
    log(
        session,
        issue_id,
        now,
        "send_started",
        f"send {send.id}: {len(rows)} recipients queued; left out: {found.suppressed} "
        f"suppressed, {found.blocklisted} blocklisted, {found.already_sent} already sent",
    )
    return send


def log(
    session: Session, issue_id: int, now: datetime, event: str, message: str, level: str = "info"
) -> None:
    session.add(EventLog(at=now, level=level, issue_id=issue_id, event=event, message=message))


# --- Retries -------------------------------------------------------------------------------


def backoff(attempts: int, base: float, rand: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: base·2^(attempts-1), scaled by 0.5-1.5."""
    factor = (rand or random).uniform(0.5, 1.5)
    return timedelta(seconds=base * 2 ** max(0, attempts - 1) * factor)


@dataclass(frozen=True)
class Step:
    status: str
    next_attempt_at: datetime | None
    text: str


def next_step(
    outcome: Outcome, attempts: int, started: datetime | None, now: datetime, cfg: SendingConfig
) -> Step:
    """Where a row goes after an attempt: sent, failed, retried later, or left 'sending'."""
    text = outcome.text
    if outcome.status == "sent":
        return Step("sent", None, text)
    if outcome.status == "unknown":
        return Step("sending", None, text)
    if outcome.status == "permanent":
        return Step("failed", None, text)
    too_old = started is not None and now - started > timedelta(hours=cfg.retry_max_age_hours)
    if attempts >= cfg.max_attempts or too_old:
        why = f"{attempts} attempts" if not too_old else f"{cfg.retry_max_age_hours} hours"
        return Step("failed", None, f"gave up after {why}: {outcome.describe()}")
    return Step("queued", now + backoff(attempts, cfg.retry_base_seconds), text)


# --- Controlling a send --------------------------------------------------------------------


def _control(session: Session, issue_id: int) -> tuple[Issue, Send]:
    return issues.get(session, issue_id), latest_send(session, issue_id)


def pause(session: Session, issue_id: int, reason: str, now: datetime) -> Send:
    issue, send = _control(session, issue_id)
    if send.status != "running":
        raise StateError(f"send {send.id} of issue {issue_id} is {send.status}, not running")
    set_paused(session, send, reason, now)
    return send


def set_paused(session: Session, send: Send, reason: str, now: datetime) -> None:
    send.status, send.pause_reason = "paused", reason
    session.add(send)
    issue = issues.get(session, send.issue_id)
    if issue.status == "sending":
        issues.transition(session, send.issue_id, "paused", "sender", now, note=reason)
    log(session, send.issue_id, now, "send_paused", f"send {send.id} paused: {reason}", "warning")


def resume(session: Session, issue_id: int, now: datetime) -> Send:
    """Mark the latest send running again (after a pause, an error or a crash)."""
    issue, send = _control(session, issue_id)
    if send.status not in ("running", "paused", "failed"):
        raise StateError(f"send {send.id} of issue {issue_id} is {send.status}: nothing to resume")
    send.status, send.pause_reason, send.finished_at = "running", "", None
    session.add(send)
    if issue.status != "sending":
        issues.transition(session, issue_id, "sending", "sender", now, note="send resumed")
    return send


def cancel(session: Session, issue_id: int, now: datetime) -> int:
    """Stop for good: queued rows become skipped. Returns how many were skipped."""
    issue, send = _control(session, issue_id)
    if send.status not in ACTIVE:
        raise StateError(f"send {send.id} of issue {issue_id} is {send.status}: cannot cancel")
    send.status, send.finished_at = "cancelled", now
    session.add(send)
    table = Delivery.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        sa.update(table)
        .where(table.c.send_id == send.id, table.c.status == "queued")
        .values(status="skipped", last_text="send cancelled", updated_at=now)
    )
    if issue.status != "cancelled":
        issues.transition(session, issue_id, "cancelled", "sender", now, note="send cancelled")
    log(session, issue_id, now, "send_cancelled", f"send {send.id} cancelled")
    return int(result.rowcount or 0)


def retry_failed(session: Session, issue_id: int, now: datetime) -> int:
    """Queue failed rows again (not hard bounces: those addresses are suppressed)."""
    issue, send = _control(session, issue_id)
    if send.status == "cancelled":
        raise StateError(f"send {send.id} of issue {issue_id} was cancelled")
    table = Delivery.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        sa.update(table)
        .where(
            table.c.send_id == send.id,
            table.c.status == "failed",
            ~table.c.last_text.like("5.1.%"),
            ~table.c.last_text.like("% 5.1.%"),
        )
        .values(status="queued", attempts=0, next_attempt_at=None, updated_at=now)
    )
    count = int(result.rowcount or 0)
    if count and send.status != "running":
        send.status, send.pause_reason, send.finished_at = "running", "", None
        session.add(send)
        if issue.status in ("paused", "failed"):  # a sent issue stays sent: it went out
            issues.transition(session, issue_id, "sending", "sender", now, note="retry failed")
    return count


def finish(session: Session, send: Send, now: datetime) -> str:
    """Close a send with nothing left to do: done, and the issue sent (or failed)."""
    counts = status_counts(session, send.id or 0)
    send.status, send.finished_at = "done", now
    session.add(send)
    issue = issues.get(session, send.issue_id)
    wanted = "failed" if counts["failed"] and not counts["sent"] else "sent"
    if issue.status in ("sending", "paused", "failed") and issue.status != wanted:
        if issue.status != "sending":
            issues.transition(session, send.issue_id, "sending", "sender", now)
        issues.transition(session, send.issue_id, wanted, "sender", now, note="send finished")
    log(
        session,
        send.issue_id,
        now,
        "send_done",
        f"send {send.id} done: " + ", ".join(f"{v} {k}" for k, v in counts.items()),
    )
    return wanted


# --- Reading the ledger --------------------------------------------------------------------


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
