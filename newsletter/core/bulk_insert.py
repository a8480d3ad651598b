"""Bulk inserts for large imports, without SQLAlchemy's per-row work (the main cost at scale).

Used by ``import_batch``: a hundred thousand subscribers with their subscriptions, consent
records and confirmation mails go in with a few ``executemany`` calls per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class BulkInsert:
    """Bulk inserts without SQLAlchemy's per-row work, the main cost at this scale.

    Values are converted with the real column types' processors for this dialect (constants
    such as the import time only once), and the rows go to the driver's executemany through a
    statement compiled for this dialect, positional or named as the driver wants.
    """

    def __init__(self, conn: Connection, table: sa.Table) -> None:
        self.conn = conn
        self.table = table
        dialect = conn.dialect
        self.procs = {
            c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns
        }

    def value(self, column: str, value: Any) -> Any:
        process = self.procs[column]
        return value if process is None or value is None else process(value)

    def insert(self, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        light = sa.table(self.table.name, *(sa.column(n) for n in names))
        compiled = (
            sa.insert(light)
            .values({n: sa.bindparam(n) for n in names})
            .compile(dialect=self.conn.dialect)
        )
        params: list[Any] = rows
        if not self.conn.dialect.positional:
            params = [dict(zip(names, row, strict=True)) for row in rows]
        elif tuple(compiled.positiontup or names) != names:
            where = [names.index(n) for n in compiled.positiontup or names]
            params = [tuple(row[i] for i in where) for row in rows]
        self.conn.exec_driver_sql(str(compiled), params)


def json_with_line(raw: BulkInsert, template: dict[str, Any]) -> Callable[[int], Any]:
    """The details JSON for a line: every row's is the same but for the line number, so it is
    serialised once and the number spliced in (when the driver takes JSON as text)."""
    whole = raw.value("details", template)
    prefix = '{"line": 0, '
    if isinstance(whole, str) and whole.startswith(prefix):
        rest = whole[len(prefix) :]
        return lambda line: f'{{"line": {line}, {rest}'
    return lambda line: raw.value("details", {**template, "line": line})
