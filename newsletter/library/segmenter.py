"""Which headings start a story: headings are found by shape, stories by the document's habits.

A heading is a run of short lines (a headline, maybe a sub-title, a date line, a byline)
followed by prose. Whether it starts a new story or is a sub-heading inside the current one
depends on how the document marks its stories, tried in this order:

1. Gaps: a bulletin that separates its stories with two or more blank lines (at least half of
   them) starts stories only after such a gap.
2. Signs: when two or more headings carry a date line, a byline or a sub-title, or open on a
   dateline ("Ankara – ..."), as press releases do, only headings with a sign start a story.
3. Capitals: in a document whose headings are mostly in capitals (an overview), the headings in
   capitals start the blocks; a heading in small letters is a sub-heading.
4. Otherwise every heading starts a story, except a heading whose case differs from most
   headings (a capitalised sub-heading), one followed by a paragraph that goes on about someone
   already named ("She ...", "Their ..."), and, when only the first heading carried a sign
   (a feature with its byline), every later heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsletter.library.boilerplate import is_label
from newsletter.library.shapes import (
    MAX_HEADLINE,
    MAX_LABEL,
    Paragraph,
    dateline,
    headline_like,
    is_byline,
    is_capitals,
    is_date_line,
    is_pulled_quote,
)

SHORT, DATE, BYLINE, QUOTE, ATTRIBUTION, PROSE = (
    "short", "date", "byline", "quote", "attribution", "prose",
)  # fmt: skip
_HEADING_KINDS = (SHORT, DATE, BYLINE)
_CONTINUING = frozenset({
    "she", "he", "they", "her", "his", "their", "its", "it", "hers", "theirs",
})  # fmt: skip


@dataclass
class Run:
    """Consecutive short lines (indices into the paragraphs) and what they were read as."""

    members: list[int]
    heading: bool  # followed by prose: a heading, not a stray line
    page: list[int] = field(default_factory=list)  # page headings above the first story
    labels: list[int] = field(default_factory=list)  # section labels ("KEY PROGRAMMES")
    document_meta: list[int] = field(default_factory=list)  # the page header's date line
    headline: int | None = None
    subtitle: list[int] = field(default_factory=list)
    meta: list[int] = field(default_factory=list)  # the story's date lines and bylines
    signed: bool = False
    start: bool = False
    how: str = ""


def classify(paras: list[Paragraph], gap_mode: bool) -> list[str]:
    kinds: list[str] = []
    for i, p in enumerate(paras):
        following = paras[i + 1] if i + 1 < len(paras) else None
        if kinds and kinds[-1] == QUOTE:
            kinds.append(ATTRIBUTION)
        elif is_pulled_quote(p, following):
            kinds.append(QUOTE)
        elif is_date_line(p):
            kinds.append(DATE)
        elif is_byline(p):
            kinds.append(BYLINE)
        elif headline_like(p) or gap_mode and _after_gap_headline(paras, i):
            kinds.append(SHORT)
        else:
            kinds.append(PROSE)
    return kinds


def _after_gap_headline(paras: list[Paragraph], i: int) -> bool:
    p, following = paras[i], paras[i + 1] if i + 1 < len(paras) else None
    after_gap = i == 0 or p.gap_before >= 2
    body_follows = following is not None and following.gap_before < 2
    return after_gap and body_follows and p.lines == 1 and len(p.text) <= MAX_HEADLINE


def runs(paras: list[Paragraph], kinds: list[str]) -> list[Run]:
    """Runs of short lines; a gap of two blank lines always ends a run."""
    found: list[Run] = []
    current: list[int] = []
    for i, kind in enumerate([*kinds, PROSE]):
        gap = i < len(paras) and paras[i].gap_before >= 2
        if current and (kind not in _HEADING_KINDS or gap):
            heading = i < len(paras) and kind in (PROSE, QUOTE) and not gap
            found.append(Run(current, heading and any(kinds[j] == SHORT for j in current)))
            current = []
        if kind in _HEADING_KINDS:
            current.append(i)
    return found


def gap_mode(paras: list[Paragraph], found: list[Run]) -> bool:
    headings = [r for r in found if r.heading]
    after_gap = sum(1 for r in headings[1:] if paras[r.members[0]].gap_before >= 2)
    return after_gap >= 1 and after_gap >= (len(headings) - 1) / 2


def parse(paras: list[Paragraph], kinds: list[str], run: Run, first: bool, multi: bool) -> None:
    """Fill in the run's page headings, labels, headline, sub-title and date lines."""
    lines = [i for i in run.members if kinds[i] == SHORT]
    if first and len(lines) >= 3:
        run.page, lines = lines[:-2], lines[-2:]
    elif first and len(lines) == 2 and _page_heading(paras, lines, multi):
        run.page, lines = lines[:1], lines[1:]
    elif not first and len(lines) >= 2 and _label_above(paras, lines):
        run.labels, lines = lines[:1], lines[1:]
    run.headline, run.subtitle = lines[0], lines[1:]
    for i in run.members:
        if kinds[i] in (DATE, BYLINE):
            above = first and run.page and i < run.headline
            (run.document_meta if above else run.meta).append(i)


