"""Turkish-aware text folding and whole-word term matching, shared by search and recognisers.

``fold`` maps every character to exactly one character, so positions in the folded text are
positions in the original: recognisers match on the folded text and report the original words.
Folding drops Turkish diacritics and both dotted and dotless i, so "ŞANLIURFA", "Şanlıurfa"
and "sanliurfa" are one key, as officers type them either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_TABLE = str.maketrans(
    {
        "İ": "i",
        "I": "i",
        "ı": "i",
        "Ş": "s",
        "ş": "s",
        "Ğ": "g",
        "ğ": "g",
        "Ç": "c",
        "ç": "c",
        "Ö": "o",
        "ö": "o",
        "Ü": "u",
        "ü": "u",
        "Â": "a",
        "â": "a",
        "Î": "i",
        "î": "i",
        "Û": "u",
        "û": "u",
        "’": "'",
        "‘": "'",
    }
)


def fold(text: str) -> str:
    """Lower-case without Turkish diacritics, one character out for each character in."""
    out = []
    for ch in text.translate(_TABLE):
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Match:
    name: str  # the canonical name the term stands for
    start: int
    end: int
    text: str  # the words as written


class TermMatcher:
    """Finds whole-word occurrences of terms (aliases of canonical names), longest first."""

    def __init__(self, terms: Iterable[tuple[str, str]], prefix: bool = False) -> None:
        """``terms`` are (alias, canonical name); ``prefix`` lets an alias start a longer word."""
        self._names: dict[str, str] = {}
        for alias, name in terms:
            key = " ".join(fold(alias).split())
            if key:
                self._names.setdefault(key, name)
        alternatives = sorted(self._names, key=len, reverse=True)
        tail = "" if prefix else r"(?!\w)"
        body = "|".join(r"\s+".join(map(re.escape, a.split())) for a in alternatives) or "(?!)"
        self._regex = re.compile(rf"(?<!\w)({body}){tail}")

    def finditer(self, text: str) -> list[Match]:
        folded = fold(text)
        found = []
        for m in self._regex.finditer(folded):
            key = re.sub(r"\s+", " ", m.group(1))
            found.append(Match(self._names[key], m.start(), m.end(), text[m.start() : m.end()]))
        return found


def unique(items: Iterable[str]) -> list[str]:
    """The items in first-seen order without repeats."""
    return list(dict.fromkeys(items))
