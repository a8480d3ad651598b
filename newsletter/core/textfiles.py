"""Reading the text files officers hand over: UTF-8 only, with errors that say what to do.

Every reader of author files (bulletins, Markdown blocks, templates) shares these checks, so a
UTF-16 export from Word or a stray binary file gets the same one-line message wherever it enters.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from newsletter.core.errors import UserError

BINARY_SNIFF = 8192


def read_text(path: Path) -> str:
    """A file's text, refusing what is not a readable, non-empty UTF-8 text file."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserError(f"{path}: not UTF-8 text (it is UTF-16); save it as UTF-8 and try again")
    if b"\x00" in data[:BINARY_SNIFF]:
        raise UserError(f"{path}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None
    if not text.strip():
        raise UserError(f"{path}: the file is empty")
    return text
