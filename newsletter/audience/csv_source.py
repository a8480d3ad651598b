"""Reading subscriber CSV files: encoding, delimiter, header mapping, one parsed row at a time.

Files come from Excel as often as from scripts: UTF-8 with or without a byte-order mark, or
Windows-1254 (Turkish Excel's "CSV"), separated by commas or by semicolons. The file is
streamed; only the encoding check reads it twice (in binary chunks, without keeping them).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.audience.search_text import fold
from newsletter.core.errors import UserError

FIELDS = ("email", "name", "language", "organisation")
ALIASES = {
    "email": {"email", "e-mail", "e-posta", "eposta", "e-posta adresi", "email address", "mail",
              "e-mail address", "البريد الإلكتروني", "البريد"},
    "name": {"name", "full name", "ad", "ad soyad", "adı soyadı", "adi soyadi", "isim", "الاسم"},
    "language": {"language", "lang", "dil", "اللغة"},
    "organisation": {"organisation", "organization", "org", "kurum", "kuruluş", "kurulus",
                     "company", "şirket", "المنظمة"},
}  # fmt: skip
_CHUNK = 1 << 20


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


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (BOM), 'utf-8', or 'cp1254'; refuses binary, UTF-16 and empty files."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
            if not head:
                raise UserError(f"{path}: the file is empty")
            if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                raise UserError(f"{path}: UTF-16 text is not supported: save it as CSV UTF-8")
            f.seek(0)
            return _scan(path, f)
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def _scan(path: Path, f: io.BufferedReader) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    while chunk := f.read(_CHUNK):
        if b"\x00" in chunk:
            raise UserError(f"{path}: this is not a text file (an Excel workbook?): save it as CSV")
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        f.seek(0)
        return "utf-8-sig" if f.read(3) == codecs.BOM_UTF8 else "utf-8"
    return "cp1254"


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
    with path.open(encoding=encoding, newline="") as f:
        first = f.readline()
    delimiter = sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    columns, attributes = map_header(path, header, renames or {})
    layout = Layout(encoding, delimiter, header, columns, attributes)
    return layout, _rows(path, layout)


def _rows(path: Path, layout: Layout) -> Iterator[Row | BadRow]:
    width = len(layout.header)
    e, n, lang, org = (layout.columns.get(name, width) for name in FIELDS)
    attributes = list(layout.attributes.items())
    padding = [""] * (width + 1)  # index ``width`` is the empty cell of an absent field
    with path.open(encoding=layout.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=layout.delimiter)
        next(reader, None)
        line = reader.line_num + 1
        try:
            for cells in reader:
                start, line = line, reader.line_num + 1
                if len(cells) > width and any(c.strip() for c in cells[width:]):
                    email = cells[e].strip() if e < width else ""
                    yield BadRow(start, email, f"{len(cells)} cells but the header has {width}")
                    continue
                cells = (cells + padding)[: width + 1]
                if not any(cells):
                    continue
                attrs = {key: value for key, i in attributes if (value := cells[i].strip())}
                email, name = cells[e].strip(), cells[n].strip()
                language, organisation = cells[lang].strip(), cells[org].strip()
                if email or name or attrs or language or organisation:
                    yield Row(start, email, name, language, organisation, attrs)
        except csv.Error as exc:
            raise UserError(f"{path}, line {line}: not valid CSV: {exc}") from None
