"""The blocks of an issue: sections and placements with per-issue overrides (composing a whole
period at once is ``compose.period``).

Every change first marks the issue as edited (``issues.mark_edited``): refused once the content
is frozen, and a reviewed or approved issue goes back to draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from newsletter.compose.issue_content import placements, sections
from newsletter.compose.issues import get, mark_edited
from newsletter.core.config import Config
from newsletter.core.errors import NotFound, UserError
from newsletter.core.models import Block, Issue, Placement, Section
from newsletter.core.safe_text import one_line
from newsletter.core.textmatch import fold
from newsletter.rendering import templating


def _area_heading(config: Config, area: str | None, more_news: str) -> str:
    if area is None:
        return more_news
    return next((a.name for a in config.library.areas if a.slug == area), area)


def _more_news(config: Config, issue: Issue) -> str:
    env = templating.environment(config)
    return templating.load_labels(env, issue.theme, issue.language).get("more_news", "More news")


def _heading_key(heading: str) -> str:
    """A heading compared the Turkish way: casefold() turns "İ" into "i" plus a combining dot
    and keeps "ı" apart from "I", so "İSTİHDAM" would not find "İstihdam"."""
    return " ".join(fold(heading).split())


def _find_section(
    session: Session, config: Config, issue: Issue, wanted: str | None, block: Block
) -> Section:
    """The section named by ``wanted`` (its number or heading), else the block's area section."""
    existing = sections(session, issue.id or 0)
    if wanted is not None and wanted.strip().isdigit():
        number = int(wanted)
        if not 1 <= number <= len(existing):
            raise UserError(f"--section {wanted}: issue {issue.id} has {len(existing)} sections")
        return existing[number - 1]
    if wanted is not None:
        key = _heading_key(wanted)
        match = next((s for s in existing if _heading_key(s.heading) == key), None)
        area = next((a.slug for a in config.library.areas if wanted in (a.slug, a.name)), None)
        heading = (
            _area_heading(config, area, wanted) if area else one_line("--section", wanted.strip())
        )
        if not heading:
            raise UserError("--section: a section needs a heading")
        return match or _new_section(session, issue, heading, area, existing)
    heading = _area_heading(config, block.area, _more_news(config, issue))
    if block.area is None:  # blocks without an area gather under the 'More news' heading
        match = next((s for s in existing if s.area is None and s.heading == heading), None)
    else:
        match = next((s for s in existing if s.area == block.area), None)
    return match or _new_section(session, issue, heading, block.area, existing)


def _new_section(
    session: Session, issue: Issue, heading: str, area: str | None, existing: list[Section]
) -> Section:
    position = max((s.position for s in existing), default=0) + 1
    section = Section(issue_id=issue.id or 0, heading=heading, area=area, position=position)
    session.add(section)
    session.flush()
    return section


def placed_blocks(session: Session, issue_id: int) -> dict[int, Placement]:
    query = select(Placement).join(Section).where(Section.issue_id == issue_id)
    return {p.block_id: p for p in session.exec(query).all()}


def _block(session: Session, block_id: int) -> Block:
    block = session.get(Block, block_id)
    if block is None:
        raise NotFound(f"no block with id {block_id}")
    return block


def add_blocks(
    session: Session,
    config: Config,
    issue_id: int,
    block_ids: Sequence[int],
    actor: str,
    now: datetime,
    *,
    section: str | None = None,
    title: str | None = None,
    summary: str | None = None,
    hide_image: bool = False,
) -> list[Placement]:
    """Place blocks at the end of a section; overrides change only this issue."""
    issue = get(session, issue_id)
    placed = placed_blocks(session, issue_id)
    blocks = [_block(session, block_id) for block_id in block_ids]
    for block in blocks:
        if block.id in placed:
            raise UserError(f"block {block.id} is already in issue {issue_id}")
    if len(set(block_ids)) != len(block_ids):
        raise UserError("the same block is named twice")
    mark_edited(session, issue, actor, now)
    added = []
    for block in blocks:
        target = _find_section(session, config, issue, section, block)
        position = max((p.position for p in placements(session, target.id or 0)), default=0)
        placement = Placement(
            section_id=target.id or 0,
            block_id=block.id or 0,
            position=position + 1,
            title_override=title,
            summary_override=summary,
            hide_image=hide_image,
        )
        session.add(placement)
        session.flush()
        added.append(placement)
    return added


