"""Import subscribers from CSV into a list: validate, dedupe, update, skip suppressed, report.

Rows are handled in batches with bulk SQL (a few queries per thousand rows, no ORM object per
row), so a hundred thousand rows take seconds. The whole import is one transaction: an error
part-way leaves the database as it was. Each rejected or skipped row goes to a report CSV
beside the input (``NAME-report.csv``), with its line number and the reason, then a summary row.
So does each row imported with a warning: a name or organisation with question marks where
letters were ("???? ?????"), the mark of a file saved in an encoding without those letters.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from newsletter.audience import csv_cells, lists
from newsletter.audience.addresses import InvalidAddress, earlier_keys, normalise
from newsletter.audience.csv_source import BadRow, Row, open_rows
from newsletter.audience.import_batch import Batch, Prepared, apply_batch
from newsletter.audience.suppression import hash_normalised
from newsletter.core.errors import UserError

BATCH = 2000
SHOWN_PROBLEMS = 20
REPORT_FIELDS = ("line", "email", "outcome", "reason")
COUNTERS = {
    "rejected": "rejected",
    "duplicate": "skipped_duplicate",
    "suppressed": "skipped_suppressed",
    "unsubscribed": "skipped_unsubscribed",
}
WARNING = "warning"  # imported, but flagged: counted in ImportReport.warnings
# A "?" before a letter or another "?" ("Y?lmaz", "???? ?????"), a name of "?" alone, or the
# replacement character: letters lost to an encoding. "Who? Ltd" is punctuation, not flagged.
_LOST_LETTERS = re.compile(r"\?[\w?]|\A\?+\Z|\ufffd")


@dataclass(frozen=True)
class ImportOptions:
    list_slug: str
    confirmed: bool = False
    consent_source: str | None = None
    renames: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False


@dataclass
class ImportReport:
    file: str
    list: str
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    subscribed: int = 0
    confirmed: int = 0
    confirmations_queued: int = 0
    skipped_duplicate: int = 0
    skipped_suppressed: int = 0
    skipped_unsubscribed: int = 0
    rejected: int = 0
    warnings: int = 0  # imported rows flagged in the report (letters lost to an encoding)
    report_file: str | None = None
    dry_run: bool = False
    # The first rows not imported as they were, or flagged (all of them are in the report).
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def not_imported(self) -> int:
        """Rows rejected or skipped: the rows of the report file."""
        return sum(getattr(self, counter) for counter in COUNTERS.values())


def check_options(options: ImportOptions) -> None:
    if options.confirmed and not (options.consent_source or "").strip():
        raise UserError(
            '--confirmed needs --consent-source "TEXT" saying how these people agreed '
            "(e.g. 'signed paper form at the Gaziantep workshop, 2026-10-03')"
        )
    if options.consent_source is not None and not options.confirmed:
        raise UserError("--consent-source is recorded only with --confirmed")


def import_csv(
    session: Session,
    secret: str,
    path: Path,
    options: ImportOptions,
    now: datetime,
    report_dir: Path | None = None,
) -> ImportReport:
    """Import ``path`` into the list; nothing is written if the file cannot be read."""
    check_options(options)
    mlist = lists.get(session, options.list_slug)
    layout, rows = open_rows(path, options.renames)
    report = ImportReport(str(path), mlist.slug, layout.encoding, layout.delimiter)
    report.dry_run = options.dry_run
    target = (report_dir or path.parent) / f"{path.stem}-report.csv"
    nested = session.begin_nested() if options.dry_run else None
    writer = _ReportWriter(target, keep=not options.dry_run)
    batch = Batch(mlist, options, now, path.name)
    for item in prepare_rows(secret, rows):
        report.rows += 1
        if isinstance(item, tuple):
            _problem(report, writer, *item)
            continue
        batch.rows.append(item)
        if len(batch.rows) >= BATCH:
            _flush(session, batch, report, writer)
    _flush(session, batch, report, writer)
    if nested is not None:
        nested.rollback()
    report.problems.sort(key=lambda e: e["line"])
    writer.save(summary(report))
    report.report_file = None if options.dry_run else str(target)
    return report


Problem = tuple[int, str, str, str]  # line, email as written, kind, reason


def prepare_rows(secret: str, rows: Iterator[Row | BadRow]) -> Iterator[Prepared | Problem]:
    """One result per row read: the prepared row, or why it is not imported. (Handing rows on
    one at a time matters: preparing them in chunks of thousands raised peak memory by half.)"""
    seen: dict[str, int] = {}
    for row in rows:
        yield _check(secret, row, seen)


def _check(secret: str, row: Row | BadRow, seen: dict[str, int]) -> Prepared | Problem:
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
    prepared = Prepared(row, address, hash_normalised(secret, address.normalised))
    prepared.earlier = tuple(earlier_keys(row.email))  # empty but for an İ in the address
    prepared.earlier_digests = tuple(hash_normalised(secret, key) for key in prepared.earlier)
    prepared.suspect = suspect_fields(row)
    prepared.warning = wrongly_encoded(row)
    return prepared


def suspect_fields(row: Row) -> tuple[str, ...]:
    """The name and/or organisation, when letters were lost in them to an encoding."""
    values = (("name", row.name), ("organisation", row.organisation))
    return tuple(field for field, value in values if value and _LOST_LETTERS.search(value))


def wrongly_encoded(row: Row) -> str | None:
    """The warning for a row whose name or organisation lost its letters to an encoding."""
    lost = [f"the {field} {getattr(row, field)!r}" for field in suspect_fields(row)]
    if not lost:
        return None
    return (
        f"imported, but {' and '.join(lost)} {'has' if len(lost) == 1 else 'have'} question "
        "marks where letters were (one already stored is kept): the file was probably saved in "
        "an encoding without them; save it as CSV UTF-8 and import again"
    )


def _flush(session: Session, batch: Batch, report: ImportReport, writer: _ReportWriter) -> None:
    if not batch.rows:
        return
    session.flush()
    outcome = apply_batch(session.connection(), batch)
    for key, value in outcome.counts.items():
        setattr(report, key, getattr(report, key) + value)
    skipped = set()
    for line, email, kind, reason in outcome.skipped:
        _problem(report, writer, line, email, kind, reason)
        skipped.add(line)
    for p in batch.rows:
        if p.warning and p.row.line not in skipped:
            _problem(report, writer, p.row.line, p.row.email, WARNING, p.warning)
    batch.rows = []


def _problem(
    report: ImportReport, writer: _ReportWriter, line: int, email: str, kind: str, reason: str
) -> None:
    counter = "warnings" if kind == WARNING else COUNTERS[kind]
    setattr(report, counter, getattr(report, counter) + 1)
    entry = {"line": line, "email": email, "outcome": kind, "reason": reason}
    if len(report.problems) < SHOWN_PROBLEMS:
        report.problems.append(entry)
    writer.write(entry)


class _ReportWriter:
    """Streams the rows not imported as they were to a scratch file beside the report; at the
    end they are sorted by line, a summary row is added, and the report replaces any earlier
    one. Nothing is written on a dry run or when the import fails.

    Streaming, not a list in memory: thousands of small objects kept alive across the import
    pin Python's memory arenas, which raised peak memory by a third at 100,000 rows.
    """

    def __init__(self, target: Path, keep: bool) -> None:
        self.target, self.keep = target, keep
        self._file: Any = None

    def write(self, entry: dict[str, Any]) -> None:
        if not self.keep:
            return
        if self._file is None:
            # Nameless scratch file, gone when closed: a failed import leaves nothing behind.
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._file)
        self._csv.writerow([entry[k] for k in REPORT_FIELDS])

    def save(self, summary: str) -> None:
        if not self.keep:
            return
        rows: list[list[str]] = []
        if self._file is not None:
            self._file.seek(0)
            rows = sorted(csv.reader(self._file), key=lambda row: int(row[0]))
            self._file.close()
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".import-", suffix=".csv", dir=self.target.parent)
        except OSError as exc:
            raise UserError(f"cannot write the report in {self.target.parent}: {exc}") from None
        # UTF-8 with BOM so that Excel shows Turkish and Arabic letters correctly; the rows
        # quote the file's own cells back, so formulas in it are made inert (csv_cells).
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            table = [REPORT_FIELDS, *rows, ["", "", "summary", summary]]
            writer.writerows(csv_cells.row(cells) for cells in table)
        os.replace(name, self.target)


def summary(report: ImportReport) -> str:
    """The counts in one line: 'rows read 7; added 3; ...; rejected 3' (then '; warnings 2'
    when rows were flagged)."""
    flagged = ["warnings"] if report.warnings else []
    keys = ("rows", "added", "updated", "unchanged", "skipped_duplicate", "skipped_suppressed",
            "skipped_unsubscribed", "rejected", *flagged)  # fmt: skip
    return "; ".join(f"{'rows read' if k == 'rows' else k.replace('_', ' ')} {getattr(report, k)}"
                     for k in keys)  # fmt: skip
