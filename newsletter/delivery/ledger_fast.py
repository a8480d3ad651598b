"""The ledger's hot path: one transaction per message on a plain DB-API connection.

Each sender thread owns one of these. The statements are compiled once by SQLAlchemy for the
engine's dialect (so they stay portable) and run on the raw driver connection: the ORM's
per-statement overhead, and every extra round trip into the database (each one lets the other
threads take the interpreter lock), would cost more than building the message.

Marking a row ``sending`` is one conditional UPDATE that also checks, in the same statement,
that the person is still subscribed, not blocklisted and not suppressed: the check and the
mark cannot be separated by an unsubscribe. It is committed, and on SQLite synced to disk
(``synchronous=FULL``), before the message leaves.

Group commit: the outcome of a row just handed over is not committed on its own but held
(``defer``) and written in the same transaction as the thread's next mark, "row k sent + row
k+1 sending", one commit and one fsync per message instead of two. Held outcomes are written
alone (``flush``) as soon as the thread has no next row at hand, so no run ends, and no caller
counts the ledger, with an outcome still held. A crash loses at most the one held outcome per
thread: that row, which the server has, stays ``sending`` ("possibly sent"); it is never
sent twice, and never more than one row per connection is left so (docs/delivery.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import threading
from collections.abc import Iterator, Sequence
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
    """One sender thread's ledger connection. ``lock``, shared by the threads of a run,
    orders their write transactions: SQLite's busy handler would otherwise sleep a
    millisecond or more whenever two of them meet, far longer than the transaction."""

    def __init__(
        self,
        engine: Engine,
        owner: str,
        send_id: int,
        list_ids: list[int],
        lock: threading.Lock | None = None,
    ) -> None:
        self.owner, self.send_id = owner, send_id
        self._raw = engine.raw_connection()
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock: contextlib.AbstractContextManager[Any] = (
            lock if lock is not None and self._sqlite else contextlib.nullcontext()
        )
        self._full = self._strict = False
        if self._sqlite:  # db.py sets FULL on every connection; 2 is FULL, 1 NORMAL
            cur = self._raw.cursor()
            cur.execute("PRAGMA synchronous")
            self._full = self._strict = int(cur.fetchone()[0]) >= 2
            cur.close()
        self._time = UTCDateTime().bind_processor(engine.dialect) or (lambda v: v)
        self._finish = _Statement(engine, _FINISH)
        self._skip = _Statement(engine, _SKIP)
        self._begin = _Statement(engine, _begin_sql(list_ids))
        self._why = _Statement(engine, _why_sql(list_ids))
        # Outcomes of rows handed over, written with this thread's next transaction.
        self._held: list[tuple[datetime, Finish]] = []

    def _t(self, value: datetime | None) -> Any:
        return None if value is None else self._time(value)

    def _durable(self, cur: Any, full: bool) -> None:
        """SQLite: fsync the commits that mark a row ``sending`` (db.py's FULL), not the ones
        that only record outcomes or skips. An outcome lost to a power cut leaves the row
        ``sending``, possibly sent, never sent twice; a lost ``sending`` mark would send it
        again. The cost: benchmarks/send.py --synchronous."""
        if self._strict and self._full != full:
            cur.execute(f"PRAGMA synchronous={'FULL' if full else 'NORMAL'}")
            self._full = full

    @contextlib.contextmanager
    def _transaction(self, full: bool) -> Iterator[Any]:
        """One transaction holding the outcomes held so far and what the caller adds; they
        are released only once it commits (a failed one keeps them held, for the next)."""
        with self._lock:
            cur = self._raw.cursor()
            try:
                self._durable(cur, full)
                if self._sqlite:  # autocommit connections (db.py): the transaction is ours
                    cur.execute("BEGIN IMMEDIATE")
                for now, held in self._held:
                    self._execute(cur, self._finish, self._finish_values(now, held))
                yield cur
                if self._sqlite:
                    cur.execute("COMMIT")
                else:
                    self._raw.commit()
                self._held.clear()
            except BaseException:
                self._rollback(cur)
                raise
            finally:
                cur.close()

    def _rollback(self, cur: Any) -> None:
        try:
            if not self._sqlite:
                self._raw.rollback()
            elif not self._raw.driver_connection.in_transaction:
                return  # BEGIN itself failed, or SQLite already rolled back
            else:
                cur.execute("ROLLBACK")
        except Exception:  # noqa: BLE001, S110 - the original error is the one to raise
            pass

    @staticmethod
    def _execute(cur: Any, stmt: _Statement, values: dict[str, Any]) -> int:
        cur.execute(stmt.sql, stmt.params(values))
        return int(cur.rowcount)

    def _finish_values(self, now: datetime, finish: Finish) -> dict[str, Any]:
        return {
            "status": finish.status,
            "code": finish.code,
            "text": finish.text[:1000],
            "sent_at": self._t(finish.sent_at),
            "next": self._t(finish.next_attempt_at),
            "now": self._t(now),
            "id": finish.delivery_id,
        }

    @property
    def holding(self) -> bool:
        """Whether outcomes wait for this thread's next transaction (or ``flush``)."""
        return bool(self._held)

    def defer(self, now: datetime, finish: Finish) -> None:
        """Hold the outcome of a row that was handed over, to be written with the next
        transaction. Safe to lose in a crash: the row stays ``sending``, possibly sent."""
        self._held.append((now, finish))

    def flush(self) -> None:
        """Write the held outcomes now, in one commit of their own."""
        if self._held:
            with self._transaction(full=False):
                pass

    def finish(self, now: datetime, finish: Finish) -> int:
        """Record the outcome of a row that was handed over (and the held ones); 1 if the
        row was ``sending``."""
        with self._transaction(full=False) as cur:
            return self._execute(cur, self._finish, self._finish_values(now, finish))

    def skip(self, now: datetime, skip: Skip) -> None:
        with self._transaction(full=False) as cur:
            self._skip_row(cur, now, skip)

    def _skip_row(self, cur: Any, now: datetime, skip: Skip) -> None:
        values = {
            "status": skip.status,
            "text": skip.text,
            "now": self._t(now),
            "id": skip.delivery_id,
            "send": self.send_id,
        }
        self._execute(cur, self._skip, values)

    def begin(self, now: datetime, begin: Begin) -> str:
        """Mark the row sending if it is still queued and its person still wants it, in one
        committed (and synced) transaction with the outcomes held so far.

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
        with self._transaction(full=True) as cur:
            if self._execute(cur, self._begin, values) == 1:
                return ""
            cur.execute(self._why.sql, self._why.params(values))
            status, send_id, person, confirmed, suppressed = cur.fetchone()
            if status != "queued" or send_id != self.send_id:
                return "taken"
            if person != "active":
                reason = "blocklisted during the send" if person else "erased during the send"
            elif not confirmed:
                reason = "unsubscribed during the send"
            else:
                reason = "suppressed during the send" if suppressed else "not wanted"
            self._skip_row(cur, now, Skip(begin.delivery_id, "skipped", reason))
            return reason

    def close(self) -> None:
        """Close the connection; outcomes still held are lost (their rows stay possibly
        sent): callers ``flush`` first."""
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
