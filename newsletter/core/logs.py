"""Structured log lines for the worker: ``time=… level=… issue=… event=… msg=…`` (logfmt).

One line per event, keys in a fixed order, values quoted only when needed, so journald, grep
and log shippers read them alike. Under systemd (``$JOURNAL_STREAM`` set) each line starts
with the ``<N>`` syslog priority prefix so ``journalctl -p err`` filters by level.
Notable events are also kept in the database (``EventLog``) for ``newsletter status``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any

from sqlmodel import Session

from newsletter.core.models import EventLog

LOGGER_NAME = "newsletter"
_PRIORITY = {"debug": 7, "info": 6, "warning": 4, "error": 3, "critical": 2}
_BARE = re.compile(r"^[A-Za-z0-9_.:/@+\-]+$")


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def quote(value: Any) -> str:
    """A logfmt value: bare when safe, else double-quoted with escapes (one line always)."""
    text = "" if value is None else str(value)
    if text and _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def level_name(levelno: int) -> str:
    return str(logging.getLevelName(levelno)).lower()


class StructuredFormatter(logging.Formatter):
    """Formats a record as ``time level issue event [fields…] msg``."""

    def __init__(self, journald: bool = False) -> None:
        super().__init__()
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        level = level_name(record.levelno)
        at = datetime.fromtimestamp(record.created, UTC)
        pairs: dict[str, Any] = {
            "time": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
            "level": level,
            "issue": getattr(record, "issue", None) or "-",
            "event": getattr(record, "event", None) or record.name,
        }
        pairs.update(getattr(record, "fields", None) or {})
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}: {self.formatException(record.exc_info)}"
        pairs["msg"] = message
        line = " ".join(f"{key}={quote(value)}" for key, value in pairs.items())
        return f"<{_PRIORITY.get(level, 6)}>{line}" if self.journald else line


def setup(verbose: bool = False, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record as one structured line to stderr; debug detail with ``verbose``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(StructuredFormatter(journald=bool(os.environ.get("JOURNAL_STREAM"))))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, StructuredFormatter)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # The libraries' own chatter (each wake-up, each SQL statement) is noise unless asked for.
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.ERROR)
    for name in ("sqlalchemy", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def detach(handler: logging.Handler) -> None:
    """Remove a handler ``setup`` added (the command that logged is done)."""
    logging.getLogger().removeHandler(handler)
    handler.flush()


def log(level: str, event: str, message: str = "", issue: int | None = None, **fields: Any) -> None:
    """Write one structured line through the ``newsletter`` logger."""
    extra = {"event": event, "issue": issue, "fields": fields}
    logger().log(logging.getLevelName(level.upper()), message, extra=extra)


def record(
    session: Session,
    level: str,
    event: str,
    message: str,
    now: datetime,
    issue: int | None = None,
    **fields: Any,
) -> EventLog:
    """Log the event and keep it in the database, where ``newsletter status`` shows it."""
    log(level, event, message, issue=issue, **fields)
    return store(session, level, event, message, now, issue)


def store(
    session: Session, level: str, event: str, message: str, now: datetime, issue: int | None = None
) -> EventLog:
    """Keep an event in the database only (the caller has logged it already)."""
    row = EventLog(at=now, level=level, issue_id=issue, event=event, message=message)
    session.add(row)
    return row


class ProgressLog:
    """A sender progress callback that logs at most every ``every`` seconds (it is called often).

    It reads ``done_before``, ``handled``, ``total``, ``sent``, ``failed`` and ``rate`` (per
    second) from the progress object the sender passes.
    """

    def __init__(self, send_id: int, issue_id: int | None, every: float = 30.0) -> None:
        self.send_id, self.issue_id, self.every = send_id, issue_id, every
        self.last = time.monotonic()

    def __call__(self, p: Any) -> None:
        if time.monotonic() - self.last < self.every:
            return
        self.last = time.monotonic()
        done = p.done_before + p.handled
        log("info", "send.progress", f"{done}/{p.total} handled", issue=self.issue_id,
            send=self.send_id, sent=p.sent, failed=p.failed,
            per_minute=round(p.rate * 60))  # fmt: skip
