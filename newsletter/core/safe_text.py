"""Checks for one-line text that ends up in headers, subjects and titles, applied where it enters.

A line break in a subject or a name would end its header and let the value add headers of its
own; a NUL breaks MJML; bidi embedding and override controls (U+202A-U+202E, U+2066-U+2069)
make a subject or title read differently from what the officer sees ("Trojan Source"). Values
are refused at entry, with a message naming the field, so nothing fails halfway through a send.
The marks Arabic and mixed text legitimately need (LRM, RLM, ALM) are allowed.
"""

from __future__ import annotations

import unicodedata

from newsletter.core.errors import UserError

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMES = {"\r": "a carriage return (CR)", "\n": "a line break (LF)", "\x00": "a NUL character"}


def problem(value: str, *, allow_tab: bool = False) -> str | None:
    """What is wrong with a one-line value, or None: line breaks, NUL, controls, bidi controls."""
    for char in value:
        if char in _NAMES:
            return f"contains {_NAMES[char]}"
        if char in BIDI_CONTROLS:
            return f"contains the bidi control U+{ord(char):04X}, which reorders what readers see"
        if char == "\t" and allow_tab:
            continue
        if unicodedata.category(char) == "Cc":
            return f"contains the control character U+{ord(char):04X}"
    return None


def one_line(field: str, value: str, *, allow_tab: bool = False) -> str:
    """The value unchanged when it is one clean line; otherwise a UserError naming the field."""
    found = problem(value, allow_tab=allow_tab)
    if found:
        raise UserError(f"{field} {found}: write it on one line without control characters")
    return value


def fold_line(value: str) -> str:
    """The value with line breaks and controls turned into single spaces, for free-form names
    that arrive in files and forms (a wrapped cell in Excel), where refusing would lose a row."""
    if problem(value) is None:
        return value
    cleaned = "".join(
        " " if c in BIDI_CONTROLS or unicodedata.category(c) == "Cc" else c for c in value
    )
    return " ".join(cleaned.split())
