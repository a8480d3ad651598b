"""A story's fields from its words, each with how sure the importer is and whether it guessed.

Fills what the story does not already give: places (a dateline's place first, then the
gazetteer's), partners (the organisations table), the event date (dateguess.py), the author
(a byline) and a suggested programme area. ``Draft.recognised`` is the import report for the
block: per field the value, a confidence (high, medium, low) and how it was found; the fields
that were inferred rather than read are listed in ``guessed`` and stored on the block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newsletter.core.config import LibraryConfig
from newsletter.core.textmatch import unique
from newsletter.library import datefinder, gazetteer
from newsletter.library.areas import suggest_area
from newsletter.library.bulletin import Story
from newsletter.library.dateguess import HIGH, LOW, MEDIUM, DateContext, pick
from newsletter.library.organisations import PartnerIndex

_BY = re.compile(r"^(?:by|written by|story by|text by|words by|hazırlayan|yazan)\s+", re.I)


@dataclass
class Context:
    library: LibraryConfig
    partners: PartnerIndex
    dates: DateContext
    language: str | None = None


@dataclass
class Draft:
    fields: dict[str, Any]
    area_suggested: bool = False
    recognised: dict[str, dict[str, Any]] = field(default_factory=dict)


def _note(value: Any, confidence: str, how: str) -> dict[str, Any]:
    shown = value.isoformat() if isinstance(value, date) else value
    return {"value": shown, "confidence": confidence, "how": how}


def author_of(byline: str) -> str:
    """"By Zeynep Arslan, 12 March 2021" -> "Zeynep Arslan"."""
    name = _BY.sub("", byline)
    for mention in datefinder.scan(name):
        name = name.replace(mention.text, "")
    return re.split(r"\s*[|,·•]\s*", name.strip(" ,|·•–—-"))[0].strip()


def publication_dates(story: Story | None, ctx: DateContext) -> list[date]:
    """The story's date lines and dateline date, as dates (years inferred from the document)."""
    if story is None:
        return []
    texts = [*story.published, story.byline]
    if story.dateline and story.dateline.date_text:
        texts.append(story.dateline.date_text)
    found = [pick(datefinder.scan(t), [], ctx).start for t in texts if t]
    return [d for d in found if d is not None]


def _dates(ctx: Context, text: str, story: Story | None, out: dict, notes: dict) -> bool:
    published = publication_dates(story, ctx.dates)
    chosen = pick(datefinder.scan(text), published, ctx.dates)
    if chosen.published:
        notes["published"] = _note(chosen.published, HIGH, "publication date, not the event")
    if chosen.deadlines:
        notes["deadline"] = _note(chosen.deadlines[0], MEDIUM, "a deadline, not the event")
    if chosen.start is None:
        return False
    out["event_date"], out["event_date_end"] = chosen.start, chosen.end
    shown = f"{chosen.start}..{chosen.end}" if chosen.end else chosen.start
    how = f"{chosen.how}: “{chosen.text}”" if chosen.text else chosen.how
    notes["event_date"] = _note(shown, chosen.confidence, how)
    return chosen.guessed


def _places(text: str, story: Story | None, out: dict, notes: dict) -> None:
    place = story.dateline.place if story and story.dateline else None
    found = unique([*([place] if place else []), *gazetteer.find_places(text)])
    out["places"] = found
    if found:
        known = place is None or gazetteer.lookup(place) is not None
        how = "dateline and gazetteer" if place else "gazetteer"
        notes["places"] = _note(found, HIGH if known else MEDIUM, how)


def _partners(ctx: Context, text: str, out: dict, notes: dict) -> None:
    language = out.get("language") or ctx.language or ctx.library.default_language
    found = ctx.partners.find(text, language)
    out["partners"] = [f.label for f in found]
    if found:
        acronyms_only = [f.label for f in found if not f.full]
        how = "full names" if not acronyms_only else f"acronym only: {', '.join(acronyms_only)}"
        notes["partners"] = _note(out["partners"], MEDIUM if acronyms_only else HIGH, how)


def _area(ctx: Context, title: str, text: str, out: dict, notes: dict) -> bool:
    suggestion = suggest_area(ctx.library, title, text)
    if suggestion is None:
        return False
    out["area"] = suggestion.slug
    confidence = HIGH if suggestion.score >= 4 else MEDIUM if suggestion.score >= 2 else LOW
    keywords = ", ".join(suggestion.keywords)
    notes["area"] = _note(suggestion.slug, confidence, f"keywords: {keywords}")
    return True


def enrich(ctx: Context, fields: dict[str, Any], story: Story | None = None) -> Draft:
    """Fill places, dates, partners, author and a suggested area the fields do not give."""
    text = "\n\n".join(p for p in (fields["title"], fields.get("summary"), fields.get("body")) if p)
    out = dict(fields)
    notes: dict[str, dict[str, Any]] = {}
    guessed = list(out.get("guessed") or [])
    if "places" not in out:
        _places(text, story, out, notes)
    if "partners" not in out:
        _partners(ctx, text, out, notes)
    if "event_date" not in out and _dates(ctx, text, story, out, notes):
        guessed.append("event_date")
    if story is not None and story.byline and author_of(story.byline):
        out["author"] = author_of(story.byline)
        notes["author"] = _note(out["author"], HIGH, f"byline: “{story.byline}”")
    suggested = not out.get("area") and _area(ctx, fields["title"], text, out, notes)
    if suggested:
        guessed.append("area")
    out["guessed"] = unique(guessed)
    return Draft(out, bool(suggested), notes)
