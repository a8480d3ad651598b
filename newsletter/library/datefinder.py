"""Dates as programme bulletins write them, with or without a year.

Recognised: "20 June 2021", "on 20th June", "23-24 March", "between 7-9 April 2021",
"7 to 9 April", "30 March - 2 April 2021", "30 December 2020 – 2 January 2021", "on the 4th of
May 2021", "April 27, 2021", "March 23-24, 2021", "June 2021", lists of days ("on the 26th,
30th October, and 2nd November 2020": the first and the last day), "October to December 2020",
"18.12.2019", "2019-12-18",
and Turkish month names ("20 Haziran 2021"). Month names must be capitalised, so the verb "may"
is never a month.

``scan`` finds every mention, with the year only where the text gives one, and tells what kind
of date it is from the words around it: an event, a deadline ("until 25 June", "25 Haziran'a
kadar") or a publication date ("Published on 3 March 2021"). ``find_dates`` resolves mentions
with a year passed in; dateguess.py infers the year of the others from the document.
"""

from __future__ import annotations

import calendar
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
_ITEM = rf"(?:the\s+)?{_DAY}(?:\s+(?:of\s+)?{_MONTH})?"
_LIST_SEP = r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)"

# Named groups: d1/m1 (or n1, a month number) start day and month, y1 the start's year when it
# has its own, d2/m2 end day and month, y the year; ``items`` marks a list of days.
_PATTERNS = [
    # 30 December 2020 – 2 January 2021
    rf"(?P<d1>{_DAY})\s+(?P<m1>{_MONTH}),?\s+(?P<y1>{_YEAR}){_DASH}(?P<d2>{_DAY})\s+"
    rf"(?P<m2>{_MONTH}),?\s+(?P<y>{_YEAR})",
    # the 26th, 30th October, and 2nd November 2020 (the last day names its month)
    rf"(?P<items>{_ITEM}(?:{_LIST_SEP}{_ITEM})*{_LIST_SEP}(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH})"
    rf"(?:,?\s+(?P<y>{_YEAR}))?",
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
    # 18.12.2019, 18/12/2019 (day first, as written in Türkiye and Europe), 2019-12-18
    rf"(?P<d1>[0-3]?\d)[./](?P<n1>[01]?\d)[./](?P<y>{_YEAR})",
    rf"(?P<y>{_YEAR})-(?P<n1>[01]\d)-(?P<d1>[0-3]\d)",
    # October to December 2020, between October and December 2020 (months: first and last day)
    rf"(?P<m1>{_MONTH}){_DASH_OR_AND}(?P<m2>{_MONTH}),?\s+(?P<y>{_YEAR})",
    # June 2021 (a month: a less confident date, used only when no day is given)
    rf"(?P<m1>{_MONTH})\s+(?P<y>{_YEAR})",
]  # fmt: skip


def _numbered(index: int, pattern: str) -> str:
    # Group names must be unique across the alternation: d1 in pattern 2 becomes g2_d1.
    return r"(?<![\w.])(?:" + pattern.replace("(?P<", f"(?P<g{index}_") + r")(?!\w)"


_REGEX = re.compile("|".join(_numbered(i, p) for i, p in enumerate(_PATTERNS)))
_ITEM_REGEX = re.compile(rf"(?P<d>{_DAY})(?:\s+(?:of\s+)?(?P<m>{_MONTH}))?")
_DEADLINE_BEFORE = re.compile(
    r"\b(?:until|till|by|before|no later than|deadline(?: is| of)?|due(?: on| by)?|"
    r"closes?(?: on)?|closing(?: date)?(?: is| of)?(?: on)?|last day(?: to apply)?(?: is)?|"
    r"son başvuru(?: tarihi)?|son gün)\s*:?\s+(?:on\s+)?(?:the\s+)?$",
    re.I,
)
_DEADLINE_AFTER = re.compile(r"^(?:['’][a-zçğıöşü]{1,4})?\s+(?:tarihine\s+)?kadar\b", re.I)
_PUBLISHED_BEFORE = re.compile(
    r"\b(?:published|posted|issued|updated|released|dated|date|yayın tarihi|yayınlanma tarihi)"
    r"(?:\s+on)?\s*:?\s+$",
    re.I,
)
_YEAR_RE = re.compile(rf"(?<!\d)({_YEAR})(?!\d)")

EVENT, DEADLINE, PUBLICATION = "event", "deadline", "publication"


