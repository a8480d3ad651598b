"""The order of an issue's blocks as the composer changes it: a step up or down (the move
buttons, for keyboards) and the whole order drag and drop sends in one form field.

Both are made of the CLI's moves (``compose.placements.move_block``), one block at a time, so
every rule of `issues move` holds: an emptied section is dropped, a frozen issue refuses.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from newsletter.compose import placements
from newsletter.compose.issue_content import sections
from newsletter.core.config import Config
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.web.admin.composer_view import composition


def parse_order(value: str) -> list[tuple[int, list[int]]]:
    """ "12:5,7;13:8" (section id: block ids in order; sections by ";") as pairs."""
    out = []
    for part in value.strip().split(";"):
        if not part.strip():
            continue
        section, sep, blocks = part.partition(":")
        ids = [b.strip() for b in blocks.split(",") if b.strip()]
        if not sep or not section.strip().isdigit() or not all(b.isdigit() for b in ids):
            raise UserError(f"order: {part.strip()!r} is not SECTION:BLOCK,BLOCK")
        out.append((int(section), [int(b) for b in ids]))
    return out


def order_of(session: Session, issue_id: int) -> list[tuple[int, list[int]]]:
    return [
        (g.section.id or 0, [r.block.id or 0 for r in g.rows])
        for g in composition(session, issue_id)
    ]


def apply_order(
    session: Session,
    config: Config,
    issue_id: int,
    wanted: list[tuple[int, list[int]]],
    actor: str,
    now: datetime,
) -> int:
    """Reorder the issue's blocks to ``wanted`` (every placed block once, sections named by id)
    with the CLI's moves, one block at a time; the number of moves made.

    A section emptied on the way is dropped by the move (as in `issues move`); a block wanted
    in it later recreates it under the same heading.
    """
    current = order_of(session, issue_id)
    known = {s for s, _ in current}
    placed = sorted(b for _, blocks in current for b in blocks)
    asked = sorted(b for _, blocks in wanted for b in blocks)
    if any(s not in known for s, _ in wanted) or asked != placed:
        raise StateError(
            f"issue {issue_id} changed since the page was loaded: reload it and move again"
        )
    headings = {s.id: s.heading for s in sections(session, issue_id)}
    moves = 0
    for section_id, blocks in wanted:
        for position, block_id in enumerate(blocks, start=1):
            now_in = order_of(session, issue_id)
            ids = [s for s, _ in now_in]
            where = dict(now_in).get(section_id)
            if where is not None and len(where) >= position and where[position - 1] == block_id:
                continue
            target = str(ids.index(section_id) + 1) if where is not None else headings[section_id]
            placements.move_block(
                session, config, issue_id, block_id, actor, now, section=target, position=position
            )
            moves += 1
    return moves


def step(session: Session, issue_id: int, block_id: int, direction: str) -> tuple[str, int] | None:
    """Where "up" or "down" takes a block: (section number, position), crossing into the
    previous or next section at either end; None at the very top or bottom."""
    groups = order_of(session, issue_id)
    for number, (_, blocks) in enumerate(groups, start=1):
        if block_id not in blocks:
            continue
        index = blocks.index(block_id)
        if direction == "up":
            if index > 0:
                return str(number), index
            return (str(number - 1), len(groups[number - 2][1]) + 1) if number > 1 else None
        if index < len(blocks) - 1:
            return str(number), index + 2
        return (str(number + 1), 1) if number < len(groups) else None
    raise NotFound(f"block {block_id} is not in issue {issue_id}")
