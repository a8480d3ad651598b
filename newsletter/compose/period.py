"""Composing a period: every ready block of the month placed in one command, and what was left
out and why (no date, another language, already in an issue that went out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from newsletter.compose.issues import get, mark_edited
from newsletter.compose.placements import add_blocks, placed_blocks
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.models import Block, Issue, Placement, Section
from newsletter.library.blocks import LOCKED_ISSUE_STATUSES


@dataclass(frozen=True)
class LeftOut:
    """Ready blocks of a period that composing did not place, by reason (block ids)."""

    no_date: list[int] = field(default_factory=list)  # undated, created outside the period
    other_language: list[int] = field(default_factory=list)  # and no translation of a placed one
    already_used: list[int] = field(default_factory=list)  # in an issue already sent or on its way

    @property
    def total(self) -> int:
        return len(self.no_date) + len(self.other_language) + len(self.already_used)


def _first_day(block: Block) -> date:
    return block.event_date or block.created_at.date()


def _touches(block: Block, start: date, end: date) -> bool:
    first = _first_day(block)
    return first <= end and (block.event_date_end or first) >= start


def _used_elsewhere(session: Session, issue_id: int) -> set[int]:
    """Blocks placed in another issue that has gone out (or is going): not to be sent twice."""
    query = (
        select(Placement.block_id)
        .join(Section, col(Section.id) == col(Placement.section_id))
        .join(Issue, col(Issue.id) == col(Section.issue_id))
        .where(Issue.id != issue_id, col(Issue.status).in_(LOCKED_ISSUE_STATUSES))
    )
    return set(session.exec(query).all())


def _blocks_of_period(
    session: Session, issue_id: int, language: str, start: date, end: date
) -> list[Block]:
    """Ready blocks whose date (or date range) touches the period, earliest first; a block
    without a date counts by the day it was added; blocks already sent are left out."""
    used = _used_elsewhere(session, issue_id)
    query = select(Block).where(Block.status == "ready", Block.language == language)
    found = [
        b for b in session.exec(query).all() if _touches(b, start, end) and b.id not in used
    ]
    return sorted(found, key=lambda b: (_first_day(b), b.id or 0))


def left_out(session: Session, issue_id: int, start: date, end: date) -> LeftOut:
    """The ready blocks of the period composing leaves out, and why."""
    issue = get(session, issue_id)
    placed = set(placed_blocks(session, issue_id))
    used = _used_elsewhere(session, issue_id)
    ready = [b for b in session.exec(select(Block).where(Block.status == "ready")).all()
             if b.id not in placed]  # fmt: skip
    groups = {b.translation_group for b in session.exec(select(Block).where(
        col(Block.id).in_(placed))).all() if b.translation_group}  # fmt: skip
    out = LeftOut()
    for block in ready:
        dated = block.event_date is not None
        if not dated:
            if block.language == issue.language and not _touches(block, start, end):
                out.no_date.append(block.id or 0)
        elif not _touches(block, start, end):
            continue
        elif block.language != issue.language:
            if block.translation_group not in groups:
                out.other_language.append(block.id or 0)
        elif block.id in used:
            out.already_used.append(block.id or 0)
    return out


def describe_left_out(found: LeftOut) -> str:
    """"2 with no date, 1 in another language, 3 already in a sent issue"."""
    parts = [
        (len(found.no_date), "with no date"),
        (len(found.other_language), "in another language"),
        (len(found.already_used), "already in an issue that was sent"),
    ]
    return ", ".join(f"{n} {why}" for n, why in parts if n)


def compose(
    session: Session,
    config: Config,
    issue_id: int,
    start: date,
    end: date,
    actor: str,
    now: datetime,
) -> list[Placement]:
    """Add every ready block of the period, by programme area in the configured order, by date.

    Blocks already in the issue are skipped, so composing twice adds only what is new; blocks
    already in an issue that was sent (or is scheduled) are left out (see ``left_out``).
    """
    if start > end:
        raise UserError(f"--from {start} is after --to {end}")
    issue = get(session, issue_id)
    found = _blocks_of_period(session, issue_id, issue.language, start, end)
    if not found:
        missing = left_out(session, issue_id, start, end)
        why = f" (left out: {describe_left_out(missing)})" if missing.total else ""
        raise UserError(f"no ready blocks in {issue.language!r} dated {start} to {end}{why}")
    placed = placed_blocks(session, issue_id)
    new = [b for b in found if b.id not in placed]
    if not new:  # nothing changes, so a reviewed issue keeps its status
        return []
    order = {a.slug: i for i, a in enumerate(config.library.areas)}
    new.sort(key=lambda b: order.get(b.area or "", len(order) + (b.area is None)))
    mark_edited(session, issue, actor, now)
    issue.period_start, issue.period_end = start, end
    issue.issue_date = issue.issue_date or start
    added: list[Placement] = []
    for block in new:
        added += add_blocks(session, config, issue_id, [block.id or 0], actor, now)
    return added
