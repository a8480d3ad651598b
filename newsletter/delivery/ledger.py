"""The delivery ledger: one row per recipient of an issue, so nobody is lost or mailed twice.

A row moves ``queued`` → ``sending`` → ``sent`` | ``failed`` | ``queued`` (retry later), or
``queued`` → ``skipped``. The move to ``sending`` is committed *before* the message is handed
over and only succeeds from ``queued``, so a row is sent at most once however many runners
there are. A row still ``sending`` when no run is active was in flight when a run died: it is
reported as "possibly sent" and never sent again.

One row per issue and person: a later send of the same issue leaves out whoever already has a
row, except the rows a cancelled send never attempted (``skipped`` by the cancel, or ``queued``):
those move to the new send, so the people the cancel stopped still get the issue, once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.audience import lists
from newsletter.compose import issues
from newsletter.core.config import Config
from newsletter.core.dbtypes import UTCDateTime
from newsletter.core.errors import StateError
from newsletter.core.models import (
    Delivery,
    EventLog,
    Issue,
    Send,
)
from newsletter.delivery.ledger_report import STATUSES, latest_send, report, status_counts
from newsletter.delivery.recipients import Audience, audience
from newsletter.delivery.retry import Step, backoff, next_step
from newsletter.delivery.send_checks import check_sendable
from newsletter.delivery.send_settings import message_settings

ACTIVE = ("running", "paused")
__all__ = [
    "ACTIVE",
    "STATUSES",
    "Audience",
    "Step",
    "active_send",
    "audience",
    "backoff",
    "cancel",
    "delivered_share",
    "finish",
    "latest_send",
    "next_step",
    "pause",
    "report",
    "resume",
    "requeue",
    "retry_failed",
    "set_paused",
    "start_send",
    "status_counts",
]


def active_send(session: Session, issue_id: int) -> Send | None:
    query = select(Send).where(Send.issue_id == issue_id, col(Send.status).in_(ACTIVE))
    return session.exec(query.order_by(col(Send.id).desc())).first()


def start_send(
    session: Session,
    issue_id: int,
    list_slugs: list[str],
    now: datetime,
    config: Config,
) -> Send:
    """Freeze the issue and write one queued delivery row per recipient.

    An edge of delivery: the configuration renders the issue (freezing) and gives the message
    settings, which are checked against the frozen subjects and the lists' names before any
    row is written (``send_checks``): a send that starts can make every shared part."""
    issue = issues.get(session, issue_id)
    if issue.status == "cancelled":
        raise StateError(
            f"issue {issue_id} was cancelled: to send it after all, edit it back to draft "
            "('newsletter issues edit'), submit and approve it again; whoever it already "
            "reached is left out"
        )
    running = active_send(session, issue_id)
    if running is not None:
        raise StateError(
            f"issue {issue_id} already has send {running.id} ({running.status}): "
            "use 'issues resume', 'issues pause' or 'issues cancel'"
        )
    settings = message_settings(config)
    found = audience(session, settings.secret, issue_id, list_slugs)
    if not found.recipients:  # sending to nobody would mark the issue sent for good
        raise StateError(
            f"issue {issue_id}: nobody to send to on {', '.join(list_slugs)} "
            f"(no confirmed subscribers left after {found.suppressed} suppressed, "
            f"{found.blocklisted} blocklisted and {found.already_sent} already sent); "
            "nothing was changed"
        )
    snapshots = issues.freeze(session, issue_id, now, config)
    mlists = lists.get_many(session, list_slugs)
    check_sendable(settings, issue_id, snapshots, mlists, now)
    languages = {s.language for s in snapshots}
    by_id = {m.id: m for m in mlists}
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
        # Their own edition, else the list's fallback language, else the issue's own.
        (issue_id, send.id, sid, lid, lists.edition_language(by_id.get(lid), lang, languages,
                                                             issue.language))
        for sid, lid, lang in found.recipients
    ]
    carried = found.carried_over
    insert_queued(session, [r for r in rows if r[2] not in carried], now)
    requeue(session, [(carried[r[2]], *r[1:]) for r in rows if r[2] in carried], now)
    moved = f" ({len(carried)} not reached by a cancelled send)" if carried else ""
    log_event(
        session,
        issue_id,
        now,
        "send_started",
        f"send {send.id}: {len(rows)} recipients queued{moved}; left out: {found.suppressed} "
        f"suppressed, {found.blocklisted} blocklisted, {found.already_sent} already sent",
    )
    return send


def requeue(
    session: Session, rows: list[tuple[int, int | None, int, int, str]], now: datetime
) -> None:
    """Move never-attempted rows of a cancelled send (row id, send, subscriber, list,
    language) to a new send, queued as if new: the row stays the person's one row for the
    issue, so nobody can get it twice."""
    if not rows:
        return
    table = Delivery.__table__  # type: ignore[attr-defined]
    stmt = (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("row_id"),
            # not IN (...): an expanding list cannot go through executemany
            sa.or_(table.c.status == "skipped", table.c.status == "queued"),
        )
        .values(
            send_id=sa.bindparam("new_send"),
            list_id=sa.bindparam("new_list"),
            language=sa.bindparam("new_language"),
            status="queued",
            attempts=0,
            last_code=None,
            last_text="",
            message_id=None,
            claimed_by=None,
            claimed_at=None,
            next_attempt_at=None,
            sent_at=None,
            queued_at=now,
            updated_at=now,
        )
    )
    params = [
        {"row_id": row_id, "new_send": send_id, "new_list": list_id, "new_language": language}
        for row_id, send_id, _, list_id, language in rows
    ]
    session.connection().execute(stmt, params)


def insert_queued(
    session: Session, rows: list[tuple[int, int | None, int, int, str]], now: datetime
) -> None:
    """Write queued rows (issue, send, subscriber, list, language) in the session's transaction.

    100,000 rows through the ORM or Core dictionaries take many seconds; a DB-API executemany
    with the statement compiled once takes well under one.
    """
    columns = (
        "issue_id",
        "send_id",
        "subscriber_id",
        "list_id",
        "language",
        "status",
        "attempts",
        "last_text",
        "queued_at",
        "updated_at",
    )
    table = Delivery.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    stmt = sa.insert(table).values({c: sa.bindparam(c) for c in columns})
    compiled = stmt.compile(dialect=conn.dialect)
    stamp = UTCDateTime().bind_processor(conn.dialect)
    t = stamp(now) if stamp else now
    if isinstance(t, datetime) and conn.dialect.name == "sqlite":
        t = t.isoformat(" ")  # what sqlite3 would write for it, once instead of per row
    params: list = [(*row, "queued", 0, "", t, t) for row in rows]
    if not compiled.positional:
        params = [dict(zip(columns, v, strict=True)) for v in params]
    elif list(compiled.positiontup or ()) != list(columns):
        order = [columns.index(name) for name in compiled.positiontup or ()]
        params = [tuple(v[i] for i in order) for v in params]
    cursor = conn.connection.cursor()
    try:
        for start in range(0, len(params), 10000):
            cursor.executemany(compiled.string, params[start : start + 10000])
    finally:
        cursor.close()


def log_event(
    session: Session, issue_id: int, now: datetime, event: str, message: str, level: str = "info"
) -> None:
    session.add(EventLog(at=now, level=level, issue_id=issue_id, event=event, message=message))


# --- Controlling a send --------------------------------------------------------------------


def _issue_and_latest_send(session: Session, issue_id: int) -> tuple[Issue, Send]:
    return issues.get(session, issue_id), latest_send(session, issue_id)


def pause(session: Session, issue_id: int, reason: str, now: datetime) -> Send:
    issue, send = _issue_and_latest_send(session, issue_id)
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
    message = f"send {send.id} paused: {reason}"
    log_event(session, send.issue_id, now, "send_paused", message, "warning")


def resume(session: Session, issue_id: int, now: datetime) -> Send:
    """Mark the latest send running again (after a pause, an error or a crash)."""
    issue, send = _issue_and_latest_send(session, issue_id)
    if send.status not in ("running", "paused", "failed"):
        raise StateError(f"send {send.id} of issue {issue_id} is {send.status}: nothing to resume")
    send.status, send.pause_reason, send.finished_at = "running", "", None
    session.add(send)
    if issue.status != "sending":
        issues.transition(session, issue_id, "sending", "sender", now, note="send resumed")
    return send


def cancel(session: Session, issue_id: int, now: datetime) -> int:
    """Stop for good: queued rows become skipped. Returns how many were skipped."""
    issue, send = _issue_and_latest_send(session, issue_id)
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
    log_event(session, issue_id, now, "send_cancelled", f"send {send.id} cancelled")
    return int(result.rowcount or 0)


def retry_failed(session: Session, issue_id: int, now: datetime) -> int:
    """Queue failed rows again (not hard bounces: those addresses are suppressed)."""
    issue, send = _issue_and_latest_send(session, issue_id)
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


def delivered_share(counts: dict[str, int]) -> float:
    """Sent over everyone the send tried (failed and possibly sent count as not delivered:
    most rows without a final reply were not; skipped people were never meant to get it)."""
    tried = counts["sent"] + counts["failed"] + counts["sending"]
    return counts["sent"] / tried if tried else 1.0


def finish(session: Session, send: Send, now: datetime, min_share: float = 0.0) -> str:
    """Close a send with nothing left to do; returns the send's new status.

    ``done`` and the issue ``sent`` when enough got through; ``failed`` (the issue too) when
    nothing did or less than ``min_share`` of those tried, with the reason: a send that lost
    most of its list is never reported a success. Failures and possibly-sent rows are logged
    as a warning either way, so ``status`` lists them among the last errors."""
    counts = status_counts(session, send.id or 0)
    share = delivered_share(counts)
    tried = counts["sent"] + counts["failed"] + counts["sending"]
    short = tried > 0 and (counts["sent"] == 0 or share < min_share)
    names = {"sending": "possibly sent"}
    summary = ", ".join(f"{v} {names.get(k, k)}" for k, v in counts.items())
    send.finished_at = now
    if short:
        send.status = "failed"
        send.pause_reason = (
            f"only {counts['sent']} of {tried} delivered ({share:.0%}, less than "
            f"sending.min_delivered_share {min_share:.0%}); see 'issues report', then "
            "'issues retry-failed' or 'issues requeue-possibly-sent'"
        )
    else:
        send.status = "done"
    session.add(send)
    issue = issues.get(session, send.issue_id)
    wanted = "failed" if short else "sent"
    if issue.status in ("sending", "paused", "failed") and issue.status != wanted:
        if issue.status != "sending":
            issues.transition(session, send.issue_id, "sending", "sender", now)
        issues.transition(session, send.issue_id, wanted, "sender", now, note="send finished")
    troubled = counts["failed"] or counts["sending"]
    level = "error" if short else "warning" if troubled else "info"
    text = f"send {send.id} {send.status}: {summary}"
    if short:
        text += f"; {send.pause_reason}"
    log_event(session, send.issue_id, now, "send_done" if not short else "send_failed", text,
              level)  # fmt: skip
    return send.status
