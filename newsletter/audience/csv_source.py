"""Reading subscriber CSV files: delimiter, header mapping, one parsed row at a time.

Files come from Excel as often as from scripts, separated by commas or by semicolons, in the
encodings csv_text handles. The file is streamed, never held whole.

A quote left open would make the csv module read every following line into one cell and report
a single row, so a cell that runs over a line break is accepted only while it reads like a
wrapped cell (Excel's Alt+Enter): a continued line holding the delimiter or an address looks
like a swallowed row, and the file is refused naming the line the quote opened on. So are files
wider than MAX_COLUMNS; a row with a cell longer than MAX_CELL is rejected on its own.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.audience.csv_cells import restore
from newsletter.audience.csv_text import detect_encoding, lines
from newsletter.audience.search_text import fold
from newsletter.core.errors import UserError
from newsletter.core.safe_text import fold_line

FIELDS = ("email", "name", "language", "organisation")
ALIASES = {
    "email": {"email", "e-mail", "e-posta", "eposta", "e-posta adresi", "email address", "mail",
              "e-mail address", "البريد الإلكتروني", "البريد"},
    "name": {"name", "full name", "ad", "ad soyad", "adı soyadı", "adi soyadi", "isim", "الاسم"},
    "language": {"language", "lang", "dil", "اللغة"},
    "organisation": {"organisation", "organization", "org", "kurum", "kuruluş", "kurulus",
                     "company", "şirket", "المنظمة"},
}  # fmt: skip
MAX_COLUMNS = 200
MAX_CELL = 10_000  # characters: far more than any name, organisation or note needs
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Layout:
    """How the file is written and which column holds what."""

    encoding: str
    delimiter: str
    header: list[str]
    columns: dict[str, int]  # field -> column index
    attributes: dict[str, int] = field(default_factory=dict)  # attribute name -> column index


@dataclass(slots=True)
class Row:
    line: int
    email: str
    name: str
    language: str
    organisation: str
    attributes: dict[str, str]


@dataclass(slots=True)
class BadRow:
    line: int
    email: str
    reason: str


def sniff_delimiter(first_line: str) -> str:
    """Comma or semicolon (Turkish Excel), whichever the header uses; tab is accepted too."""
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in ",;\t"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _key(name: str) -> str:
    """Headers compared the Turkish way: 'DİL', 'Dil' and 'dil' (or 'KURULUŞ', 'kurulus') agree,
    which plain casefold() misses (it turns 'İ' into 'i' plus a combining dot)."""
    return " ".join(fold(name).replace("_", " ").split())


_ALIAS_KEYS = {known: {_key(name) for name in names} for known, names in ALIASES.items()}


def map_header(path: Path, header: list[str], renames: dict[str, str]) -> tuple[dict, dict]:
    """Columns of the known fields and of free attributes; ``renames`` is ``--map old=new``."""
    keys = [_key(h) for h in header]
    for old in renames:
        if _key(old) not in keys:
            raise UserError(
                f"--map {old}=…: {path} has no column {old!r} (columns: {', '.join(header)})"
            )
    wanted = {_key(old): new.strip() for old, new in renames.items()}
    columns: dict[str, int] = {}
    attributes: dict[str, int] = {}
    for index, (raw, key) in enumerate(zip(header, keys, strict=True)):
        target = wanted.get(key)
        known = target if target in FIELDS else None
        if target is None:
            known = next((f for f, names in _ALIAS_KEYS.items() if key in names), None)
        if known is not None:
            if known in columns:
                raise UserError(f"{path}: two columns hold the {known}: {header[columns[known]]!r} "
                                f"and {raw!r}: use --map to rename one")  # fmt: skip
            columns[known] = index
        elif target or raw.strip():
            attributes[target or raw.strip()] = index
    if "email" not in columns:
        raise UserError(
            f"{path}: no email column (columns: {', '.join(header) or 'none'}): "
            "name one 'email' or use --map COLUMN=email"
        )
    return columns, attributes


def open_rows(
    path: Path, renames: dict[str, str] | None = None
) -> tuple[Layout, Iterator[Row | BadRow]]:
    """Check the file and its header now (errors before any work), then stream its rows."""
    encoding = detect_encoding(path)
    with closing(lines(path, encoding)) as text:
        first = next(text, "")
    delimiter = sniff_delimiter(first)
    header = [restore(h) for h in next(csv.reader([first], delimiter=delimiter), [])]
    if len(header) > MAX_COLUMNS:
        raise UserError(
            f"{path}: the header has {len(header)} columns, more than the {MAX_COLUMNS} read: "
            "keep only the columns to import"
        )
    columns, attributes = map_header(path, header, renames or {})
    layout = Layout(encoding, delimiter, header, columns, attributes)
    return layout, _rows(path, layout)


def _rows(path: Path, layout: Layout) -> Iterator[Row | BadRow]:
    width = len(layout.header)
    e, n, lang, org = (layout.columns.get(name, width) for name in FIELDS)
    attributes = list(layout.attributes.items())
    padding = [""] * (width + 1)  # index ``width`` is the empty cell of an absent field
    with closing(lines(path, layout.encoding)) as text:
        reader = csv.reader(text, delimiter=layout.delimiter)
        next(reader, None)
        line = reader.line_num + 1
        start, cells = line, []
        try:
            for cells in reader:
                start, line = line, reader.line_num + 1
                if line - start > 1:
                    _check_continued(path, start, cells, layout.delimiter)
                email = restore(cells[e]).strip() if e < len(cells) else ""
                if len(cells) > width and any(c.strip() for c in cells[width:]):
                    yield BadRow(start, email, f"{len(cells)} cells but the header has {width}")
                    continue
                longest = max(cells, key=len, default="")
                if len(longest) > MAX_CELL:
                    column = layout.header[cells.index(longest)]
                    yield BadRow(start, email[:100], f"the {column!r} cell has {len(longest)} "
                                 f"characters, more than the {MAX_CELL} read")  # fmt: skip
                    continue
                cells = (cells + padding)[: width + 1]
                if not any(cells):
                    continue
                attrs = {k: value for k, i in attributes if (value := restore(cells[i]).strip())}
                name, organisation = _one_line(cells[n]), _one_line(cells[org])
                language = restore(cells[lang]).strip()
                if email or name or attrs or language or organisation:
                    yield Row(start, email, name, language, organisation, attrs)
        except csv.Error as exc:
            hint = ": is a quote left open?" if "field larger" in str(exc) else ""
            raise UserError(f"{path}, line {line}: not valid CSV: {exc}{hint}") from None
        if any(cell.endswith(("\n", "\r")) for cell in cells):
            raise UserError(f"{path}, line {start}: unclosed quote: the quoted cell that starts "
                            "there runs to the end of the file")  # fmt: skip


def _one_line(cell: str) -> str:
    """A name or organisation on one line: a wrapped Excel cell is folded, not refused."""
    value = restore(cell).strip()
    return value if value.isprintable() else fold_line(value)  # isprintable(): the fast path


def _check_continued(path: Path, start: int, cells: list[str], delimiter: str) -> None:
    """Refuse a record whose quoted cell swallowed what look like rows of their own."""
    at = start
    for cell in cells:
        parts = _BREAK.split(cell)  # not str.splitlines(): csv ends lines at CR and LF only
        for offset, part in enumerate(parts[1:], 1):
            if delimiter in part or "@" in part:
                raise UserError(
                    f"{path}, line {start}: unclosed quote: the quoted cell that starts there "
                    f"runs on over line {at + offset}, which reads like a row of its own: close "
                    'the quote (a quote inside a cell is written twice: "")'
                )
        at += max(len(parts) - 1, 0)
