"""Places in Türkiye: the 81 provinces, common cities and districts, border crossings, airports.

The list lives in ``data/gazetteer.txt``. Recognition is deliberately cautious: whole words only,
and the name must start with a capital letter as written, so "a van" or "batman" in running
English text are not places while "Van" and "BATMAN" are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsletter.core.textmatch import TermMatcher, fold, unique

DATA_FILE = "gazetteer.txt"


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # province | city | district | border crossing | airport
    province: str
    aliases: tuple[str, ...] = ()


def parse_gazetteer(text: str) -> list[Place]:
    places = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not all(parts[:3]):
            raise ValueError(f"{DATA_FILE} line {number}: expected 'name | kind | province | ...'")
        aliases = tuple(a.strip() for a in parts[3].split(",") if a.strip())
        places.append(Place(parts[0], parts[1], parts[2], aliases))
    return places


@cache
def places() -> tuple[Place, ...]:
    text = resources.files("newsletter").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return tuple(parse_gazetteer(text))


@cache
def _by_key() -> dict[str, Place]:
    out: dict[str, Place] = {}
    for place in places():
        for alias in (place.name, *place.aliases):
            out.setdefault(fold(alias), place)
    return out


@cache
def _matcher() -> TermMatcher:
    return TermMatcher((alias, p.name) for p in places() for alias in (p.name, *p.aliases))


def lookup(name: str) -> Place | None:
    """The place a name (any known spelling, any case) stands for, if known."""
    return _by_key().get(" ".join(fold(name).split()))


def provinces() -> list[Place]:
    return [p for p in places() if p.kind == "province"]


def find_places(text: str) -> list[str]:
    """Canonical names of the places the text names, in order of first mention."""
    found = [m.name for m in _matcher().finditer(text) if m.text[:1].isupper()]
    return unique(found)


def within(place_name: str, area_name: str) -> bool:
    """Whether ``place_name`` is ``area_name`` or lies in the province ``area_name``."""
    place, area = lookup(place_name), lookup(area_name)
    if place is None or area is None:
        return fold(place_name).strip() == fold(area_name).strip()
    return place == area or (area.kind == "province" and fold(place.province) == fold(area.name))