@dataclass(frozen=True)
class Mention:
    """A date as written: its day(s) and month(s), and a year only where the text gives one."""

    text: str
    offset: int
    start_day: int | None  # None for a month alone ("June 2021")
    start_month: int
    end_day: int | None
    end_month: int | None
    year: int | None  # the year written (of the end, for a range)
    start_year: int | None  # a range's start year when written apart ("30 December 2020 – ...")
    kind: str = EVENT  # event | deadline | publication

    @property
    def has_day(self) -> bool:
        return self.start_day is not None

    def resolve(self, year: int) -> tuple[date, date | None]:
        """The first and last day; ``year`` is used when the text gives none (the start's year).

        ValueError when there is no such day (31 June) or the range runs backwards.
        """
        if self.end_day is None:
            return date(self.year or year, self.start_month, self.start_day or 1), None
        end_month = self.end_month or self.start_month
        wraps = end_month < self.start_month  # "30 December – 2 January"
        if self.start_year is not None and self.year is not None:
            start_year, end_year = self.start_year, self.year
        elif self.year is not None:  # the year written belongs to the end
            start_year, end_year = self.year - wraps, self.year
        else:
            start_year, end_year = year, year + wraps
        start = date(start_year, self.start_month, self.start_day or 1)
        end = date(end_year, end_month, self.end_day)
        if end <= start:
            raise ValueError("range ends before it starts")
        return start, end


@dataclass(frozen=True)
class FoundDate:
    start: date
    end: date | None  # None for a single day
    text: str  # as written
    offset: int
    has_day: bool
    deadline: bool = False  # "until 25 June": when something ends, not when it happened
    kind: str = EVENT
    year_given: bool = True  # False: the year came from outside the words


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower().replace("i̇", "i")]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def _groups(match: re.Match[str]) -> dict[str, str]:
    return {k.split("_", 1)[1]: v for k, v in match.groupdict().items() if v is not None}


def _kind(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 40) : start]
    if _DEADLINE_BEFORE.search(before) or _DEADLINE_AFTER.match(text[end : end + 25]):
        return DEADLINE
    if _PUBLISHED_BEFORE.search(before):
        return PUBLICATION
    return EVENT


def _mention(g: dict[str, str], text: str, offset: int, kind: str) -> Mention | None:
    year = int(g["y"]) if "y" in g else None
    if "items" in g:
        items = [(m["d"], m["m"]) for m in _ITEM_REGEX.finditer(g["items"])]
        months: list[int] = []
        following = None
        for _, month in reversed(items):  # a day without its month takes the next one named
            following = _month(month) if month else following
            months.insert(0, following)  # type: ignore[arg-type]
        first, last = items[0], items[-1]
        return Mention(text, offset, _day(first[0]), months[0], _day(last[0]), months[-1],
                       year, None, kind)  # fmt: skip
    month = int(g["n1"]) if "n1" in g else _month(g["m1"])
    if not 1 <= month <= 12:
        return None
    start_day = _day(g["d1"]) if "d1" in g else None
    end_day = _day(g["d2"]) if "d2" in g else None
    end_month = _month(g["m2"]) if "m2" in g else (month if end_day else None)
    if end_month and end_day is None:  # months alone: to the last day of the last one
        end_day = calendar.monthrange(year or 2000, end_month)[1]
    start_year = int(g["y1"]) if "y1" in g else None
    return Mention(text, offset, start_day, month, end_day, end_month, year, start_year, kind)


def scan(text: str) -> list[Mention]:
    """Every date mention in the text, in order, whether or not it gives a year."""
    found = []
    for match in _REGEX.finditer(text):
        kind = _kind(text, match.start(), match.end())
        mention = _mention(_groups(match), match.group(), match.start(), kind)
        if mention is not None and (mention.has_day or mention.year):
            found.append(mention)
    return found


def resolved(mention: Mention, year: int | None) -> FoundDate | None:
    """The mention as dates, its own year first, else ``year``; None if neither or no such day."""
    chosen = mention.year or year
    if chosen is None:
        return None
    try:
        start, end = mention.resolve(chosen)
    except ValueError:
        return None  # not a real day (31 June), or a range that runs backwards
    return FoundDate(start, end, mention.text, mention.offset, mention.has_day,
                     mention.kind == DEADLINE, mention.kind, mention.year is not None)  # fmt: skip


def find_dates(text: str, year: int | None = None) -> list[FoundDate]:
    """Every date in the text, in order; ``year`` fills in dates written without one."""
    return [d for m in scan(text) if (d := resolved(m, year)) is not None]


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
