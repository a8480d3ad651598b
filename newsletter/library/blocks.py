"""The block library: create, find, change, archive and delete update blocks.

Every function takes the session first and never commits (the caller's ``session_scope`` does),
so a failed check leaves nothing half-written. Times are passed in.

The writing functions take an optional ``actor`` (who does it: an e-mail address in the
workspace, the login name at the terminal, "" where nobody can tell): given, the change is also
recorded in the audit trail (subject "block"), in the same transaction. None records nothing,
for callers that write a trail entry of their own (the import review). ``media_base`` (the
public base URL) accepts our media library's photos as images even over http (a demo install).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.core import audit
from newsletter.core.config import LibraryConfig
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block, Issue, IssueSnapshot, Placement, Section
from newsletter.core.textmatch import fold
from newsletter.library import gazetteer, partners
from newsletter.library.areas import area_slug
from newsletter.library.block_validation import (
    EDITABLE,
    IMPORT_ONLY,
    check_record,
    check_status,
    clean,
    language_tag,
)
from newsletter.library.organisations import key as org_key

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
    partner: str | None = None  # any way of writing the organisation (acronym, Turkish name)
    offset: int = 0  # blocks to skip, for paging (with limit)


@dataclass(frozen=True)
class Deleted:
    block_id: int
    title: str
    removed_from_issues: list[int]


def create(
    session: Session,
    library: LibraryConfig,
    fields: dict[str, Any],
    now: datetime,
    actor: str | None = None,
    media_base: str = "",
    note: str = "",
) -> Block:
    """A new block from the given fields (missing ones take their defaults)."""
    values = {"language": library.default_language, **clean(library, fields, media_base)}
    if "title" not in values:
        raise UserError("title: a block needs a title")
    check_record(values)
    block = Block(**values, created_at=now, updated_at=now)
    session.add(block)
    session.flush()
    if actor is not None:
        audit.record(session, actor, "created", "block", block.id, now, note=note)
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
    actor: str | None = None,
    media_base: str = "",
) -> Block:
    """Apply changed fields; returns the block (unchanged when nothing differs).

    A guessed field that changes is no longer a guess; ``confirm`` names fields the officer set
    explicitly (options given on the command line), which are confirmed even when unchanged.
    The trail names the fields that changed ("changed": "title, body").
    """
    block = get(session, block_id)
    cleaned = clean(library, changes, media_base)
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
    shown = [name for name in changed if name != "guessed"]
    if actor is not None and shown:
        audit.record(
            session, actor, "changed", "block", block_id, now, note=", ".join(shown), fields=shown
        )
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


# What the trail says when a block moves to a status.
STATUS_ACTIONS = {"ready": "marked ready", "archived": "archived", "draft": "moved to draft"}


def set_status(
    session: Session, block_id: int, status: str, now: datetime, actor: str | None = None
) -> Block:
    block = get(session, block_id)
    status = check_status(status)
    if block.status != status:
        block.status = status
        block.updated_at = now
        session.add(block)
        if actor is not None:
            audit.record(session, actor, STATUS_ACTIONS[status], "block", block_id, now)
    return block


def mark_ready(
    session: Session, block_id: int, now: datetime, actor: str | None = None
) -> list[str]:
    """Ready for an issue, as `blocks ready` does: marking a block ready is the officer's word
    that it is right, so its guesses are confirmed too. Returns the guesses confirmed."""
    set_status(session, block_id, "ready", now, actor)
    return confirm_guesses(session, block_id, now)


def archive(session: Session, block_id: int, now: datetime, actor: str | None = None) -> Block:
    """Hide the block from the library's default listing; issues that use it keep it."""
    return set_status(session, block_id, "archived", now, actor)


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


def issues_using(session: Session, block_id: int) -> list[Issue]:
    """The issues the block is placed in (what deleting it would take it out of)."""
    return _issues_using(session, block_id)


def delete(session: Session, block_id: int, now: datetime | None = None,
           actor: str | None = None) -> Deleted:  # fmt: skip
    """Delete a block and its places in unsent issues; refused once an issue using it is frozen.
    With an ``actor`` (and ``now``) the trail keeps the title of what was deleted."""
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
    removed = sorted(i.id for i in issues if i.id is not None)
    if actor is not None and now is not None:
        audit.record(session, actor, "deleted", "block", block_id, now, note=block.title,
                     removed_from_issues=removed)  # fmt: skip
    return Deleted(block_id, block.title, removed)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(library: LibraryConfig, flt: BlockFilter) -> list[Any]:
    """The filters SQL answers (on indexed columns where it can); tags, places and partners
    are matched in Python, as folding and the gazetteer decide what matches."""
    statuses = flt.statuses or ["draft", "ready"]
    where: list[Any] = [col(Block.status).in_(statuses)]
    if flt.area:
        where.append(Block.area == area_slug(library, flt.area))
    if flt.language:
        where.append(Block.language == language_tag("language", flt.language))
    if flt.date_from:
        last_day = sa.func.coalesce(Block.event_date_end, Block.event_date)
        where.append(last_day >= flt.date_from)
    if flt.date_to:
        where.append(col(Block.event_date) <= flt.date_to)
    for word in fold(flt.search or "").split():
        where.append(col(Block.search_text).like(_like(word), escape="\\"))
    return where


