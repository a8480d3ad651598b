"""Export subscribers as CSV that `subscribers import` reads back unchanged.

Columns: email, name, language, organisation, then one column per free attribute (sorted).
``excel=True`` writes what Turkish Excel opens directly: UTF-8 with a byte-order mark and
semicolons. Cells that a spreadsheet would run as a formula get a leading quote (csv_cells),
which the import takes off again. Rows are streamed from the database, never all held in memory.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from newsletter.audience import csv_cells, lists
from newsletter.core.errors import UserError
from newsletter.core.models import Subscriber, Subscription

S = Subscriber.__table__
SUB = Subscription.__table__
BASE = ("email", "name", "language", "organisation")


def _query(session: Session, list_slug: str | None, status: str | None) -> sa.Select[Any]:
    query = sa.select(S.c.email, S.c.name, S.c.language, S.c.organisation, S.c.attributes)
    if list_slug is not None:
        mlist = lists.get(session, list_slug)
        query = query.join(SUB, sa.and_(SUB.c.subscriber_id == S.c.id, SUB.c.list_id == mlist.id))
        if status is not None:
            if status not in ("unconfirmed", "confirmed", "unsubscribed"):
                raise UserError(f"status {status!r}: use unconfirmed, confirmed or unsubscribed")
            query = query.where(SUB.c.status == status)
        else:
            query = query.where(SUB.c.status != "unsubscribed")
    elif status is not None:
        raise UserError("--status needs --list")
    return query.order_by(S.c.id)


def _stream(session: Session, query: sa.Select[Any]) -> Iterator[Any]:
    result = session.connection().execution_options(yield_per=2000).execute(query)
    yield from result


def export_csv(
    session: Session,
    out: Path,
    list_slug: str | None = None,
    status: str | None = None,
    excel: bool = False,
) -> int:
    """Write the CSV to ``out`` (atomically); returns the number of subscribers written."""
    query = _query(session, list_slug, status)
    session.flush()
    keys: set[str] = set()
    for row in _stream(session, query.with_only_columns(S.c.attributes)):
        keys.update(row.attributes)
    clash = keys & set(BASE)
    if clash:
        raise UserError(f"attribute {sorted(clash)[0]!r} has the name of a column: rename it")
    header = [*BASE, *sorted(keys)]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".csv", dir=out.parent)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";" if excel else ",")
            writer.writerow(csv_cells.row(header))
            for row in _stream(session, query):
                cells = [row.email, row.name, row.language, row.organisation]
                cells += [row.attributes.get(k) for k in header[4:]]
                writer.writerow(csv_cells.row(cells))
                count += 1
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
