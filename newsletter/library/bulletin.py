"""Splitting a plain-text bulletin into stories: pure text in, stories out.

The shape: a document-type line ("Project update"), then stories, each a headline line, a blank
line and one or more paragraphs. Stories are usually separated by two or more blank lines; when
a document uses them, only a line after such a gap can start a story, so a short paragraph in a
story's body is never taken for a headline. Stray whitespace is cleaned (trailing and leading
spaces, no-break spaces, runs of spaces); every other character is kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_HEADLINE = 300
MAX_LABEL = 100  # a section label ("KEY PROGRAMMES") is short
_RUNS = re.compile(r"[ \t\u00a0\u2007\u202f]{2,}|\t")
_END_OF_SENTENCE = (".", ",", ";", ":")


@dataclass
class Paragraph:
    text: str
    line: int  # 1-based line of its first line in the file
    gap_before: int  # blank lines before it
    lines: int = 1


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    line: int  # 1-based line of the headline

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Bulletin:
    document_type: str | None
    stories: list[Story] = field(default_factory=list)


def clean_line(line: str) -> str:
    return _RUNS.sub(" ", line).strip()


def paragraphs(text: str) -> list[Paragraph]:
    """Blank-line separated paragraphs; the lines of one paragraph are joined by a space."""
    found: list[Paragraph] = []
    gap, current = 0, None
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = clean_line(raw)
        if not line:
            gap, current = gap + 1, None
        elif current is None:
            current = Paragraph(line, number, gap if found else 0)
            found.append(current)
            gap = 0
        else:
            current.text += " " + line
            current.lines += 1
    return found


def _headline_like(p: Paragraph, limit: int = MAX_HEADLINE) -> bool:
    return p.lines == 1 and len(p.text) <= limit and not p.text.endswith(_END_OF_SENTENCE)


def _starts(paras: list[Paragraph], i: int, gap_mode: bool) -> bool:
    """Whether paragraph ``i`` is a headline: it starts a story that has a body."""
    p = paras[i]
    nxt = paras[i + 1] if i + 1 < len(paras) else None
    if nxt is None or (gap_mode and nxt.gap_before >= 2):
        return False  # nothing follows it: a label, not a story
    if gap_mode:
        after_gap = i == 0 or p.gap_before >= 2
        return after_gap and p.lines == 1 and len(p.text) <= MAX_HEADLINE
    return _headline_like(p) and not _headline_like(nxt)


def split_bulletin(text: str) -> Bulletin:
    paras = paragraphs(text)
    doc_type = None
    if len(paras) >= 2 and _headline_like(paras[0], MAX_LABEL) and _headline_like(paras[1]):
        doc_type = paras.pop(0).text
        if paras:
            paras[0].gap_before = max(paras[0].gap_before, 2)
    gap_mode = sum(1 for p in paras if p.gap_before >= 2) >= 1
    bulletin = Bulletin(doc_type)
    story: Story | None = None
    for i, p in enumerate(paras):
        if _starts(paras, i, gap_mode):
            story = Story(p.text, [], p.line)
            bulletin.stories.append(story)
        elif story is not None and not _is_trailing_label(paras, i, gap_mode):
            story.paragraphs.append(p.text)
    return bulletin


def _is_trailing_label(paras: list[Paragraph], i: int, gap_mode: bool) -> bool:
    """An all-capitals heading ending a story before a gap ("KEY PROGRAMMES"): a section label."""
    nxt = paras[i + 1] if i + 1 < len(paras) else None
    text = paras[i].text
    before_gap = gap_mode and nxt is not None and nxt.gap_before >= 2
    return before_gap and _headline_like(paras[i], MAX_LABEL) and text == text.upper()
