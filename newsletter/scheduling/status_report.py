"""`newsletter status`: what is scheduled, what is sending, what needs a person, what went wrong
(including confirmation emails that fail).

``collect`` reads the database once into plain data (the ``--json`` output); ``format_text``
turns that into the lines a person reads. Local times use each schedule's own zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.core.config import SchedulerConfig
from newsletter.core.models import Delivery, EventLog, Issue, Send, WorkerHeartbeat
from newsletter.delivery import confirmations
from newsletter.scheduling.schedule import format_local

RATE_WINDOW = timedelta(minutes=5)
DELIVERY_STATES = ("queued", "sending", "sent", "failed", "skipped")
MISSED_HINT = (
    "    to decide: send now with 'newsletter issues send {issue} --list {lists}', or pick a "
    "new time with 'newsletter issues reschedule {issue} --at \"YYYY-MM-DD HH:MM\"'"
)


def _ago(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds < 90:
        text = f"{seconds}s"
    elif seconds < 90 * 60:
        text = f"{seconds // 60}m"
    elif seconds < 48 * 3600:
        text = f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    else:
        text = f"{seconds // 86400}d"
    return f"in {text}" if delta.total_seconds() < 0 else f"{text} ago"


def _issue_time(issue: Issue, scheduler: SchedulerConfig, now: datetime) -> dict[str, Any]:
    tz = issue.schedule_tz or scheduler.timezone
    at = issue.scheduled_at
    return {
        "issue": issue.id,
        "title": issue.title,
        "lists": list(issue.schedule_lists or []),
        "at": at,
        "timezone": tz,
        "local": format_local(at, tz) if at else None,
        "when": _ago(now - at) if at else None,
    }


def _issues(session: Session, status: str) -> list[Issue]:
    query = select(Issue).where(Issue.status == status)
    return list(session.exec(query.order_by(Issue.scheduled_at, Issue.id)))


def _counts(session: Session, send_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Delivery.status, sa.func.count())
        .where(Delivery.send_id == send_id)
        .group_by(Delivery.status)
    ).all()
    counts = dict.fromkeys(DELIVERY_STATES, 0) | {status: n for status, n in rows}
    counts["total"] = sum(n for status, n in counts.items() if status in DELIVERY_STATES)
    return counts


def _rate(session: Session, send: Send, now: datetime) -> float:
    """Messages per minute over the last few minutes (or since the send started, if sooner)."""
    since = max(now - RATE_WINDOW, send.started_at or send.created_at)
    sent = session.exec(
        select(sa.func.count()).where(
            Delivery.send_id == send.id, Delivery.status == "sent", Delivery.sent_at >= since
        )
    ).one()
    minutes = max((now - since).total_seconds() / 60, 1 / 60)
    return round(sent / minutes, 1)


def _send(session: Session, send: Send, now: datetime) -> dict[str, Any]:
    issue = session.get(Issue, send.issue_id)
    counts = _counts(session, send.id)  # type: ignore[arg-type]
    rate = _rate(session, send, now) if send.status == "running" else 0.0
    left = counts["queued"] + counts["sending"]
    held = send.lease_owner if send.lease_expires_at and send.lease_expires_at >= now else None
    return {
        "send": send.id,
        "issue": send.issue_id,
        "title": issue.title if issue else "",
        "lists": list(send.lists or []),
        "status": send.status,
        "pause_reason": send.pause_reason,
        "counts": counts,
        "rate_per_minute": rate,
        "eta_minutes": round(left / rate, 1) if rate and left else None,
        "worker": held,
        "started_at": send.started_at,
        "last_error": send.last_error,
    }


def _workers(session: Session, scheduler: SchedulerConfig, now: datetime) -> list[dict[str, Any]]:
    # A worker that has not beaten for a lease period (or three polls) is presumed gone.
    limit = timedelta(seconds=max(scheduler.lease_seconds, 3 * scheduler.poll_seconds))
    rows = session.exec(select(WorkerHeartbeat).order_by(WorkerHeartbeat.started_at)).all()
    return [
        {
            "owner": w.owner,
            "hostname": w.hostname,
            "pid": w.pid,
            "state": w.state if now - w.seen_at <= limit else "not responding",
            "send": w.send_id,
            "started_at": w.started_at,
            "seen": _ago(now - w.seen_at),
        }
        for w in rows
    ]


def _errors(session: Session, limit: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(EventLog)
        .where(EventLog.level.in_(("warning", "error", "critical")))  # type: ignore[attr-defined]
        .order_by(EventLog.at.desc(), EventLog.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
    ).all()
    return [
        {"at": e.at, "level": e.level, "issue": e.issue_id, "event": e.event, "message": e.message}
        for e in rows
    ]


def collect(
    session: Session, scheduler: SchedulerConfig, now: datetime, errors: int = 10
) -> dict[str, Any]:
    """Everything `newsletter status` shows, as plain data (``[scheduler]`` gives the default
    zone and how long a silent worker counts as alive)."""
    sends = session.exec(
        select(Send).where(Send.status.in_(("running", "paused"))).order_by(Send.id)  # type: ignore[attr-defined]
    ).all()
    shown = [_send(session, s, now) for s in sends]
    # A send that delivered nothing (or too little) stays listed until its issue is acted on.
    failed = session.exec(
        select(Send)
        .join(Issue, col(Issue.id) == col(Send.issue_id))
        .where(Send.status == "failed", Issue.status == "failed")
        .order_by(col(Send.id))
    ).all()
    return {
        "now": now,
        "timezone": scheduler.timezone,
        "workers": _workers(session, scheduler, now),
        "scheduled": [_issue_time(i, scheduler, now) for i in _issues(session, "scheduled")],
        "sending": [s for s in shown if s["status"] == "running"],
        "paused": [s for s in shown if s["status"] == "paused"]
        + [
            _issue_time(i, scheduler, now)
            for i in _issues(session, "paused")
            if not any(s["issue"] == i.id for s in shown)
        ],
        "missed": [_issue_time(i, scheduler, now) for i in _issues(session, "missed")],
        "failed": [_send(session, s, now) for s in failed],
        "confirmations": confirmations.failing(session),
        "errors": _errors(session, errors),
    }


# --- text output -------------------------------------------------------------------------------


def _lists(item: dict[str, Any]) -> str:
    return ", ".join(item["lists"]) or "no lists"


def _send_line(s: dict[str, Any]) -> str:
    c = s["counts"]
    parts = [f"{c['sent']}/{c['total']} sent"]
    parts += [f"{c[k]} {k}" for k in ("failed", "skipped") if c[k]]
    if c["sending"] and s["status"] != "running":  # while running, some are on the wire
        parts.append(f"{c['sending']} POSSIBLY SENT (see 'issues requeue-possibly-sent')")
    if s["status"] == "running":
        parts.append(f"{s['rate_per_minute']:g}/min")
        if s["eta_minutes"] is not None:
            parts.append(f"about {s['eta_minutes']:g} min left")
        parts.append(f"worker {s['worker']}" if s["worker"] else "waiting for a worker")
    else:
        parts.append(f"{s['status']}: {s['pause_reason'] or 'no reason given'}")
    if s["last_error"]:
        parts.append(f"last error: {_first_line(s['last_error'])}")
    return f"  send {s['send']}: issue {s['issue']} “{s['title']}” to {_lists(s)}: " + ", ".join(
        parts
    )


def _issue_line(i: dict[str, Any], verb: str) -> str:
    when = f"{verb} {i['local']} ({i['when']})" if i["local"] else "no time set"
    return f"  issue {i['issue']} “{i['title']}” to {_lists(i)}, {when}"


def _first_line(text: str, limit: int = 200) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _section(title: str, lines: list[str]) -> list[str]:
    return [f"{title}: none"] if not lines else [f"{title} ({len(lines)}):", *lines]


def _confirmation_lines(report: dict[str, Any]) -> list[str]:
    lines = []
    for job in report["confirmations"]["failing"]:
        tries = f"{job['attempts']} attempt{'s' if job['attempts'] != 1 else ''}"
        state = f"failed after {tries}" if job["status"] == "failed" else f"retrying ({tries})"
        lines.append(f"  {job['email']} ({job['list']}): {state}: {_first_line(job['reason'])}")
    return lines


def format_text(report: dict[str, Any]) -> str:
    """The report as lines for a terminal."""
    workers = [
        f"  {w['owner']} {w['state']}, seen {w['seen']}"
        + (f", on send {w['send']}" if w["send"] else "")
        for w in report["workers"]
    ]
    paused = [_send_line(p) if "send" in p else _issue_line(p, "was due") for p in report["paused"]]
    missed = [  # each with the two commands that settle it, ready to copy
        _issue_line(m, "was due")
        + "\n"
        + MISSED_HINT.format(issue=m["issue"], lists=",".join(m["lists"]) or "SLUG")
        for m in report["missed"]
    ]
    errors = [
        f"  {e['at']:%Y-%m-%d %H:%M:%S} UTC {e['level']} "
        + (f"issue {e['issue']} " if e["issue"] else "")
        + f"{e['event']}: {_first_line(e['message'])}"
        for e in report["errors"]
    ]
    lines = [
        *_section("Workers", workers),
        *_section("Scheduled", [_issue_line(i, "at") for i in report["scheduled"]]),
        *_section("Sending", [_send_line(s) for s in report["sending"]]),
        *_section("Paused", paused),
        *_section("Missed", missed),
        *_section("Failed", [_send_line(f) for f in report["failed"]]),
        *_section("Confirmation emails not sent", _confirmation_lines(report)),
        *_section("Last errors", errors),
    ]
    return "\n".join(lines)
