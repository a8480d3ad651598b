"""A story's event date: which date it is, and the year of a date written without one.

The event is the first date of the story that is neither a deadline ("applications until 25
June") nor a publication date ("Wednesday 18 December 2019" under the headline), days before
months alone. A date with its year written is certain. Otherwise the year is inferred, and the
value is marked as a guess: from the story's own dates written with a year first, then from the
document's, choosing the year that puts the date nearest to one of them ("between 22 and 24
December" in a bulletin of October-November 2020 and January 2021 is December 2020), or for a
deadline the first year that puts it after them; else from the years the document names. The
officer's ``--year`` is not a guess. A story with no event date at all takes its publication
date, else the document's date, as a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from newsletter.library.datefinder import DEADLINE, EVENT, PUBLICATION, Mention, resolved

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class DatePick:
    start: date | None = None
    end: date | None = None
    text: str = ""  # the words it came from
    how: str = ""  # for the import report
    confidence: str = ""
    guessed: bool = False
    deadlines: tuple[date, ...] = ()
    published: date | None = None


@dataclass
class DateContext:
    """What a story's dates are read against: the document and the officer's choices."""

    anchors: list[date] = field(default_factory=list)  # dates of the document, written in full
    document_date: date | None = None  # from the page header ("January 2021")
    fixed_year: int | None = None  # --year
    fallback_year: int | None = None  # the year the document names most, with no full date


def explicit(mentions: Iterable[Mention]) -> list[date]:
    """The first days of the mentions that give their year."""
    out = []
    for mention in mentions:
        if mention.year and (found := resolved(mention, None)):
            out.append(found.start)
    return out


def nearest_year(mention: Mention, anchors: list[date]) -> int | None:
    """The year that puts the mention nearest to one of the anchors (ties: the earlier year)."""
    best: tuple[int, int] | None = None
    for year in sorted({a.year + step for a in anchors for step in (-1, 0, 1)}):
        try:
            start, _ = mention.resolve(year)
        except ValueError:
            continue
        distance = min(abs((start - a).days) for a in anchors)
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def coming_year(mention: Mention, anchors: list[date]) -> int | None:
    """For a deadline: the first year that puts it after the latest anchor (less a month),
    since a call announced in a document closes after the document was written."""
    latest = max(anchors)
    for year in (latest.year - 1, latest.year, latest.year + 1):
        try:
            start, _ = mention.resolve(year)
        except ValueError:
            continue
        if (start - latest).days >= -31:
            return year
    return None


def _year(mention: Mention, own: list[date], ctx: DateContext) -> tuple[int, str, str] | None:
    """(year, how, confidence) for a mention; None when no year can be had."""
    if mention.year:
        return mention.year, "written in full", HIGH
    if ctx.fixed_year:
        return ctx.fixed_year, "year given with --year", HIGH
    choose = coming_year if mention.kind == DEADLINE else nearest_year
    if own and (year := choose(mention, own)):
        return year, "year from the story's other dates", MEDIUM
    if ctx.anchors and (year := choose(mention, ctx.anchors)):
        return year, "year from the document's dates", LOW
    if ctx.fallback_year:
        return ctx.fallback_year, "year the document names", LOW
    return None


def _resolve(mention: Mention, own: list[date], ctx: DateContext) -> DatePick | None:
    found = _year(mention, own, ctx)
    if found is None:
        return None
    year, how, confidence = found
    dates = resolved(mention, year)
    if dates is None:
        return None
    if not mention.has_day:
        how, confidence = f"month only, {how}", LOW if confidence != HIGH else MEDIUM
    guessed = not (mention.year or ctx.fixed_year)
    return DatePick(dates.start, dates.end, mention.text, how, confidence, guessed)


def pick(mentions: list[Mention], published: list[date], ctx: DateContext) -> DatePick:
    """The story's event date from its date mentions; ``published``: its publication dates."""
    own = explicit(mentions) + published
    deadlines = tuple(
        d.start for m in mentions if m.kind == DEADLINE and (d := _resolve(m, own, ctx)) and d.start
    )
    in_text = [d.start for m in mentions if m.kind == PUBLICATION and (d := _resolve(m, own, ctx))]
    publication = next((d for d in [*published, *in_text] if d), None)
    events = sorted(
        (m for m in mentions if m.kind == EVENT), key=lambda m: (not m.has_day, m.offset)
    )
    for mention in events:
        chosen = _resolve(mention, own, ctx)
        if chosen is not None:
            return DatePick(chosen.start, chosen.end, chosen.text, chosen.how, chosen.confidence,
                            chosen.guessed, deadlines, publication)  # fmt: skip
    if publication is not None:
        return DatePick(publication, None, "", "no event date: the publication date", LOW, True,
                        deadlines, publication)  # fmt: skip
    if ctx.document_date is not None:
        return DatePick(ctx.document_date, None, "", "no event date: the document's date", LOW,
                        True, deadlines)  # fmt: skip
    return DatePick(deadlines=deadlines)
