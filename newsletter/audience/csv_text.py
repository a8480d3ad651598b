"""The text of a subscriber CSV file: which encoding it is in, and its lines decoded.

Files come from Excel as often as from scripts: UTF-8 with or without a byte-order mark, or
Windows-1254 (Turkish Excel's "CSV"). A file pasted together from both (a UTF-8 export with
rows added in an old Excel) is decoded line by line: each line as UTF-8 when it is valid UTF-8,
else as Windows-1254, so neither half is stored garbled ("AyÅŸe"). A Windows-1254 line with
Turkish letters is never valid UTF-8 (its letters are lone bytes above 0x7F), so the choice per
line is safe. The file is streamed; only the encoding check reads it twice.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from newsletter.core.errors import UserError

MIXED = "utf-8+cp1254"  # the encoding named for a file with lines in both


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (BOM), 'utf-8', 'cp1254' or MIXED; refuses binary, UTF-16 and empty files."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
            if not head:
                raise UserError(f"{path}: the file is empty")
            if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                raise UserError(f"{path}: UTF-16 text is not supported: save it as CSV UTF-8")
            f.seek(0)
            return _scan(path, f, bom=head.startswith(codecs.BOM_UTF8))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def _raw_lines(f: BinaryIO) -> Iterator[bytes]:
    """Lines split on LF, CRLF and also a lone CR (old Mac Excel), as text mode with newline=""
    splits them; each keeps its ending."""
    for chunk in f:
        yield from chunk.splitlines(keepends=True)


def _scan(path: Path, f: BinaryIO, bom: bool) -> str:
    utf8 = cp1254 = False
    for raw in _raw_lines(f):
        if b"\x00" in raw:
            raise UserError(f"{path}: this is not a text file (an Excel workbook?): save it as CSV")
        if raw.isascii() or (utf8 and cp1254):
            continue
        try:
            raw.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            cp1254 = True
    if cp1254:
        return MIXED if utf8 else "cp1254"
    return "utf-8-sig" if bom else "utf-8"


def lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines as text, each with its line ending (as ``open(newline="")`` gives)."""
    if encoding in ("utf-8", "utf-8-sig"):  # checked whole by detect_encoding: no errors here
        with path.open(encoding=encoding, newline="") as f:
            yield from f
        return
    with path.open("rb") as f:
        for number, raw in enumerate(_raw_lines(f), 1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            yield _decode(path, number, raw)


def _decode(path: Path, number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1254")
    except UnicodeDecodeError as exc:  # 0x81, 0x8D-0x90, 0x9D, 0x9E have no letter in cp1254
        raise UserError(
            f"{path}, line {number}: byte 0x{raw[exc.start]:02X} is neither UTF-8 nor "
            "Windows-1254 text: save the file as CSV UTF-8"
        ) from None