def _placement(session: Session, issue_id: int, block_id: int) -> Placement:
    found = placed_blocks(session, issue_id).get(block_id)
    if found is None:
        raise NotFound(f"block {block_id} is not in issue {issue_id}")
    return found


def set_overrides(
    session: Session,
    issue_id: int,
    block_id: int,
    actor: str,
    now: datetime,
    *,
    title: str | None = None,
    summary: str | None = None,
    hide_image: bool | None = None,
    clear: bool = False,
) -> Placement:
    """Change how one placed block shows in this issue; ``clear`` restores the library's text."""
    if not clear and title is None and summary is None and hide_image is None:
        # Nothing to do must not send an approved issue back to draft.
        raise UserError("nothing to change: give --title, --summary, --hide-image or --clear")
    issue = get(session, issue_id)
    placement = _placement(session, issue_id, block_id)
    mark_edited(session, issue, actor, now)
    if clear:
        placement.title_override = placement.summary_override = None
        placement.hide_image = False
    if title is not None:
        placement.title_override = one_line("--title", title.strip()) or None
    if summary is not None:
        placement.summary_override = summary or None
    if hide_image is not None:
        placement.hide_image = hide_image
    session.add(placement)
    return placement


def move_block(
    session: Session,
    config: Config,
    issue_id: int,
    block_id: int,
    actor: str,
    now: datetime,
    *,
    section: str | None = None,
    position: int | None = None,
) -> Placement:
    """Move a placed block to another section and/or position (1 = first); a section the
    move leaves empty is dropped."""
    issue = get(session, issue_id)
    placement = _placement(session, issue_id, block_id)
    mark_edited(session, issue, actor, now)
    block = _block(session, block_id)
    source = session.get(Section, placement.section_id)
    target = source if section is None else _find_section(session, config, issue, section, block)
    assert source is not None and target is not None
    others = [p for p in placements(session, target.id or 0) if p.id != placement.id]
    if position is None:
        position = len(others) + 1
    if not 1 <= position <= len(others) + 1:
        raise UserError(f"--position {position}: choose 1 to {len(others) + 1}")
    others.insert(position - 1, placement)
    placement.section_id = target.id or 0
    _renumber(session, others)
    if source.id != target.id:
        left = [p for p in placements(session, source.id or 0) if p.id != placement.id]
        _renumber(session, left)
        if not left:  # as with remove: a section emptied by a move goes too
            session.delete(source)
            session.flush()
            _renumber(session, sections(session, issue_id))
    return placement


def _renumber(session: Session, rows: Sequence[Placement | Section]) -> None:
    for number, row in enumerate(rows, start=1):
        row.position = number
        session.add(row)
    session.flush()


def remove_blocks(
    session: Session, issue_id: int, block_ids: Sequence[int], actor: str, now: datetime
) -> None:
    """Take blocks out of the issue (the library keeps them); emptied sections go too."""
    issue = get(session, issue_id)
    found = [_placement(session, issue_id, block_id) for block_id in block_ids]
    mark_edited(session, issue, actor, now)
    touched = {p.section_id for p in found}
    for placement in found:
        session.delete(placement)
    session.flush()
    for section_id in touched:
        remaining = placements(session, section_id)
        if remaining:
            _renumber(session, remaining)
        else:
            session.delete(session.get(Section, section_id))
    session.flush()
    _renumber(session, sections(session, issue_id))


def edit_section(
    session: Session,
    issue_id: int,
    number: int,
    actor: str,
    now: datetime,
    *,
    heading: str | None = None,
    position: int | None = None,
) -> Section:
    """Rename a section or move it (numbers count from 1 in the current order)."""
    issue = get(session, issue_id)
    rows = sections(session, issue_id)
    if not 1 <= number <= len(rows):
        raise UserError(f"section {number}: issue {issue_id} has {len(rows)} sections")
    mark_edited(session, issue, actor, now)
    section = rows.pop(number - 1)
    if heading is not None:
        if not heading.strip():
            raise UserError("--heading: a section needs a heading")
        section.heading = one_line("--heading", heading.strip())
    if position is not None:
        if not 1 <= position <= len(rows) + 1:
            raise UserError(f"--position {position}: choose 1 to {len(rows) + 1}")
        rows.insert(position - 1, section)
    else:
        rows.insert(number - 1, section)
    _renumber(session, rows)
    return section
