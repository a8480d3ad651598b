"""Importing uploaded documents and reviewing the drafts an import made.

The workspace's import page hands over documents as bytes, not paths: ``import_uploads`` checks
each one exactly as ``blocks import`` checks a file (``importer.plan_file`` reads it with
``core.textfiles.read_text``: UTF-8 only, no binary, not empty), and every upload is planned
before anything is written, so one bad document writes nothing at all. The drafts then wait,
grouped by the file they came from (``source_file``: the uploaded name, or the path the CLI
imported), until an officer accepts, corrects or discards each one. Every step is recorded in
the audit trail in the same transaction.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from newsletter.core import audit
from newsletter.core.account_models import AuditEvent
from newsletter.core.config import LibraryConfig
from newsletter.core.errors import StateError, UserError
from newsletter.core.models import Block
from newsletter.core.safe_text import fold_line
from newsletter.library import blocks, importer, partners
from newsletter.library.block_validation import language_tag
from newsletter.library.organisations import PartnerIndex

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown")  # what `blocks import` takes from a folder
# A bulletin is a few thousand words; two MiB of text is a book, and most likely a mistake.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_NAME = 255
# What the review page lets an officer correct; the rest is edited on the block's own page.
CORRECTABLE = ("area", "places", "partners", "event_date", "event_date_end")


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser sent it
    data: bytes


@dataclass(frozen=True)
class Pending:
    """A file with drafts awaiting review."""

    source: str
    drafts: int
    with_guesses: int
    last: datetime


def upload_name(raw: str) -> str:
    """The file's own name, without the folders some browsers send along."""
    name = fold_line(re.split(r"[/\\]", raw or "")[-1]).strip()
    if not name:
        raise UserError("files: a file without a name was sent; choose the file again")
    if len(name) > MAX_NAME:
        raise UserError(f"files: {name[:40]}...: the name is longer than {MAX_NAME} characters")
    return name


def import_options(
    library: LibraryConfig, language: str, year: str, author: str
) -> importer.ImportOptions:
    """The form's choices, checked like the CLI's --language and --year."""
    language = language.strip()
    if language:
        language = language_tag("language", language)
        if language not in library.languages:
            choices = ", ".join(library.languages)
            raise UserError(f"language: {language!r} is not a language of the library ({choices})")
    year = year.strip()
    if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
        raise UserError(f"year: {year!r} is not a year between 1900 and 2100 (write it as YYYY)")
    return importer.ImportOptions(
        year=int(year) if year else None, language=language or None, author=author
    )


def _plan(
    upload: Upload, library: LibraryConfig, options: importer.ImportOptions, index: PartnerIndex
) -> tuple[list[importer.Draft], importer.FileReport]:
    """The upload's drafts and report, checked as the CLI checks a file, named as uploaded."""
    name = upload_name(upload.name)
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise UserError(f"files: {name}: only .txt, .md and .markdown files can be imported")
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        raise UserError(f"files: {name}: larger than {limit} MiB; is it really a bulletin?")
    with tempfile.TemporaryDirectory(prefix="newsletter-import-") as folder:
        path = Path(folder) / f"document{suffix}"
        path.write_bytes(upload.data)
        try:
            drafts, report = importer.plan_file(path, library, options, index)
        except UserError as exc:  # the importer names the temporary file: name the upload
            message = str(exc).replace(str(path), name)
            shown = message if message.startswith(name) else f"{name}: {message}"
            raise UserError(f"files: {shown}") from None
    report.path = name
    for draft in drafts:
        draft.fields["source_file"] = name
    return drafts, report


def _how(draft: importer.Draft) -> dict[str, str]:
    notes = draft.recognised
    return {
        name: (notes.get(name) or {}).get("how", "").split(";")[0]
        for name in draft.fields.get("guessed") or []
    }


