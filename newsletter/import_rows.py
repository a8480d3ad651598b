"""The first half of a CSV import: each row checked, normalised, deduplicated and hashed.

This half needs no database. (Running it in a second process was measured and rejected: passing
the prepared rows between processes costs as much as preparing them, and on a busy two-core
machine the import got slower.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from newsletter import lists
from newsletter.addresses import InvalidAddress, normalise
from newsletter.csv_source import BadRow, Row
from newsletter.errors import UserError
from newsletter.import_batch import Prepared
from newsletter.suppression import hash_normalised

CHUNK_ROWS = 2000


@dataclass(slots=True)
class Chunk:
    rows: int = 0  # rows read, including rejected and duplicate ones
    prepared: list[Prepared] = field(default_factory=list)
    # (line, email, kind, reason) of each row that was not prepared
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)


def prepare(secret: str, rows: Iterator[Row | BadRow], size: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """Rows in chunks: the good ones prepared, the others as (line, email, kind, reason)."""
    seen: dict[str, int] = {}
    chunk = Chunk()
    for row in rows:
        chunk.rows += 1
        problem = _check(secret, row, seen, chunk)
        if problem is not None:
            chunk.problems.append(problem)
        if chunk.rows >= size:
            yield chunk
            chunk = Chunk()
    if chunk.rows:
        yield chunk


def _check(
    secret: str, row: Row | BadRow, seen: dict[str, int], chunk: Chunk
) -> tuple[int, str, str, str] | None:
    if isinstance(row, BadRow):
        return row.line, row.email, "rejected", row.reason
    try:
        address = normalise(row.email)
        if row.language:
            lists.check_language(row.language)
    except InvalidAddress as exc:
        return row.line, row.email, "rejected", exc.reason
    except UserError as exc:
        return row.line, row.email, "rejected", str(exc)
    first = seen.setdefault(address.normalised, row.line)
    if first != row.line:
        return row.line, row.email, "duplicate", f"same address as line {first}"
    chunk.prepared.append(Prepared(row, address, hash_normalised(secret, address.normalised)))
    return None
