"""Splitting a plain-text document into stories: pure text in, stories and what was dropped out.

Bulletins, press-release pages, overviews and features all come in as text: headings (a short
line without a final full stop, followed by prose), paragraphs, and around them page headings
and logo captions. segmenter.py decides which headings start a story; this module puts the
stories together:

- a sub-title line under a headline becomes the story's summary, date lines and bylines under
  (or above) it are kept as its publication date and author, and a dateline opening the first
  paragraph ("Ankara – ...") gives its place and is taken off the text;
- a sub-heading inside a story stays in it, as a Markdown heading (``#### Next steps``);
- a pulled quote with its speaker ("“...”" then "— Ayşe, trainee") becomes a Markdown quote;
  one placed just above a heading belongs to the section below it, after that section's first
  paragraph;
- page headings, section labels in capitals, logo captions and text above the first headline
  are dropped, and ``Bulletin.dropped`` says what and why.

Stray whitespace is cleaned (textclean.py); every other character is kept as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from newsletter.library import segmenter as seg
from newsletter.library.boilerplate import caption_tail
from newsletter.library.shapes import MAX_LABEL, Dateline, Paragraph, dateline, is_capitals
from newsletter.library.textclean import clean_line, clean_text

__all__ = ["Bulletin", "Dropped", "Paragraph", "Story", "clean_line", "paragraphs",
           "split_bulletin"]  # fmt: skip


@dataclass(frozen=True)
class Dropped:
    line: int
    text: str
    reason: str


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    line: int  # 1-based line of the headline
    summary: str = ""  # the sub-title line under the headline
    published: list[str] = field(default_factory=list)  # its date lines, as written
    byline: str = ""
    dateline: Dateline | None = None
    subheadings: list[str] = field(default_factory=list)
    pulled_quotes: int = 0
    how: str = ""  # how its headline was told from a sub-heading
    written: str = ""  # the headline as written, before title case

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Bulletin:
    document_type: str | None
    stories: list[Story] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    document_dates: list[str] = field(default_factory=list)  # the page header's date lines


def paragraphs(text: str) -> list[Paragraph]:
    """Blank-line separated paragraphs; the lines of one paragraph are joined by a space."""
    found: list[Paragraph] = []
    gap, current = 0, None
    for number, raw in enumerate(clean_text(text).split("\n"), 1):
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


def _blockquote(quote: str, attribution: str) -> str:
    return f"> {quote}\n>\n> {attribution}"


class _Assembler:
    def __init__(self, paras: list[Paragraph], kinds: list[str], case: Callable[[str], str]):
        self.paras, self.kinds, self.case = paras, kinds, case
        self.bulletin = Bulletin(None)
        self.story: Story | None = None
        self.pending: str | None = None  # a pulled quote waiting for the section below it
        self.awaiting_first = False  # the current section has no paragraph yet
        self.above_first = "text above the first headline"

    def drop(self, i: int, reason: str) -> None:
        self.bulletin.dropped.append(Dropped(self.paras[i].line, self.paras[i].text, reason))

    def paragraph(self, i: int, text: str | None = None) -> None:
        story = self.story
        if story is None:
            self.drop(i, self.above_first)
            return
        text = self.paras[i].text if text is None else text
        if not story.paragraphs and story.dateline is None and self.kinds[i] == seg.PROSE:
            found = dateline(text)
            if found is not None:
                story.dateline, text = found, found.rest
        story.paragraphs.append(text)
        if self.awaiting_first:
            self.awaiting_first = False
            if self.pending:
                story.paragraphs.append(self.pending)
                story.pulled_quotes += 1
                self.pending = None

    def quote(self, i: int, belongs_below: bool) -> None:
        text = _blockquote(self.paras[i].text, self.paras[i + 1].text)
        if belongs_below:
            self.pending = text
        elif self.story is not None:
            self.story.paragraphs.append(text)
            self.story.pulled_quotes += 1
        else:
            self.drop(i, self.above_first)
            self.drop(i + 1, self.above_first)

    def stray(self, run: seg.Run) -> None:
        """Short lines that head no text: section labels, a byline, or a story's last lines."""
        meta_only = all(self.kinds[i] in (seg.DATE, seg.BYLINE) for i in run.members)
        for i in run.members:
            text = self.paras[i].text
            if self.story is None and i == 0 and self.kinds[i] == seg.SHORT:
                self.drop(i, "page heading")
                self.bulletin.document_type = text
            elif self.kinds[i] == seg.SHORT and is_capitals(text) and len(text) <= MAX_LABEL:
                self.drop(i, "section label")
            elif meta_only and self.story is not None and len(self.story.paragraphs) <= 2:
                self._meta(self.story, i)
            else:
                self.paragraph(i)

    def _meta(self, story: Story, i: int) -> None:
        if self.kinds[i] == seg.BYLINE:
            story.byline = story.byline or self.paras[i].text
        else:
            story.published.append(self.paras[i].text)

    def heading(self, run: seg.Run) -> None:
        for i in run.page:
            self.drop(i, "page heading")
            self.bulletin.document_type = self.bulletin.document_type or self.paras[i].text
        for i in run.document_meta:
            self.drop(i, "date of the document, used for years left unwritten")
            self.bulletin.document_dates.append(self.paras[i].text)
        for i in run.labels:
            self.drop(i, "section label")
        if run.headline is None:
            self.above_first = "text under the page heading"
            return
        title = self.case(self.paras[run.headline].text)
        if run.start:
            subtitle = " ".join(self.paras[i].text for i in run.subtitle)
            line, written = self.paras[run.headline].line, self.paras[run.headline].text
            self.story = Story(title, [], line, subtitle, how=run.how, written=written)
            self.bulletin.stories.append(self.story)
            for i in run.meta:
                self._meta(self.story, i)
        elif self.story is not None:
            self.story.paragraphs.append(f"#### {title}")
            self.story.subheadings.append(title)
            for i in [*run.subtitle, *run.meta]:
                self.story.paragraphs.append(self.paras[i].text)
        self.awaiting_first = True


def split_bulletin(
    text: str, names: set[str] | frozenset[str] = frozenset(), case: Callable[[str], str] = str
) -> Bulletin:
    """The document's stories; ``names`` are partner names a logo caption may be (folded), and
    ``case`` puts headings in capitals in title case (or leaves them)."""
    paras = paragraphs(text)
    tail = caption_tail(paras, set(names))
    captions = [Dropped(p.line, p.text, "logo caption") for p in paras[tail:]]
    paras = paras[:tail]
    kinds = seg.classify(paras, gap_mode=False)
    found = seg.runs(paras, kinds)
    gaps = seg.gap_mode(paras, found)
    if gaps:
        kinds = seg.classify(paras, gap_mode=True)
        found = seg.runs(paras, kinds)
    seg.decide(paras, kinds, found, gaps)
    build = _Assembler(paras, kinds, case)
    by_start = {run.members[0]: run for run in found}
    i = 0
    while i < len(paras):
        run = by_start.get(i)
        if run is not None:
            (build.heading if run.heading else build.stray)(run)
            i = run.members[-1] + 1
        elif kinds[i] == seg.QUOTE:
            below = by_start.get(i + 2)
            build.quote(i, below is not None and below.heading)
            i += 2
        else:
            build.paragraph(i)
            i += 1
    if build.pending and build.story is not None:  # a quote above a heading that never came
        build.story.paragraphs.append(build.pending)
    build.bulletin.dropped += captions
    return build.bulletin