def _page_heading(paras: list[Paragraph], lines: list[int], multi: bool) -> bool:
    top, below = paras[lines[0]].text, paras[lines[1]].text
    return is_label(top) or is_capitals(top) != is_capitals(below) or multi


def _label_above(paras: list[Paragraph], lines: list[int]) -> bool:
    top, below = paras[lines[0]].text, paras[lines[1]].text
    return is_capitals(top) and not is_capitals(below) and len(top) <= MAX_LABEL


def _opens_with_dateline(paras: list[Paragraph], kinds: list[str], run: Run) -> bool:
    after = run.members[-1] + 1
    return after < len(paras) and kinds[after] == PROSE and dateline(paras[after].text) is not None


def _continues(paras: list[Paragraph], run: Run) -> bool:
    after = run.members[-1] + 1
    if after >= len(paras):
        return False
    first_word = paras[after].text.split(maxsplit=1)[0].strip("“\"‘'").lower()
    return first_word in _CONTINUING


def decide(paras: list[Paragraph], kinds: list[str], found: list[Run], gaps: bool) -> None:
    """Mark the heading runs that start a story (see the module's docstring for the order)."""
    headings = [r for r in found if r.heading]
    # A collection of stories without sub-titles: two lines above the first are page + headline.
    multi = len(headings) > 1 and not any(
        sum(kinds[i] == SHORT for i in r.members) >= 2 for r in headings[1:]
    )
    for k, run in enumerate(headings):
        parse(paras, kinds, run, k == 0, multi)
        run.signed = bool(run.meta or run.subtitle) or _opens_with_dateline(paras, kinds, run)
    if not headings:
        return
    caps = [is_capitals(paras[r.headline].text) for r in headings]  # type: ignore[index]
    capitals_style = sum(caps) >= 2 and sum(caps) >= len(caps) - sum(caps)
    mixed_style = len(caps) - sum(caps) > sum(caps)
    signed = sum(1 for r in headings if r.signed)
    for k, run in enumerate(headings):
        if k == 0:
            run.start, run.how = True, "first heading"
        elif gaps:
            run.start = paras[run.members[0]].gap_before >= 2
            run.how = "after two blank lines"
        elif signed >= 2:
            run.start, run.how = run.signed, "with a date line, sub-title or dateline"
        elif capitals_style:
            run.start, run.how = caps[k], "in capitals, like the document's headings"
        elif headings[0].signed:
            run.start = False
        else:
            run.start = not (mixed_style and caps[k]) and not _continues(paras, run)
            run.how = "by its shape"
    top = headings[0]
    # "Press releases" with a line of its own text above the releases: a page heading too.
    labelled = top.headline is not None and is_label(paras[top.headline].text)
    if labelled and not top.subtitle and any(r.start for r in headings[1:]):
        top.page.append(top.headline)  # type: ignore[arg-type]
        top.headline, top.start = None, False
