"""Cleaning pasted text before it is read: odd spaces out, every letter and quote mark kept.

Documents pasted from web pages, Word and PDF carry no-break spaces (U+00A0), narrow no-break
spaces (U+202F, French typography), figure and thin spaces, ideographic spaces, zero-width
spaces, soft hyphens, byte-order marks and, now and then, bidi embedding controls. All spaces
become plain spaces, the invisible characters go (a soft hyphen or a zero-width space inside a
word would stop search and the recognisers from finding it), and the text is put in NFC, so a
"ş" typed as "s" plus a combining cedilla is one letter like every other "ş". Typographic
quotes, dashes, Turkish letters (İ ı Ş ş Ğ ğ Ç ç Ö ö Ü ü Â â) and the marks Arabic needs (LRM,
RLM, ALM, ZWJ, ZWNJ) are kept as written.
"""

from __future__ import annotations

import re
import unicodedata

from newsletter.core.safe_text import BIDI_CONTROLS

# Every Unicode space separator but the plain space, and the tab-like controls.
ODD_SPACES = "\t\v\f\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
# Invisible characters that only split words: zero-width space, word joiner, BOM, soft hyphen.
INVISIBLE = "\u200b\u2060\ufeff\u00ad"
_TABLE = str.maketrans(
    {**{c: " " for c in ODD_SPACES}, **{c: None for c in INVISIBLE + "".join(BIDI_CONTROLS)}}
)
_RUNS = re.compile(r" {2,}")


def clean_text(text: str) -> str:
    """The text in NFC with unified line ends, odd spaces made plain and invisible marks gone.

    Runs of spaces are kept (Markdown gives two trailing spaces a meaning); see ``clean_line``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text.translate(_TABLE))


def clean_line(line: str) -> str:
    """One line of plain text: cleaned as ``clean_text``, runs of spaces made one, ends trimmed."""
    return _RUNS.sub(" ", clean_text(line)).strip()


def odd_characters(text: str) -> int:
    """How many characters ``clean_text`` changes or removes (for the import report)."""
    return sum(1 for c in text if c in ODD_SPACES or c in INVISIBLE or c in BIDI_CONTROLS)
