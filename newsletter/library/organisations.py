"""Partners and donors found in a story: full names and acronyms, English and Turkish, once each.

Each organisation is known by its acronym, its full name in English and in Turkish and any
aliases ("World Food Programme", "WFP", "Dünya Gıda Programı"); a story naming it any of those
ways lists it once. It is listed under its full name when the story spells one out, else under
its acronym ("EU" for "an EU-funded centre", "European Union" once "European Union (EU)" or
"European Union Delegation to Turkey" appears), in Turkish for a Turkish block.

Matching is on whole words, ignoring case, Turkish letters and hyphens ("Directorate-General"
is "Directorate General"), with two cautions: an acronym counts only when written in capitals
or exactly as known ("WHO" and "KfW", never "who"), and a full name only when it starts with a
capital ("the World Bank", not "the world bank"). A long name followed by an acronym in brackets
("Some Network (SN)") makes that acronym the same organisation in that story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsletter.core.textmatch import fold

_HYPHENS = str.maketrans({"-": " ", "‐": " ", "‑": " "})


@dataclass(frozen=True)
class Org:
    name: str
    acronym: str = ""
    name_tr: str = ""
    acronym_tr: str = ""
    aliases: tuple[str, ...] = ()
    kind: str = "partner"

    def label(self, full: bool, language: str | None) -> str:
        turkish = bool(language) and (language or "").split("-")[0] == "tr"
        if full or not (self.acronym or self.acronym_tr):
            return (self.name_tr if turkish and self.name_tr else "") or self.name
        return (self.acronym_tr if turkish and self.acronym_tr else "") or self.acronym

    def forms(self) -> list[tuple[str, bool]]:
        """Every way of writing it, with whether the form is an acronym."""
        acronyms = [(a, True) for a in (self.acronym, self.acronym_tr) if a]
        names = [(n, _looks_like_acronym(n)) for n in (self.name, self.name_tr, *self.aliases) if n]
        return acronyms + names


@dataclass
class Found:
    """One organisation in one story, with the words that named it."""

    org: Org
    label: str
    full: bool  # a full name was written, not only the acronym
    first: int  # offset of the first mention
    written: list[str] = field(default_factory=list)


def _looks_like_acronym(name: str) -> bool:
    return not any(ch.islower() for ch in name)


def key(text: str) -> str:
    """The matching key of a name: folded, hyphens as spaces, one space between words."""
    return " ".join(fold(text).translate(_HYPHENS).split())


def _bracketed(text: str, name_end: int, start: int, end: int) -> bool:
    """Whether the words at start:end follow a name in brackets: "European Union (EU)"."""
    return text[name_end:start].strip() == "(" and text[end:].startswith(")")


class PartnerIndex:
    """Every organisation's forms as one whole-word pattern, longest first."""

    def __init__(self, orgs: Iterable[Org]) -> None:
        self.orgs = list(orgs)
        self._forms: dict[str, tuple[int, str, bool]] = {}  # key -> (org, form, acronym)
        for number, org in enumerate(self.orgs):
            for form, is_acronym in org.forms():
                self._forms.setdefault(key(form), (number, form, is_acronym))
        alternatives = sorted(self._forms, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, k.split())) for k in alternatives) or "(?!)"
        self._regex = re.compile(rf"(?<!\w)({body})(?!\w)")

    @classmethod
    def from_names(cls, names: Iterable[str]) -> PartnerIndex:
        """Plain configured names, each its own organisation (acronyms are names in capitals)."""
        return cls(Org(name=n, acronym=n if _looks_like_acronym(n) else "") for n in names)

    @property
    def acronyms(self) -> set[str]:
        return {a for o in self.orgs for a in (o.acronym, o.acronym_tr) if a}

    def find(self, text: str, language: str | None = None) -> list[Found]:
        """The organisations the text names, in order of first mention, each once."""
        folded = fold(text).translate(_HYPHENS)
        found: dict[int, Found] = {}
        same_as: dict[int, int] = {}  # an acronym's organisation -> the long name before it
        previous: tuple[int, int, bool] | None = None  # org, end offset, full name
        for match in self._regex.finditer(folded):
            number, form, is_acronym = self._forms[re.sub(r"\s+", " ", match.group(1))]
            written = text[match.start() : match.end()]
            if is_acronym and written != form and any(c.islower() for c in written):
                continue
            if not is_acronym and written[:1].islower():
                continue
            follows_name = previous and is_acronym and previous[0] != number and previous[2]
            if follows_name and _bracketed(text, previous[1], match.start(), match.end()):  # type: ignore[index]
                same_as[number] = previous[0]  # type: ignore[index]
            target = same_as.get(number, number)
            entry = found.setdefault(target, Found(self.orgs[target], "", False, match.start()))
            entry.full = entry.full or not is_acronym or target != number
            entry.written.append(written)
            previous = (target, match.end(), not is_acronym)
        for number, other in same_as.items():  # an acronym seen before its long name counts once
            if number in found and other in found and number != other:
                merged = found.pop(number)
                found[other].written += merged.written
                found[other].first = min(found[other].first, merged.first)
        ordered = sorted(found.values(), key=lambda f: f.first)
        for entry in ordered:
            entry.label = entry.org.label(entry.full, language)
        return ordered

    def labels(self, text: str, language: str | None = None) -> list[str]:
        return [f.label for f in self.find(text, language)]
