"""What a paragraph of a pasted document looks like: headline, prose, date line, quote, dateline.

Pure predicates on one paragraph (or two: an attribution needs its quote), used by the
segmenter. A headline is recognised by its shape: one short line without a final full stop
(closing quotes and brackets do not count, so 'said “thank you.”' is prose and
"‘Our Children Are Back at School’" is a headline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsletter.library import datefinder, gazetteer

MAX_HEADLINE = 300  # after a gap of two blank lines (bulletins), as before
MAX_HEADING = 200  # by shape alone
MAX_LABEL = 100  # a document-type line or section label ("KEY PROGRAMMES") is short
_CLOSERS = '”’"»)]*_ '
OPENERS = '“"«„‘'
_QUOTE_CLOSERS = '”"»’'
_SENTENCE_END = (".", ",", ";", ":", "…")
_WEEKDAYS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|"
    r"thurs|fri|sat|sun|pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar)\b\.?",
    re.I,
)
_META_WORDS = re.compile(
    r"\b(?:published|posted|issued|updated|released|last|date|dated|on|yayın|yayınlanma|"
    r"tarihi|tarih)\b",
    re.I,
)
_BYLINE = re.compile(r"^(?:by|written by|story by|text by|words by|hazırlayan|yazan)\s+\S", re.I)
# A dateline's dash: spaced hyphen or en dash, or an em dash with or without spaces.
_DATELINE_DASH = re.compile(r"\s+[-–]{1,2}\s+|\s*[—―]\s*|\s+–|–\s+")
_NOT_PLACES = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "in", "on", "at", "our", "we", "it", "its",
    "he", "she", "they", "his", "her", "their", "after", "before", "during", "for", "with", "when",
    "while", "as", "today", "yesterday", "last", "next", "more", "some", "many", "all", "every",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "bu", "bir",
    "şu", "o", "ve",
})  # fmt: skip


@dataclass
class Paragraph:
    text: str
    line: int  # 1-based line of its first line in the file
    gap_before: int  # blank lines before it
    lines: int = 1


@dataclass(frozen=True)
class Dateline:
    place: str | None  # as the gazetteer writes it, else as written
    date_text: str | None
    rest: str  # the paragraph without the dateline


def final_char(text: str) -> str:
    stripped = text.rstrip(_CLOSERS)
    return stripped[-1:] if stripped else ""


def headline_like(p: Paragraph, limit: int = MAX_HEADING) -> bool:
    """One short line that does not end a sentence."""
    return (
        p.lines == 1
        and len(p.text) <= limit
        and not p.text.endswith(_SENTENCE_END)
        and (final_char(p.text) not in _SENTENCE_END)
    )


def is_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and not any(c.islower() for c in letters)


def words(text: str) -> int:
    return len(text.split())


def is_date_line(p: Paragraph) -> bool:
    """A line that is only a date, with a weekday, a place or "Published on" around it."""
    if p.lines != 1 or len(p.text) > 80:
        return False
    mentions = datefinder.scan(p.text)
    if not mentions or not any(m.has_day or m.year for m in mentions):
        return False
    rest = p.text
    for mention in mentions:
        rest = rest.replace(mention.text, " ")
    rest = _META_WORDS.sub(" ", _WEEKDAYS.sub(" ", rest))
    leftover = " ".join(w for w in re.split(r"[\s,|/·•:–—-]+", rest) if w)
    if not leftover:
        return True
    # What is left must be the place the date was written in ("Ankara, 18 December 2019").
    placed = p.text.startswith(leftover) and p.text[len(leftover) :].lstrip().startswith(",")
    return words(leftover) <= 2 and (placed or gazetteer.lookup(leftover) is not None)


def is_byline(p: Paragraph) -> bool:
    return p.lines == 1 and words(p.text) <= 14 and bool(_BYLINE.match(p.text))


def is_quote(p: Paragraph) -> bool:
    """A paragraph that is one quotation from its first character to its last."""
    text = p.text.strip()
    return len(text) > 12 and text[0] in OPENERS and text[-1] in _QUOTE_CLOSERS


def is_pulled_quote(p: Paragraph, following: Paragraph | None) -> bool:
    """A quotation set apart, with its speaker on the next line ("— Ayşe, trainee")."""
    if not is_quote(p) or following is None or following.lines != 1:
        return False
    said = final_char(p.text) in ".!?…"  # a sentence, not a quoted headline
    attribution = words(following.text) <= 15 and len(following.text) <= 150
    dash = following.text[:1] in "—–―-~"
    return attribution and (dash or said and final_char(following.text) not in ".")


def _place_part(part: str) -> bool:
    tokens = part.split()
    if not 1 <= len(tokens) <= 3 or tokens[0].lower() in _NOT_PLACES:
        return False
    return all(t[:1].isupper() and t.rstrip(".").replace("’", "").replace("'", "").isalpha()
               for t in tokens)  # fmt: skip


def dateline(text: str) -> Dateline | None:
    """The dateline opening a release ("Ankara – ...", "GENEVA—...", "Gaziantep, 3 May 2021 –")."""
    match = _DATELINE_DASH.search(text[:80])
    if not match or match.start() == 0:
        return None
    head, rest = text[: match.start()], text[match.end() :]
    if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in OPENERS):
        return None
    place, date_text = None, None
    for part in (p.strip() for p in head.split(",")):
        mentions = datefinder.scan(part)
        if mentions and date_text is None and len(mentions[0].text) >= len(part) - 12:
            date_text = part
        elif place is None and date_text is None and _place_part(part):
            place = part
        elif place is not None and date_text is None and _place_part(part) and len(part) < 20:
            continue  # "Gaziantep, Türkiye –": the country after the city
        else:
            return None
    if place is None and date_text is None:
        return None
    if place is not None and words(place) > 2 and gazetteer.lookup(place) is None:
        return None
    return Dateline(_place_name(place) if place else None, date_text, rest)


def _place_name(written: str) -> str:
    known = gazetteer.lookup(written)
    if known is not None:
        return known.name
    if is_capitals(written):
        return " ".join(w[:1] + w[1:].lower() for w in written.split())
    return written
