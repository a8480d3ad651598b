"""The ledger's hot path: one short transaction per message, on a plain DB-API connection.

Each sender thread owns one of these. The statements are compiled once by SQLAlchemy for the
engine's dialect (so they stay portable) and then run on the raw driver connection: the ORM's
per-statement overhead would cost more than building the message. One transaction records the
previous message's outcome and marks the next row ``sending`` before it is handed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsletter.dbtypes import UTCDateTime

_SQL = {
    "begin": "UPDATE deliveries SET status='sending', attempts=attempts+1, claimed_by=:owner, "
    "claimed_at=:now, message_id=:mid, updated_at=:now WHERE id=:id AND status='queued'",
    "finish": "UPDATE deliveries SET status=:status, last_code=:code, last_text=:text, "
    "sent_at=:sent_at, next_attempt_at=:next, updated_at=:now WHERE id=:id AND status='sending'",
    "skip": "UPDATE deliveries SET status=:status, last_text=:text, updated_at=:now "
    "WHERE id=:id AND status='queued'",
    "suppressed": "SELECT 1 FROM suppressions WHERE email_hash=:hash",
}


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
    def __init__(self, engine: Engine, owner: str, subscribed_sql: str) -> None:
        self.owner = owner
        self._raw = engine.raw_connection()
        self._sqlite = engine.dialect.name == "sqlite"
        self._time = UTCDateTime().bind_processor(engine.dialect) or (lambda v: v)
        self._stmts = {name: _Statement(engine, sql) for name, sql in _SQL.items()}
        self._subscribed = _Statement(engine, subscribed_sql)

    def _run(self, cur: Any, name: str, values: dict[str, Any]) -> int:
        stmt = self._stmts[name]
        cur.execute(stmt.sql, stmt.params(values))
        return int(cur.rowcount)

    def _t(self, value: datetime | None) -> Any:
        return None if value is None else self._time(value)

    def _not_wanted(self, cur: Any, begin: Begin) -> str:
        """'' when the person may still be mailed, else why not: checked just before sending."""
        stmt = self._subscribed
        cur.execute(stmt.sql, stmt.params({"sid": begin.subscriber_id}))
        row = cur.fetchone()
        if row is None or not row[1]:
            return "unsubscribed during the send"
        if row[0] != "active":
            return "blocklisted during the send"
        self._run(cur, "suppressed", {"hash": begin.digest})
        if cur.fetchone() is not None:
            return "suppressed during the send"
        return ""

    def step(
        self,
        now: datetime,
        finish: Finish | None = None,
        begin: Begin | None = None,
        skip: Skip | None = None,
    ) -> str:
        """In one transaction: record ``finish``; then either ``skip`` a row, or check that
        ``begin``'s recipient is still subscribed and mark the row sending.

        Returns '' when ``begin`` may be sent now, else why not (the row is then skipped, or
        "taken" when another run already has it).
        """
        t = self._t(now)
        cur = self._raw.cursor()
        reason = ""
        try:
            if self._sqlite:
                cur.execute("BEGIN IMMEDIATE")
            if finish is not None:
                self._run(cur, "finish", {
                    "status": finish.status, "code": finish.code, "text": finish.text[:1000],
                    "sent_at": self._t(finish.sent_at), "next": self._t(finish.next_attempt_at),
                    "now": t, "id": finish.delivery_id,
                })  # fmt: skip
            if begin is not None:
                reason = self._not_wanted(cur, begin)
                if reason:
                    skip = Skip(begin.delivery_id, "skipped", reason)
                else:
                    values = {"owner": self.owner, "now": t, "mid": begin.message_id,
                              "id": begin.delivery_id}  # fmt: skip
                    reason = "" if self._run(cur, "begin", values) == 1 else "taken"
            if skip is not None:
                values = {"status": skip.status, "text": skip.text, "now": t, "id": skip.delivery_id}
                self._run(cur, "skip", values)
            if self._sqlite:
                cur.execute("COMMIT")
            else:
                self._raw.commit()
            return reason
        except BaseException:
            self._rollback()
            raise
        finally:
            cur.close()

    def _rollback(self) -> None:
        try:
            if self._sqlite:
                self._raw.cursor().execute("ROLLBACK")
            else:
                self._raw.rollback()
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass

    def close(self) -> None:
        self._raw.close()


def subscribed_sql(list_ids: list[int]) -> str:
    """The subscriber's status and whether they are still confirmed on one of the lists."""
    ids = ", ".join(str(int(i)) for i in list_ids) or "NULL"
    return (
        "SELECT s.status, (SELECT COUNT(*) FROM subscriptions c WHERE c.subscriber_id = s.id "
        f"AND c.status = 'confirmed' AND c.list_id IN ({ids})) FROM subscribers s "
        "WHERE s.id = :sid"
    )
