"""Programme areas and partner names: suggesting an area from a block's words, finding partners.

The suggestion is a count of area keywords (each keyword also matches longer words it starts,
so "vaccin" finds "vaccination"); words in the title count double. The officer confirms it:
imported blocks store it as their area and the import output marks it "suggested".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from newsletter.core.config import Area, LibraryConfig
from newsletter.core.errors import UserError
from newsletter.core.textmatch import TermMatcher, fold, unique
from newsletter.library.organisations import PartnerIndex

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


@lru_cache(maxsize=64)
def _keyword_matcher(keywords: tuple[str, ...]) -> TermMatcher:
    # Built once per list of keywords: building the pattern costs more than matching a story.
    return TermMatcher(((k, k) for k in keywords), prefix=True)


def _keyword_hits(area: Area, text: str) -> list[str]:
    return [m.name for m in _keyword_matcher(tuple(area.keywords)).finditer(text)]


def suggest_area(library: LibraryConfig, title: str, body: str) -> Suggestion | None:
    """The area whose keywords the block uses most; None when no keyword appears."""
    best: Suggestion | None = None
    for area in library.areas:
        title_hits, body_hits = _keyword_hits(area, title), _keyword_hits(area, body)
        score = TITLE_WEIGHT * len(title_hits) + len(body_hits)
        if score and (best is None or score > best.score):
            best = Suggestion(area.slug, score, tuple(unique(title_hits + body_hits)))
    return best


def find_partners(partners: list[str], text: str) -> list[str]:
    """Configured partner names in the text, as configured, in order of first mention.

    Acronyms must be written in capitals ("WHO" is a partner, "who" is not) and every name is
    matched as whole words, so "EU" is never found inside "EUR" or "museum". A long name followed
    by its acronym in brackets ("European Union (EU)") counts once, under the long name, even
    where the acronym is used before that. The importer uses the organisations table instead
    (organisations.py), where acronyms and full names are known together.
    """
    return PartnerIndex.from_names(partners).labels(text)