def _query(library: LibraryConfig, flt: BlockFilter, *columns: Any) -> Any:
    query = select(*columns) if columns else select(Block)
    query = query.where(*_conditions(library, flt))
    return query.order_by(col(Block.event_date).desc().nulls_last(), col(Block.id).desc())


def _partner_keys(session: Session, library: LibraryConfig, name: str) -> set[str]:
    """Every way of writing the organisation ``name`` names ("UNHCR" is also its full name)."""
    wanted = org_key(name)
    for org in partners.index(session, library).orgs:
        forms = {org_key(form) for form, _ in org.forms()}
        if wanted in forms:
            return forms
    return {wanted}


def _matcher(
    session: Session, library: LibraryConfig, flt: BlockFilter
) -> Callable[[list[str], list[str], list[str]], bool] | None:
    """The test of the filters SQL cannot answer, on (tags, places, partners); None if none."""
    if not (flt.tag or flt.place or flt.partner):
        return None
    tag = fold(flt.tag.strip()) if flt.tag else None
    keys = _partner_keys(session, library, flt.partner) if flt.partner else None

    def matches(tags: list[str], places: list[str], names: list[str]) -> bool:
        if tag is not None and tag not in {fold(t) for t in tags}:
            return False
        if flt.place and not any(gazetteer.within(p, flt.place) for p in places):
            return False
        return keys is None or any(org_key(n) in keys for n in names)

    return matches


def _check_range(flt: BlockFilter) -> None:
    if flt.date_from and flt.date_to and flt.date_to < flt.date_from:
        raise UserError(f"date range: {flt.date_to} is before {flt.date_from}")


def _matching_ids(
    session: Session, library: LibraryConfig, flt: BlockFilter, test: Any
) -> list[int]:
    """Ids of the matching blocks in listing order, reading only the columns the test needs."""
    columns = (Block.id, Block.tags, Block.places, Block.partners)
    rows = session.exec(_query(library, flt, *columns))
    return [row[0] for row in rows if test(row[1] or [], row[2] or [], row[3] or [])]


def list_blocks(session: Session, library: LibraryConfig, flt: BlockFilter) -> list[Block]:
    """Blocks matching every given filter, latest event first; ``offset`` and ``limit`` page.

    Search finds blocks whose title, summary or body contain every word, ignoring case and
    Turkish letters ("sanliurfa" finds "Şanlıurfa"). Tags match ignoring case; a place matches
    itself and, for a province, the districts and airports in it; a partner matches however the
    organisation is written. Without a tag, place or partner filter a page is one LIMIT/OFFSET
    query; with one, the matching ids come from a narrow query and the page's blocks from one
    more, so a page stays quick in a library of thousands.
    """
    _check_range(flt)
    offset = max(flt.offset, 0)
    test = _matcher(session, library, flt)
    if test is None:
        query = _query(library, flt).offset(offset or None)
        return list(session.exec(query.limit(flt.limit) if flt.limit else query))
    ids = _matching_ids(session, library, flt, test)
    return _by_ids(session, ids[offset : offset + flt.limit if flt.limit else None])


def count_blocks(session: Session, library: LibraryConfig, flt: BlockFilter) -> int:
    """How many blocks match the filter, whatever its ``offset`` and ``limit`` (for paging)."""
    _check_range(flt)
    test = _matcher(session, library, flt)
    if test is None:
        query = select(sa.func.count()).select_from(Block).where(*_conditions(library, flt))
        return int(session.exec(query).one())
    return len(_matching_ids(session, library, flt, test))


def page_of(session: Session, library: LibraryConfig, flt: BlockFilter) -> tuple[list[Block], int]:
    """One page of the listing (``offset``, ``limit``) and how many match in all, reading the
    matching ids once when tags, places or partners are filtered."""
    _check_range(flt)
    test = _matcher(session, library, flt)
    if test is None:
        return list_blocks(session, library, flt), count_blocks(session, library, flt)
    ids = _matching_ids(session, library, flt, test)
    offset = max(flt.offset, 0)
    chosen = ids[offset : offset + flt.limit if flt.limit else None]
    return _by_ids(session, chosen), len(ids)


def _by_ids(session: Session, ids: list[int]) -> list[Block]:
    if not ids:
        return []
    found = {b.id: b for b in session.exec(select(Block).where(col(Block.id).in_(ids)))}
    return [found[i] for i in ids if i in found]


def find_by_hash(session: Session, content_hash: str) -> Block | None:
    return session.exec(select(Block).where(Block.content_hash == content_hash)).first()


def to_json(block: Block) -> dict[str, Any]:
    """Every field of the block for --json output, in the model's order (id, title, ...)."""
    dumped = block.model_dump(exclude={"search_text"})
    return {name: dumped[name] for name in Block.model_fields if name in dumped}
