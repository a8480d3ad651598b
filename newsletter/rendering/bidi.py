"""Writing direction: which languages read right to left, and how mixed runs keep their order.

Babel's CLDR data decides the direction and the script of a language, so a locale it knows
needs no list here. In a right-to-left edition, values that may be in another script (a
reader's name, an organisation, a place, a photographer) are isolated in ``<bdi>`` in the HTML,
so "مرحباً Ayşe Yılmaz،" keeps its order; the plain-text part has no elements, so each of its
lines starts with a direction mark instead (RLM, or LRM for a left-to-right block inside a
right-to-left edition), since every line of plain text is a bidi paragraph of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from markupsafe import Markup, escape

# Used when Babel does not know the language (or its data has no direction).
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ckb", "ps", "sd", "ug", "yi", "dv"})
RLM = "\u200f"  # right-to-left mark: an invisible strong right-to-left character
LRM = "\u200e"  # left-to-right mark
# Arrows are not mirrored by the bidi algorithm: a "read more" arrow must be chosen.
ARROWS = {"ltr": Markup("&#8594;"), "rtl": Markup("&#8592;")}


def base(language: str) -> str:
    """'ar' of 'ar-EG' or 'ar_EG'."""
    return language.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


@lru_cache(maxsize=64)
def is_rtl(language: str) -> bool:
    loc = _locale(language) if language else None
    if loc is not None and loc.character_order:
        return loc.character_order == "right-to-left"
    return base(language) in RTL_LANGUAGES


def direction(language: str) -> str:
    return "rtl" if is_rtl(language) else "ltr"


def start_side(language: str) -> str:
    """The side lines start from: where text aligns and where a quote bar goes."""
    return "right" if is_rtl(language) else "left"


def end_side(language: str) -> str:
    return "left" if is_rtl(language) else "right"


@lru_cache(maxsize=64)
def script(language: str) -> str:
    """The ISO 15924 script a language is usually written in ('Arab', 'Latn'), or ''."""
    loc = _locale(language)
    if loc is not None and loc.script:
        return loc.script
    likely = get_global("likely_subtags").get(base(language), "")
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else ""  # "ar_Arab_EG"


def language_name(code: str, in_language: str) -> str:
    """A language's name as readers of ``in_language`` call it ('الإنجليزية', 'İngilizce')."""
    loc = _locale(in_language)
    name = loc.languages.get(base(code), "") if loc is not None else ""
    return name or code


def isolate(value: str, on: bool) -> Markup:
    """``value`` escaped, in ``<bdi>`` when it sits in right-to-left text (``on``)."""
    return Markup("<bdi>%s</bdi>") % value if on else escape(value)


def join_text(values: Iterable[str], separator: str, rtl: bool) -> str:
    """Plain-text list; in right-to-left text an RLM after each separator keeps two Latin
    names apart (else "Ödemiş، İzmir" reads as one left-to-right run, in the wrong order)."""
    return (separator.rstrip() + RLM + " " if rtl else separator).join(values)


def mark_lines(lines: Iterable[str], own: str, edition: str) -> list[str]:
    """Lines of the text part with the mark that fixes their direction: RLM for right-to-left
    content, LRM for left-to-right content inside a right-to-left edition, else nothing
    (left-to-right editions stay exactly as they were). Blank lines stay blank."""
    prefix = RLM if own == "rtl" else LRM if edition == "rtl" else ""
    lines = list(lines)
    if not prefix:
        return lines
    return [
        "\n".join(prefix + part if part.strip() else part for part in line.split("\n"))
        for line in lines
    ]
