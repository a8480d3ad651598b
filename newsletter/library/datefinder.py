"""Dates as programme bulletins write them, with or without a year.

Recognised: "20 June 2021", "on 20th June", "23-24 March", "between 7-9 April 2021",
"7 to 9 April", "30 March - 2 April 2021", "on the 4th of May 2021", "April 27, 2021",
"March 23-24, 2021", "June 2021", and Turkish month names ("20 Haziran 2021"). A date without a
year takes the year passed in (the document's year or the officer's ``--year``); with no year
known it is not a confident date and is skipped. Month names must be capitalised, so the verb
"may" is never a month.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "ocak": 1, "şubat": 2, "mart": 3, "nisan": 4, "mayıs": 5, "haziran": 6, "temmuz": 7,
    "ağustos": 8, "eylül": 9, "ekim": 10, "kasım": 11, "aralık": 12,
}  # fmt: skip

_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
_MONTH = (
    "(?:"
    + "|".join(
        re.escape(m.capitalize()) + (r"\.?" if m in _ABBREVIATIONS else "")
        for m in sorted(_MONTHS, key=len, reverse=True)
    )
    + ")"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|–|—|\bto\b)\s*"
_DASH_OR_AND = r"\s*(?:-|–|—|\bto\b|\band\b)\s*"

# Named groups: d1/m1 start day and month, d2/m2 end day and month, y the year.
_PATTERNS = [
    # 30 March - 2 April 2021
    rf"(?P<d1>{_DAY})\s+(?P<m1>{_MONTH}){_DASH}(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?",
    # 23-24 March 2021, between 7-9 April, 7 to 9 April
    rf"(?P<d1>{_DAY}){_DASH_OR_AND}(?P<d2>{_DAY})(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?",
    # the 4th of May 2021, 20 June 2021, 20th June
    rf"(?P<d1>{_DAY})(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?",
    # March 23-24, 2021
    rf"(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_DASH_OR_AND}(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?",
    # April 27, 2021 / April 27
    rf"(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?",
    # June 2021 (a month: a less confident date, used only when no day is given)
    rf"(?P<m1>{_MONTH})\s+(?P<y>{_YEAR})",
]


def _numbered(index: int, pattern: str) -> str:
    # Group names must be unique across the alternation: d1 in pattern 2 becomes g2_d1.
    return r"(?<![\w.])(?:" + pattern.replace("(?P<", f"(?P<g{index}_") + r")(?!\w)"


_REGEX = re.compile("|".join(_numbered(i, p) for i, p in enumerate(_PATTERNS)))
_DEADLINE = re.compile(r"\b(?:until|till|by|before|deadline(?: of| is)?)\s+(?:the\s+)?$", re.I)
_YEAR_RE = re.compile(rf"(?<!\d)({_YEAR})(?!\d)")


@dataclass(frozen=True)
class FoundDate:
    start: date
    end: date | None  # None for a single day
    text: str  # as written
    offset: int
    has_day: bool
    deadline: bool = False  # "until 25 June": when something ends, not when it happened


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower().replace("i̇", "i")]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def _build(groups: dict[str, str | None], year: int | None) -> tuple[date, date | None, bool]:
    y = int(groups["y"]) if groups.get("y") else year
    if y is None:
        raise ValueError("no year")
    m1 = _month(groups["m1"])  # type: ignore[arg-type]
    if not groups.get("d1"):
        return date(y, m1, 1), None, False
    start = date(y, m1, _day(groups["d1"]))  # type: ignore[arg-type]
    if not groups.get("d2"):
        return start, None, True
    m2 = _month(groups["m2"]) if groups.get("m2") else m1
    end = date(y, m2, _day(groups["d2"]))  # type: ignore[arg-type]
    if end < start:
        raise ValueError("range ends before it starts")
    return start, end, True


def _groups(match: re.Match[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in match.groupdict().items():
        if value is not None:
            out[key.split("_", 1)[1]] = value
    return out


def find_dates(text: str, year: int | None = None) -> list[FoundDate]:
    """Every date in the text, in order; ``year`` fills in dates written without one."""
    found = []
    for match in _REGEX.finditer(text):
        try:
            start, end, has_day = _build(_groups(match), year)
        except ValueError:
            continue  # no year known, or not a real day (31 June)
        deadline = bool(_DEADLINE.search(text[max(0, match.start() - 30) : match.start()]))
        found.append(FoundDate(start, end, match.group(), match.start(), has_day, deadline))
    return found


def first_date(text: str, year: int | None = None) -> FoundDate | None:
    """The first date with a day that is not a deadline; else the first deadline with a day;
    else the first month-and-year; else None."""
    dates = find_dates(text, year)
    ranked = sorted(dates, key=lambda d: (not d.has_day, d.deadline, d.offset))
    return ranked[0] if ranked else None


def document_year(text: str) -> int | None:
    """The year the document is about: the year its dates name most often, else any year."""
    years = [d.start.year for d in find_dates(text) if d.has_day or d.end is None]
    if not years:
        years = [int(y) for y in _YEAR_RE.findall(text)]
    return Counter(years).most_common(1)[0][0] if years else None