def import_uploads(
    session: Session,
    library: LibraryConfig,
    uploads: list[Upload],
    options: importer.ImportOptions,
    actor: str,
    now: datetime,
) -> list[importer.FileReport]:
    """Drafts from every upload, or a UserError ("files: NAME: ...") and nothing written."""
    if not uploads:
        raise UserError("files: choose one or more .txt or .md files to import")
    index = partners.index(session, library)
    problems, planned = [], []
    for upload in uploads:
        try:
            planned.append(_plan(upload, library, options, index))
        except UserError as exc:
            problems.append(str(exc).removeprefix("files: "))
    if problems:
        raise UserError("files: " + "; ".join(problems))
    reports = []
    for drafts, report in planned:
        how = {d.fields["content_hash"]: _how(d) for d in drafts}
        try:
            importer.save_drafts(session, library, drafts, now, report)
        except UserError as exc:
            raise UserError(f"files: {report.path}: {exc}") from None
        for made in report.created:
            audit.record(
                session, actor, "imported", "block", made["id"], now, note=report.path,
                file=report.path, line=made.get("source_position"), guessed=made["guessed"],
                how=how.get(made["content_hash"], {}),
            )  # fmt: skip
        reports.append(report)
    return reports


def pending(session: Session, limit: int = 30) -> list[Pending]:
    """Files with drafts awaiting review, the latest import first."""
    query = select(Block.source_file, Block.guessed, Block.created_at).where(
        Block.status == "draft", col(Block.source_file).is_not(None)
    )
    found: dict[str, list[Any]] = {}
    for source, guessed, created in session.exec(query):
        entry = found.setdefault(source, [0, 0, created])
        entry[0] += 1
        entry[1] += bool(guessed)
        entry[2] = max(entry[2], created)
    listed = [Pending(s, n, g, last) for s, (n, g, last) in found.items()]
    return sorted(listed, key=lambda p: (p.last, p.source), reverse=True)[:limit]


def drafts_of(session: Session, sources: list[str]) -> list[Block]:
    """The drafts still awaiting review from these files, in the order they were written."""
    query = (
        select(Block)
        .where(Block.status == "draft", col(Block.source_file).in_(sources))
        .order_by(col(Block.source_file), col(Block.source_position), col(Block.id))
    )
    return list(session.exec(query))


def guess_notes(session: Session, block_ids: list[int]) -> dict[int, dict[str, str]]:
    """Per block, how the importer came by each guess ("year from the document's dates")."""
    query = select(AuditEvent).where(
        AuditEvent.subject == "block",
        AuditEvent.action == "imported",
        col(AuditEvent.subject_id).in_(block_ids),
    )
    notes: dict[int, dict[str, str]] = {}
    for event in session.exec(query):
        how = event.details.get("how")
        if isinstance(how, dict):
            notes[event.subject_id] = {str(k): str(v) for k, v in how.items() if v}
    return notes


def _draft(session: Session, block_id: int) -> Block:
    block = blocks.get(session, block_id)
    if block.status != "draft":
        raise StateError(
            f"block {block_id} is {block.status}, no longer a draft awaiting review; "
            "open it from the library to change it"
        )
    return block


def accept(session: Session, block_id: int, actor: str, now: datetime) -> Block:
    """The draft as it stands: its guesses confirmed, ready to go into an issue."""
    _draft(session, block_id)
    confirmed = blocks.confirm_guesses(session, block_id, now)
    block = blocks.set_status(session, block_id, "ready", now)
    audit.record(session, actor, "accepted", "block", block_id, now, confirmed=confirmed)
    return block


def correct(
    session: Session,
    library: LibraryConfig,
    block_id: int,
    changes: Mapping[str, Any],
    actor: str,
    now: datetime,
) -> list[str]:
    """Apply an officer's corrections to a draft's recognised fields; returns those changed.

    Validation is the library's (blocks.update), so the messages are the CLI's; a field that
    changes is no longer a guess, one left as it was stays marked.
    """
    unknown = [name for name in changes if name not in CORRECTABLE]
    if unknown:
        raise UserError(f"{unknown[0]}: not a field the review corrects")
    block = _draft(session, block_id)
    before = blocks.record(block)
    blocks.update(session, library, block_id, dict(changes), now)
    after = blocks.record(block)
    changed = [name for name in CORRECTABLE if before[name] != after[name]]
    if changed:
        audit.record(session, actor, "changed", "block", block_id, now, fields=changed)
    return changed


def discard(session: Session, block_id: int, actor: str, now: datetime) -> blocks.Deleted:
    """Delete a draft the import should not have made; the trail keeps its title."""
    block = _draft(session, block_id)
    source = block.source_file or ""
    deleted = blocks.delete(session, block_id)
    audit.record(
        session, actor, "discarded", "block", block_id, now, note=deleted.title, file=source
    )
    return deleted
