"""Loading an issue's content from the database as a frozen view, once per language edition.

Loading reads the database once; everything after (render, text part, checks) is pure and works
on the ``rendering.view`` data it returns.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from newsletter.core.errors import NotFound
from newsletter.core.models import Block, Issue, Placement, Section
from newsletter.rendering.view import BlockView, IssueView, SectionView

# Which Markdown field a kind shows first: stories point to more, quotes and notices are the text.
_BODY_FIRST = {"announcement", "quote"}


def block_view(
    block: Block, placement: Placement | None = None, overrides: bool = True
) -> BlockView:
    """A block as one issue shows it; ``overrides`` False for another language's edition."""
    override_title = placement.title_override if placement and overrides else None
    override_text = placement.summary_override if placement and overrides else None
    first, second = (
        (block.body, block.summary) if block.kind in _BODY_FIRST else (block.summary, block.body)
    )
    hide = bool(placement and placement.hide_image)
    return BlockView(
        block_id=block.id or 0,
        kind=block.kind,
        title=override_title or block.title,
        text=override_text or first or second or "",
        status=block.status,
        area=block.area,
        image_url=None if hide else block.image_url,
        image_alt=None if hide else block.image_alt,
        image_credit=None if hide else block.image_credit,
        link_url=block.link_url,
        link_label=block.link_label,
        event_date=block.event_date,
        event_date_end=block.event_date_end,
        places=tuple(block.places or ()),
        language=block.language,
    )


def translation_of(session: Session, block: Block, language: str) -> Block | None:
    """The block's version in ``language`` (same translation group), ready ones first."""
    if block.language == language:
        return block
    if not block.translation_group:
        return None
    query = select(Block).where(
        Block.translation_group == block.translation_group, Block.language == language
    )
    found = sorted(session.exec(query).all(), key=lambda b: (b.status != "ready", b.id or 0))
    return found[0] if found else None


def _edition_block(
    session: Session, block: Block, placement: Placement, language: str, original: str
) -> BlockView:
    if language == original:
        return block_view(block, placement)
    translated = translation_of(session, block, language)
    if translated is None:  # shown as it is; the checks name it
        return block_view(block, placement)
    return block_view(translated, placement, overrides=translated.id == block.id)


def languages(issue: Issue) -> list[str]:
    """The issue's own language first, then its other editions."""
    return [issue.language, *sorted(k for k in issue.translations if k != issue.language)]


def load_view(session: Session, issue_id: int, language: str | None = None) -> IssueView:
    """The issue as it would be rendered now, in its language or in one of its editions."""
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"no issue with id {issue_id}")
    language = language or issue.language
    if language not in languages(issue):
        known = ", ".join(languages(issue))
        raise NotFound(f"issue {issue_id} has no {language!r} edition (it has: {known})")
    edition: dict[str, Any] = (
        issue.translations.get(language, {}) if language != issue.language else {}
    )
    headings: dict[str, str] = edition.get("headings", {})
    section_rows = sections(session, issue_id)
    rows = session.exec(
        select(Placement, Block)
        .join(Block, Block.id == Placement.block_id)  # type: ignore[arg-type]
        .where(Placement.section_id.in_([s.id for s in section_rows]))  # type: ignore[union-attr]
        .order_by(Placement.position, Placement.id)
    ).all()
    by_section: dict[int, list[BlockView]] = {}
    for placement, block in rows:
        shown = _edition_block(session, block, placement, language, issue.language)
        by_section.setdefault(placement.section_id, []).append(shown)
    return IssueView(
        issue_id=issue_id,
        title=edition.get("title") or issue.title,
        subject=edition.get("subject") or issue.subject,
        preheader=edition.get("preheader") or issue.preheader,
        intro=edition.get("intro") or issue.intro,
        language=language,
        theme=issue.theme,
        issue_date=issue.issue_date,
        period_start=issue.period_start,
        period_end=issue.period_end,
        greeting=edition.get("greeting"),
        untranslated_note=bool(edition.get("untranslated_note")),
        sections=tuple(
            SectionView(
                headings.get(str(s.id)) or s.heading, tuple(by_section.get(s.id or 0, ())), s.area
            )
            for s in section_rows
        ),
    )


def sections(session: Session, issue_id: int) -> list[Section]:
    query = select(Section).where(Section.issue_id == issue_id)
    return list(session.exec(query.order_by(Section.position, Section.id)).all())


def placements(session: Session, section_id: int) -> list[Placement]:
    query = select(Placement).where(Placement.section_id == section_id)
    return list(session.exec(query.order_by(Placement.position, Placement.id)).all())
