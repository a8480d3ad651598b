"""The personal lines of an issue, the greeting and "why you get this", for both parts.

Each is written once per edition with personal-field markers (``personalise``) and filled per
recipient: "Dear Ayşe," when the name is known, the plain greeting otherwise, never "Dear ,".
The HTML version isolates the personal values in ``<bdi>`` in right-to-left editions, so a
Latin name or address keeps its place in an Arabic sentence; the text version has no markup.

An edition may bring its own greeting (``IssueView.greeting``): ``None`` keeps the theme's,
``""`` leaves the greeting out, and any other text is used with ``{name}`` where the reader's
name goes. Without a name the same text is used with ``{name}`` (and the space before it)
left out: "مرحباً {name}،" becomes "مرحباً،".
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from newsletter.rendering.personalise import markers
from newsletter.rendering.safe_markdown import neutralise_markers

NAME = "{name}"
_NAMELESS = re.compile(r"^\s*\{name\}[\s,،:;!.]*|\s*\{name\}")


@dataclass(frozen=True)
class Line:
    html: Markup
    text: str


def _fill(template: str, values: dict[str, str], isolate: bool) -> Line:
    """``template`` with each ``{key}`` replaced: the HTML escaped, values isolated if asked."""
    if not values:
        return Line(escape(template), template)
    pattern = re.compile("|".join(re.escape("{" + k + "}") for k in values))
    html, text, pos = Markup(""), "", 0
    for match in pattern.finditer(template):
        literal = template[pos : match.start()]
        value = values[match.group()[1:-1]]
        html += escape(literal) + (Markup("<bdi>%s</bdi>") % value if isolate else escape(value))
        text += literal + value
        pos = match.end()
    return Line(html + escape(template[pos:]), text + template[pos:])


def _conditional(p: dict[str, str], field: str, present: Line, absent: Line) -> Line:
    """Both variants behind the markers that pick one per recipient."""
    on, off, end = p[f"if_{field}"], p[f"if_no_{field}"], p["end"]
    return Line(
        Markup(on) + present.html + Markup(end + off) + absent.html + Markup(end),
        f"{on}{present.text}{end}{off}{absent.text}{end}",
    )


def greeting(labels: dict[str, str], custom: str | None = None, isolate: bool = False) -> Line:
    """The greeting: the theme's, the edition's own (``custom``), or none (``custom == ""``)."""
    return _greeting(labels["greeting_named"], labels["greeting"], custom, isolate)


@lru_cache(maxsize=256)  # the same few words for every render of an edition
def _greeting(named: str, nameless: str, custom: str | None, isolate: bool) -> Line:
    if custom is not None and not custom.strip():
        return Line(Markup(""), "")
    if custom is not None:
        named = neutralise_markers(" ".join(custom.split()))
        nameless = _NAMELESS.sub("", named, count=1) if NAME in named else named
    if named == nameless:  # no name in it: the same words for everyone
        return _fill(named, {}, isolate)
    p = markers()
    return _conditional(
        p, "name", _fill(named, {"name": p["name"]}, isolate), _fill(nameless, {}, isolate)
    )


def why(labels: dict[str, str], organisation: str, isolate: bool) -> Line:
    """Why the reader gets this email, or, on the web version, whose newsletter it is."""
    return _why(labels["why"], labels["why_public"], organisation, isolate)


@lru_cache(maxsize=256)
def _why(personal: str, public: str, organisation: str, isolate: bool) -> Line:
    p = markers()
    return _conditional(
        p,
        "email",
        _fill(personal, {"email": p["email"], "organisation": organisation}, isolate),
        _fill(public, {"organisation": organisation}, isolate),
    )


# An address as long as most are: the width the reader's own address takes when wrapping.
ADDRESS_WIDTH = 28


def why_text(labels: dict[str, str], organisation: str, width: int) -> list[str]:
    """The "why you get this" lines of the text part, wrapped within ``width`` as each reader
    sees them: the personal and the public variant are wrapped apart (only one is shown), and
    the address marker counts as a typical address, not as the few characters it is."""
    return list(_why_text(labels["why"], labels["why_public"], organisation, width))


@lru_cache(maxsize=256)
def _why_text(personal: str, public: str, organisation: str, width: int) -> tuple[str, ...]:
    p = markers()
    stand_in = "\ue0ff" * ADDRESS_WIDTH  # one unbreakable word, as long as an address

    def wrapped(template: str, values: dict[str, str]) -> str:
        text = template.format_map({**values, "email": stand_in})
        lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
        return "\n".join(lines).replace(stand_in, p["email"])

    on, off, end = p["if_email"], p["if_no_email"], p["end"]
    present = wrapped(personal, {"organisation": organisation})
    absent = wrapped(public, {"organisation": organisation})
    return (f"{on}{present}{end}{off}{absent}{end}",)
