"""Programme areas and partner names: suggesting an area from a block's words, finding partners.

The suggestion is a count of area keywords (each keyword also matches longer words it starts,
so "vaccin" finds "vaccination"); words in the title count double. The officer confirms it:
imported blocks store it as their area and the import output marks it "suggested".
"""

from __future__ import annotations

from dataclasses import dataclass

from newsletter.core.config import Area, LibraryConfig
from newsletter.core.errors import UserError
from newsletter.core.textmatch import Match, TermMatcher, fold, unique

TITLE_WEIGHT = 2


@dataclass(frozen=True)
class Suggestion:
    slug: str
    score: int
    keywords: tuple[str, ...]  # the keywords that were found, for the officer to judge


def area_slug(library: LibraryConfig, value: str) -> str:
    """The slug for an area given by slug or name (any case); a UserError lists the choices."""
    key = fold(value.strip())
    for area in library.areas:
        if key in (fold(area.slug), fold(area.name)):
            return area.slug
    choices = ", ".join(a.slug for a in library.areas)
    raise UserError(f"area: unknown programme area '{value}' (choose one of: {choices})")


def area_name(library: LibraryConfig, slug: str | None) -> str:
    return next((a.name for a in library.areas if a.slug == slug), slug or "")


def _keyword_hits(area: Area, text: str) -> list[str]:
    matcher = TermMatcher(((k, k) for k in area.keywords), prefix=True)
    return [m.name for m in matcher.finditer(text)]


def suggest_area(library: LibraryConfig, title: str, body: str) -> Suggestion | None:
    """The area whose keywords the block uses most; None when no keyword appears."""
    best: Suggestion | None = None
    for area in library.areas:
        title_hits, body_hits = _keyword_hits(area, title), _keyword_hits(area, body)
        score = TITLE_WEIGHT * len(title_hits) + len(body_hits)
        if score and (best is None or score > best.score):
            best = Suggestion(area.slug, score, tuple(unique(title_hits + body_hits)))
    return best


def _is_acronym(name: str) -> bool:
    return not any(ch.islower() for ch in name)


def find_partners(partners: list[str], text: str) -> list[str]:
    """Configured partner names in the text, as configured, in order of first mention.

    Acronyms must be written in capitals ("WHO" is a partner, "who" is not) and every name is
    matched as whole words, so "EU" is never found inside "EUR" or "museum". A long name followed
    by its acronym in brackets ("European Union (EU)") counts once, under the long name, even
    where the acronym is used before that.
    """
    matcher = TermMatcher((p, p) for p in partners)
    found: list[str] = []
    same_as: dict[str, str] = {}  # acronym -> the long name it was introduced with
    previous: Match | None = None
    for match in matcher.finditer(text):
        if _is_acronym(match.name) and match.text != match.text.upper():
            continue
        if match.text[:1].islower():
            continue
        if previous and _is_acronym(match.name) and _bracketed_after(text, previous, match):
            same_as[match.name] = previous.name
        found.append(same_as.get(match.name, match.name))
        previous = match
    # An acronym seen before its long name was introduced (say, in the title) is the same partner.
    return unique(same_as.get(name, name) for name in found)


def _bracketed_after(text: str, previous: Match, match: Match) -> bool:
    return text[previous.end : match.start].strip() == "(" and text[match.end :].startswith(")")
