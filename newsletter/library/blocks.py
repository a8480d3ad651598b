"""The block library: create, find, change, archive and delete update blocks.

Every function takes the session first and never commits (the caller's ``session_scope`` does),
so a failed check leaves nothing half-written. Times are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block, Issue, IssueSnapshot, Placement, Section
from newsletter.core.textmatch import fold
from newsletter.library import gazetteer
from newsletter.library.areas import area_slug
from newsletter.library.block_validation import (
    EDITABLE,
    IMPORT_ONLY,
    check_record,
    check_status,
    clean,
    language_tag,
)

# Once an issue is in one of these states (or has been frozen) its blocks can no longer go.
LOCKED_ISSUE_STATUSES = ("scheduled", "sending", "sent", "paused")


@dataclass
class BlockFilter:
    area: str | None = None
    tag: str | None = None
    place: str | None = None
    statuses: list[str] = field(default_factory=list)  # empty: draft and ready
    language: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str | None = None
    limit: int | None = None


@dataclass(frozen=True)
class Deleted:
    block_id: int
    title: str
    removed_from_issues: list[int]


def create(
    session: Session, library: LibraryConfig, fields: dict[str, Any], now: datetime
) -> Block:
    """A new block from the given fields (missing ones take their defaults)."""
    values = {"language": library.default_language, **clean(library, fields)}
    if "title" not in values:
        raise UserError("title: a block needs a title")
    check_record(values)
    block = Block(**values, created_at=now, updated_at=now)
    session.add(block)
    session.flush()
    return block


def get(session: Session, block_id: int) -> Block:
    block = session.get(Block, block_id)
    if block is None:
        raise NotFound(f"no block with id {block_id}")
    return block


def record(block: Block) -> dict[str, Any]:
    """The block's editable and import fields as a plain dict."""
    return {name: getattr(block, name) for name in (*EDITABLE, *IMPORT_ONLY)}


def _field_of_guess(name: str) -> str:
    return "event_date" if name == "event_date_end" else name


def update(
    session: Session,
    library: LibraryConfig,
    block_id: int,
    changes: dict[str, Any],
    now: datetime,
    confirm: Iterable[str] = (),
) -> Block:
    """Apply changed fields; returns the block (unchanged when nothing differs).

    A guessed field that changes is no longer a guess; ``confirm`` names fields the officer set
    explicitly (options given on the command line), which are confirmed even when unchanged.
    """
    block = get(session, block_id)
    cleaned = clean(library, changes)
    merged = {**record(block), **cleaned}
    check_record(merged)
    changed = {k: v for k, v in cleaned.items() if getattr(block, k) != v}
    settled = {_field_of_guess(k) for k in [*changed, *confirm]}
    if "guessed" not in changed and settled & set(block.guessed):
        changed["guessed"] = [g for g in block.guessed if g not in settled]
    if not changed:
        return block
    for name, value in changed.items():
        setattr(block, name, value)
    block.updated_at = now
    session.add(block)
    session.flush()
    return block


def confirm_guesses(
    session: Session, block_id: int, now: datetime, fields: Iterable[str] | None = None
) -> list[str]:
    """Take the mark of a guess off the given fields (all when None); returns those confirmed."""
    block = get(session, block_id)
    wanted = set(block.guessed) if fields is None else {_field_of_guess(f) for f in fields}
    confirmed = [g for g in block.guessed if g in wanted]
    if confirmed:
        block.guessed = [g for g in block.guessed if g not in wanted]
        block.updated_at = now
        session.add(block)
        session.flush()
    return confirmed


def set_status(session: Session, block_id: int, status: str, now: datetime) -> Block:
    block = get(session, block_id)
    status = check_status(status)
    if block.status != status:
        block.status = status
        block.updated_at = now
        session.add(block)
    return block


def archive(session: Session, block_id: int, now: datetime) -> Block:
    """Hide the block from the library's default listing; issues that use it keep it."""
    return set_status(session, block_id, "archived", now)


def _issues_using(session: Session, block_id: int) -> list[Issue]:
    query = (
        select(Issue)
        .join(Section, col(Section.issue_id) == col(Issue.id))
        .join(Placement, col(Placement.section_id) == col(Section.id))
        .where(Placement.block_id == block_id)
        .distinct()
    )
    return list(session.exec(query))


def _is_locked(session: Session, issue: Issue) -> bool:
    frozen = session.exec(select(IssueSnapshot.id).where(IssueSnapshot.issue_id == issue.id))
    return issue.status in LOCKED_ISSUE_STATUSES or frozen.first() is not None


def delete(session: Session, block_id: int) -> Deleted:
    """Delete a block and its places in unsent issues; refused once an issue using it is frozen."""
    block = get(session, block_id)
    issues = _issues_using(session, block_id)
    locked = [i for i in issues if _is_locked(session, i)]
    if locked:
        named = ", ".join(f"{i.id} ({i.status})" for i in locked)
        raise StateError(
            f"block {block_id} is part of issue {named}, which is scheduled or sent: "
            f"it cannot be deleted (archive it instead: newsletter blocks archive {block_id})"
        )
    placements = session.exec(select(Placement).where(Placement.block_id == block_id))
    for placement in placements:
        session.delete(placement)
    session.flush()  # placements first: the block's row is still referenced until then
    session.delete(block)
    session.flush()
    return Deleted(block_id, block.title, sorted(i.id for i in issues if i.id is not None))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _query(library: LibraryConfig, flt: BlockFilter) -> Any:
    query = select(Block)
    statuses = flt.statuses or ["draft", "ready"]
    query = query.where(col(Block.status).in_(statuses))
    if flt.area:
        query = query.where(Block.area == area_slug(library, flt.area))
    if flt.language:
        query = query.where(Block.language == language_tag("language", flt.language))
    if flt.date_from:
        last_day = sa.func.coalesce(Block.event_date_end, Block.event_date)
        query = query.where(last_day >= flt.date_from)
    if flt.date_to:
        query = query.where(col(Block.event_date) <= flt.date_to)
    for word in fold(flt.search or "").split():
        query = query.where(col(Block.search_text).like(_like(word), escape="\\"))
    return query.order_by(col(Block.event_date).desc().nulls_last(), col(Block.id).desc())


def list_blocks(session: Session, library: LibraryConfig, flt: BlockFilter) -> list[Block]:
    """Blocks matching every given filter, latest event first.

    Search finds blocks whose title, summary or body contain every word, ignoring case and
    Turkish letters ("sanliurfa" finds "Şanlıurfa"). Tags match ignoring case; a place matches
    itself and, for a province, the districts and airports in it.
    """
    if flt.date_from and flt.date_to and flt.date_to < flt.date_from:
        raise UserError(f"date range: {flt.date_to} is before {flt.date_from}")
    found = []
    for block in session.exec(_query(library, flt)):
        if flt.tag and fold(flt.tag.strip()) not in {fold(t) for t in block.tags}:
            continue
        if flt.place and not any(gazetteer.within(p, flt.place) for p in block.places):
            continue
        found.append(block)
        if flt.limit and len(found) >= flt.limit:
            break
    return found


def find_by_hash(session: Session, content_hash: str) -> Block | None:
    return session.exec(select(Block).where(Block.content_hash == content_hash)).first()


def to_json(block: Block) -> dict[str, Any]:
    """Every field of the block for --json output, in the model's order (id, title, ...)."""
    dumped = block.model_dump(exclude={"search_text"})
    return {name: dumped[name] for name in Block.model_fields if name in dumped}
