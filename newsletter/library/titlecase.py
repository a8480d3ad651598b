"""Headings written in capitals ("MIGRATION HEALTH", "GÖÇ VE UYUM") put in title case.

Turkish-aware: a Turkish heading (the block's language is Turkish, or the heading has a letter
only Turkish uses, or a Turkish joining word such as VE or İLE) lowers I to ı and İ to i, and
raises i to İ; Turkish joining words stay lower case ("Göç ve Uyum"). Known acronyms stay in
capitals (IOM, EU, DGMM, and every acronym in the partners table), as do words with digits
("3RP", "COVID-19") and Roman numerals. Places are written as the gazetteer writes them
("ŞANLIURFA'DA" becomes "Şanlıurfa'da", in an English heading too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsletter.core.textmatch import fold
from newsletter.library import gazetteer

ACRONYMS = frozenset({
    "UN", "EU", "IOM", "NGO", "NGOS", "INGO", "CSO", "CSOS", "SME", "SMES", "ID", "GBV", "MHPSS",
    "PSS", "TVET", "ESSN", "CCTE", "SUY", "COVID", "COVID-19", "UK", "USA", "BM", "AB", "STK",
    "KOBİ", "KOBI", "TL", "USD", "EUR", "Q&A", "FAQ", "II", "III", "IV", "VI", "VII", "VIII", "IX",
    "XI", "XII",
})  # fmt: skip
# Plural acronyms written with a small s.
_PLURALS = {"NGOS": "NGOs", "CSOS": "CSOs", "SMES": "SMEs", "INGOS": "INGOs"}
SMALL_EN = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "per", "the", "to", "via", "vs", "with",
})  # fmt: skip
SMALL_TR = frozenset({
    "ve", "ile", "ya", "veya", "da", "de", "ki", "mi", "için", "gibi", "ama", "fakat", "hem",
})  # fmt: skip
_TURKISH_ONLY = set("İıŞşĞğ")

_APOSTROPHE = re.compile(r"['’]")


def is_capitals(text: str) -> bool:
    """Whether the text has letters and none of them is lower case."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and not any(c.islower() for c in letters)


def turkish_lower(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def turkish_upper_first(word: str) -> str:
    if not word:
        return word
    first = {"i": "İ", "ı": "I"}.get(word[0], word[0].upper())
    return first + word[1:]


def _is_turkish(words: list[str], language: str | None) -> bool:
    """Whether the heading is Turkish: by the block's language, else by its joining words."""
    if language:
        return language.split("-")[0] == "tr"
    lowered = {turkish_lower(w.strip(",:;")) for w in words}
    if lowered & (SMALL_TR - {"de", "da", "mi"}):
        return True
    if {w.strip(",:;").lower() for w in words} & SMALL_EN:
        return False
    return any(c in _TURKISH_ONLY for w in words for c in w)


def _place(word: str) -> str | None:
    """The gazetteer's spelling of a one-word place, keeping a Turkish suffix ("'DA" -> "'da")."""
    base, sep, suffix = _APOSTROPHE.split(word, 1)[0], "", ""
    if _APOSTROPHE.search(word):
        sep = _APOSTROPHE.search(word).group()  # type: ignore[union-attr]
        suffix = word.split(sep, 1)[1]
    place = gazetteer.lookup(base)
    if place is None or " " in place.name or fold(place.name) != fold(base):
        return None
    return place.name + sep + turkish_lower(suffix)


_EDGE = "()[]\"“”‘’'.,:;!?"


def _case_part(part: str, first: bool, turkish: bool, acronyms: frozenset[str]) -> str:
    """One word, or one part of a hyphenated word, in title case."""
    bare = part.strip(_EDGE)
    if not bare or not any(c.isalpha() for c in bare):
        return part
    key = bare.upper()
    if key in _PLURALS:
        return part.replace(bare, _PLURALS[key])
    if key in acronyms or key in ACRONYMS or any(c.isdigit() for c in bare):
        return part
    place = _place(bare)
    if place is not None:
        return part.replace(bare, place)
    turkish = turkish or any(c in _TURKISH_ONLY for c in bare)
    low = turkish_lower(bare) if turkish else bare.lower()
    if not first and low in (SMALL_TR if turkish else SMALL_EN):
        return part.replace(bare, low)
    return part.replace(bare, turkish_upper_first(low) if turkish else low[:1].upper() + low[1:])


def _case_word(word: str, first: bool, turkish: bool, acronyms: frozenset[str]) -> str:
    parts = word.split("-")
    return "-".join(
        _case_part(part, first and i == 0, turkish, acronyms) if i == 0 or part else part
        for i, part in enumerate(parts)
    )


def title_case(text: str, language: str | None = None, acronyms: Iterable[str] = ()) -> str:
    """The heading in title case when it is written in capitals; otherwise unchanged."""
    if not is_capitals(text):
        return text
    known = frozenset(a.upper() for a in acronyms)
    words = text.split()
    turkish = _is_turkish(words, language)
    pieces = re.split(r"(\s+)", text)
    out, first = [], True
    for piece in pieces:
        if not piece or piece.isspace():
            out.append(piece)
            continue
        out.append(_case_word(piece, first, turkish, known))
        # A word after a colon or a dash starts a new phrase, so it is capitalised too.
        first = piece.endswith((":", "–", "—")) or piece in ("-", "–", "—")
    return "".join(out)
