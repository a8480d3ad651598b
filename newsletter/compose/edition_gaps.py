"""What each language edition of an issue lacks, against the issue in its own language: texts not
translated, blocks shown in the source language, and what a translated block lost (its photo,
a link, the places), so a translator's shortened version does not quietly drop them.

``lost`` is pure, on two ``BlockView``s; ``report`` loads the issue and pairs each placed block
with what the edition shows in its place (``issue_content.load_view`` builds both views from
the same placements in the same order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from newsletter.compose.issue_content import languages, load_view, sections
from newsletter.core.errors import NotFound
from newsletter.core.models import Issue, Section
from newsletter.rendering.view import BlockView, IssueView

# Fields of a block a translation should carry over, and how a report names each.
LOST_FIELDS = (
    ("image_url", "image"),
    ("image_alt", "image alt text"),
    ("image_credit", "image credit"),
    ("link_url", "link"),
    ("link_label", "link label"),
    ("event_date", "date"),
    ("event_date_end", "end date"),
    ("places", "places"),
)
_WITH_THE_IMAGE = {"image alt text", "image credit"}  # gone with the image: not named again
_URL = re.compile(r"(?:https?://|mailto:)[^\s<>()\[\]\"']+")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^\s)>]+)|<img\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)


def _urls(text: str) -> tuple[set[str], set[str]]:
    """The images and the other links in a block's Markdown (or HTML) text."""
    images = {a or b for a, b in _IMAGE.findall(text)}
    links = {url.rstrip(".,;:!?") for url in _URL.findall(text)} - images
    return images, links


def lost(source: BlockView, shown: BlockView) -> list[str]:
    """What ``source`` has that ``shown`` (its translation) lacks: fields, then the images and
    links of its text. A link changed to another address (a Turkish page) is not lost."""
    out = [
        label for name, label in LOST_FIELDS if getattr(source, name) and not getattr(shown, name)
    ]
    if "image" in out:
        out = [label for label in out if label not in _WITH_THE_IMAGE]
    source_images, source_links = _urls(source.text)
    images, links = _urls(shown.text)
    out += [f"image {url}" for url in sorted(source_images - images)]
    out += [f"link {url}" for url in sorted(source_links - links - {shown.link_url})]
    return out


@dataclass(frozen=True)
class BlockGap:
    section: int  # numbered from 1, as `issues show` numbers them
    source: BlockView  # the block as the issue's own language shows it
    shown: BlockView  # what the edition shows in its place
    translated: bool
    lost: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "block_id": self.source.block_id,
            "title": self.source.title,
            "translated": self.translated,
            "shown_block_id": self.shown.block_id,
            "shown_title": self.shown.title,
            "shown_status": self.shown.status,
            "lost": self.lost,
        }


def block_gaps(source: IssueView, edition: IssueView) -> list[BlockGap]:
    out = []
    for number, (own, other) in enumerate(zip(source.sections, edition.sections, strict=True), 1):
        for block, shown in zip(own.blocks, other.blocks, strict=True):
            translated = shown.language == edition.language
            gone = lost(block, shown) if translated and shown.block_id != block.block_id else []
            out.append(BlockGap(number, block, shown, translated, gone))
    return out


def missing_texts(issue: Issue, language: str, rows: list[Section]) -> list[str]:
    """The edition's texts not given, for which the issue's own are shown."""
    edition = issue.translations.get(language, {})
    missing = [name for name in ("title", "subject", "preheader") if not edition.get(name)]
    if issue.intro and not edition.get("intro"):
        missing.append("intro")
    headings = edition.get("headings", {})
    numbers = [str(n) for n, s in enumerate(rows, start=1) if str(s.id) not in headings]
    if numbers:
        missing.append(f"heading of section {', '.join(numbers)}")
    return missing


def allows_fallback(issue: Issue, language: str) -> bool:
    """Whether the edition may show the issue's own texts and blocks where it has none."""
    return bool(issue.translations.get(language, {}).get("allow_fallback"))


def report(session: Session, issue_id: int) -> dict[str, Any]:
    """Per other-language edition: texts missing, and each block translated or not, with
    what it lost (`issues editions`)."""
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"no issue with id {issue_id}")
    rows = sections(session, issue_id)
    source = load_view(session, issue_id)
    out = []
    for language in languages(issue)[1:]:
        gaps = block_gaps(source, load_view(session, issue_id, language))
        translated = sum(gap.translated for gap in gaps)
        out.append({
            "language": language,
            "allow_fallback": allows_fallback(issue, language),
            "missing_texts": missing_texts(issue, language, rows),
            "translated": translated,
            "untranslated": len(gaps) - translated,
            "blocks": [gap.to_dict() for gap in gaps],
        })  # fmt: skip
    return {"issue_id": issue_id, "language": issue.language, "editions": out}
