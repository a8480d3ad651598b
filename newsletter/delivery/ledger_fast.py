"""The ledger's hot path: two single-row statements per message on a plain DB-API connection.

Each sender thread owns one of these. The statements are compiled once by SQLAlchemy for the
engine's dialect (so they stay portable) and run on the raw driver connection: the ORM's
per-statement overhead, and every extra round trip into the database (each one lets the other
threads take the interpreter lock), would cost more than building the message.

Marking a row ``sending`` is one conditional UPDATE that also checks, in the same statement,
that the person is still subscribed, not blocklisted and not suppressed: the check and the
mark cannot be separated by an unsubscribe. Each statement commits on its own (SQLite
autocommit; an explicit commit elsewhere), before the message leaves.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsletter.audience import suppression
from newsletter.core.dbtypes import UTCDateTime

_FINISH = (
    "UPDATE deliveries SET status=:status, last_code=:code, last_text=:text, "
    "sent_at=:sent_at, next_attempt_at=:next, updated_at=:now WHERE id=:id AND status='sending'"
)
_SKIP = (
    "UPDATE deliveries SET status=:status, last_text=:text, updated_at=:now "
    "WHERE id=:id AND send_id=:send AND status='queued'"
)


def _wanted(list_ids: list[int]) -> str:
    """SQL true while the subscriber may be mailed (list ids are integers from the database)."""
    ids = ", ".join(str(int(i)) for i in list_ids) or "NULL"
    return (
        "EXISTS (SELECT 1 FROM subscribers s WHERE s.id = :sid AND s.status = 'active') "
        "AND EXISTS (SELECT 1 FROM subscriptions c WHERE c.subscriber_id = :sid "
        f"AND c.status = 'confirmed' AND c.list_id IN ({ids})) "
        "AND NOT EXISTS (SELECT 1 FROM suppressions p WHERE p.email_hash = :hash)"
    )


def _begin_sql(list_ids: list[int]) -> str:
    # send_id too: a row moved on to a later send (after a cancel) is never sent by the old run.
    return (
        "UPDATE deliveries SET status='sending', attempts=attempts+1, claimed_by=:owner, "
        "claimed_at=:now, message_id=:mid, updated_at=:now "
        f"WHERE id=:id AND send_id=:send AND status='queued' AND {_wanted(list_ids)}"
    )


def _why_sql(list_ids: list[int]) -> str:
    ids = ", ".join(str(int(i)) for i in list_ids) or "NULL"
    return (
        "SELECT (SELECT status FROM deliveries WHERE id = :id), "
        "(SELECT send_id FROM deliveries WHERE id = :id), "
        "(SELECT status FROM subscribers WHERE id = :sid), "
        "(SELECT COUNT(*) FROM subscriptions c WHERE c.subscriber_id = :sid "
        f"AND c.status = 'confirmed' AND c.list_id IN ({ids})), "
        "(SELECT COUNT(*) FROM suppressions p WHERE p.email_hash = :hash)"
    )


@dataclass(frozen=True)
class Finish:
    """The outcome of a handed-over row: its new status and what the server said."""

    delivery_id: int
    status: str
    code: int | None
    text: str
    sent_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class Begin:
    """A row about to be handed over, and who it is for (to check they still want it)."""

    delivery_id: int
    message_id: str
    subscriber_id: int
    digest: str


@dataclass(frozen=True)
class Skip:
    delivery_id: int
    status: str  # skipped | failed
    text: str


class _Statement:
    def __init__(self, engine: Engine, sql: str) -> None:
        compiled = sa.text(sql).compile(dialect=engine.dialect)
        self.sql = compiled.string
        self.order = compiled.positiontup if compiled.positional else None

    def params(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        return [values[name] for name in self.order] if self.order is not None else values


class FastLedger:
    def __init__(self, engine: Engine, owner: str, send_id: int, list_ids: list[int]) -> None:
        self.owner, self.send_id = owner, send_id
        self._raw = engine.raw_connection()
        # SQLite connections run in autocommit mode (see db.py): each statement commits.
        self._autocommit = engine.dialect.name == "sqlite"
        self._full = self._strict = False
        if self._autocommit:  # db.py sets FULL on every connection; 2 is FULL, 1 NORMAL
            cur = self._raw.cursor()
            cur.execute("PRAGMA synchronous")
            self._full = self._strict = int(cur.fetchone()[0]) >= 2
            cur.close()
        self._time = UTCDateTime().bind_processor(engine.dialect) or (lambda v: v)
        self._finish = _Statement(engine, _FINISH)
        self._skip = _Statement(engine, _SKIP)
        self._begin = _Statement(engine, _begin_sql(list_ids))
        self._why = _Statement(engine, _why_sql(list_ids))

    def _t(self, value: datetime | None) -> Any:
        return None if value is None else self._time(value)

    def _durable(self, cur: Any, full: bool) -> None:
        """SQLite: fsync the commit that marks a row ``sending`` (db.py's FULL), not the ones
        recording an outcome. An outcome lost to a power cut leaves the row ``sending``,
        possibly sent, never sent twice; a lost ``sending`` mark would send it again. One
        fsync per message instead of two (the cost: benchmarks/send.py --synchronous)."""
        if self._strict and self._full != full:
            cur.execute(f"PRAGMA synchronous={'FULL' if full else 'NORMAL'}")
            self._full = full

    def _run(self, stmt: _Statement, values: dict[str, Any]) -> tuple[int, Any]:
        cur = self._raw.cursor()
        try:
            self._durable(cur, stmt is self._begin)
            cur.execute(stmt.sql, stmt.params(values))
            count, row = int(cur.rowcount), cur.fetchone() if stmt is self._why else None
            if not self._autocommit:
                self._raw.commit()
            return count, row
        except BaseException:
            if not self._autocommit:
                self._raw.rollback()
            raise
        finally:
            cur.close()

    def finish(self, now: datetime, finish: Finish) -> int:
        """Record the outcome of a row that was handed over; 1 if the row was ``sending``."""
        return self._run(
            self._finish,
            {
                "status": finish.status,
                "code": finish.code,
                "text": finish.text[:1000],
                "sent_at": self._t(finish.sent_at),
                "next": self._t(finish.next_attempt_at),
                "now": self._t(now),
                "id": finish.delivery_id,
            },
        )[0]

    def skip(self, now: datetime, skip: Skip) -> None:
        values = {
            "status": skip.status,
            "text": skip.text,
            "now": self._t(now),
            "id": skip.delivery_id,
            "send": self.send_id,
        }
        self._run(self._skip, values)

    def begin(self, now: datetime, begin: Begin) -> str:
        """Mark the row sending if it is still queued and its person still wants it.

        Returns '' when the message may go now; else why not: the row is skipped with that
        reason, or "taken" when another run already has it.
        """
        values = {
            "owner": self.owner,
            "send": self.send_id,
            "now": self._t(now),
            "mid": begin.message_id,
            "id": begin.delivery_id,
            "sid": begin.subscriber_id,
            "hash": begin.digest,
        }
        if self._run(self._begin, values)[0] == 1:
            return ""
        _, row = self._run(self._why, values)
        status, send_id, person, confirmed, suppressed = row
        if status != "queued" or send_id != self.send_id:
            return "taken"
        if person != "active":
            reason = "blocklisted during the send" if person else "erased during the send"
        elif not confirmed:
            reason = "unsubscribed during the send"
        else:
            reason = "suppressed during the send" if suppressed else "not wanted"
        self.skip(now, Skip(begin.delivery_id, "skipped", reason))
        return reason

    def close(self) -> None:
        self._raw.close()


class Digester:
    """``suppression.hash_normalised`` from a pre-keyed HMAC (checked equal once).

    The one-shot ``hmac.new(key, msg)`` releases the interpreter lock on every call, and
    each release lets another sender thread in for up to a switch interval.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)
        probe = "ayşe@örnek.com.tr"
        self._same = self._fast(probe) == suppression.hash_normalised(secret, probe)

    def _fast(self, email: str) -> str:
        mac = self._keyed.copy()
        mac.update(email.encode())
        return mac.hexdigest()

    def __call__(self, email: str) -> str:
        if self._same:
            return self._fast(email)
        return suppression.hash_normalised(self.secret, email)
