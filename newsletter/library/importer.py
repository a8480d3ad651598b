"""`blocks import`: plain-text documents and Markdown files become draft blocks.

Each file is read and split into stories (bulletin.py: one per story, release or section), each
story is enriched with the places, dates and partners its text names and a suggested programme
area (enrich.py), and then saved in one transaction per file: a file that cannot be read writes
nothing, and the other files still import. A story whose content hash is already in the library
is skipped, so importing a file again creates nothing. The report says, per block, what was
recognised and how surely, what was guessed, and, per file, what was dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from newsletter.core.config import LibraryConfig
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import UserError
from newsletter.core.textfiles import read_text
from newsletter.library import blocks, datefinder, partners
from newsletter.library.areas import area_slug
from newsletter.library.bulletin import Bulletin, Story, split_bulletin
from newsletter.library.dateguess import HIGH, MEDIUM, DateContext, explicit
from newsletter.library.enrich import Context, Draft, enrich
from newsletter.library.markdown_import import MARKDOWN_SUFFIXES, split_markdown
from newsletter.library.organisations import PartnerIndex, key
from newsletter.library.textclean import clean_text, odd_characters
from newsletter.library.titlecase import is_capitals, title_case

__all__ = ["Draft", "FileReport", "ImportOptions", "import_files", "plan_file", "save_drafts"]


@dataclass
class ImportOptions:
    year: int | None = None  # for dates written without a year (else inferred from the document)
    area: str | None = None  # every block gets this area instead of a suggestion
    language: str | None = None
    author: str = ""
    dry_run: bool = False
    title_case: bool = True  # headings in capitals become title case


@dataclass
class FileReport:
    path: str
    created: list[dict[str, Any]] = field(default_factory=list)  # block fields (+ id, report)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # title, line, existing id
    error: str | None = None
    dropped: list[dict[str, Any]] = field(default_factory=list)  # line, text, reason
    cleaned: int = 0  # odd spaces and invisible characters normalised


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def _date_context(text: str, bulletin: Bulletin | None, year: int | None) -> DateContext:
    mentions = datefinder.scan(text)
    header = [m for t in (bulletin.document_dates if bulletin else []) for m in datefinder.scan(t)]
    document_date = explicit(header)[0] if explicit(header) else None
    fallback = None if explicit(mentions) else datefinder.document_year(text)
    return DateContext(explicit(mentions), document_date, year, fallback)


def _casing(options: ImportOptions, index: PartnerIndex) -> Any:
    acronyms = index.acronyms
    if not options.title_case:
        return str
    return lambda heading: title_case(heading, options.language, acronyms)


def _story_fields(story: Story, title_cased: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": story.title, "body": story.body, "source_position": story.line
    }  # fmt: skip
    if story.summary:
        fields["summary"] = story.summary
    if title_cased:
        fields["guessed"] = ["title"]
    return fields


def _story_notes(story: Story, title_cased: bool) -> dict[str, dict[str, Any]]:
    how = story.how or "first heading"
    told = f"headline ({how})"
    title = {"value": story.title, "confidence": MEDIUM if title_cased or how == "by its shape"
             else HIGH, "how": f"written in capitals, put in title case; {told}" if title_cased
             else told}
    notes = {"title": title}
    if story.summary:
        notes["summary"] = {"value": story.summary, "confidence": MEDIUM,
                            "how": "the sub-title line under the headline"}
    extras = [f"{len(story.subheadings)} sub-heading(s) kept"] if story.subheadings else []
    extras += [f"{story.pulled_quotes} pulled quote(s) kept"] if story.pulled_quotes else []
    if story.dateline:
        extras.append(f"dateline {story.dateline.place or story.dateline.date_text} taken off")
    if extras:
        notes["structure"] = {"value": "; ".join(extras), "confidence": HIGH, "how": "layout"}
    return notes  # fmt: skip


def _plain_text_drafts(path: Path, text: str, ctx: Context, options: ImportOptions) -> tuple:
    names = {key(f) for o in ctx.partners.orgs for f, _ in o.forms()}
    bulletin = split_bulletin(text, names, _casing(options, ctx.partners))
    if not bulletin.stories:
        raise UserError(
            f"{path}: no stories found (expected a headline line, a blank line, then paragraphs)"
        )
    ctx.dates = _date_context(text, bulletin, options.year)
    drafts = []
    for story in bulletin.stories:
        cased = story.title != story.written
        draft = enrich(ctx, _story_fields(story, cased), story)
        draft.recognised = {**_story_notes(story, cased), **draft.recognised}
        drafts.append(draft)
    return drafts, bulletin.dropped


def _markdown_drafts(path: Path, text: str, ctx: Context, options: ImportOptions) -> list:
    ctx.dates = _date_context(text, None, options.year)
    drafts = []
    for fields in split_markdown(clean_text(text), str(path), ctx.library):
        cased = options.title_case and is_capitals(fields["title"])
        if cased:
            language = fields.get("language") or options.language
            fields["title"] = title_case(fields["title"], language, ctx.partners.acronyms)
            fields["guessed"] = ["title"]
        drafts.append(enrich(ctx, fields))
    return drafts


def plan_file(
    path: Path, library: LibraryConfig, options: ImportOptions, index: PartnerIndex | None = None
) -> tuple[list[Draft], FileReport]:
    """The blocks a file would become, checked, and its report, without touching the database."""
    text = read_text(path)
    report = FileReport(str(path), cleaned=odd_characters(text))
    ctx = Context(library, index or PartnerIndex.from_names(library.partners), DateContext(),
                  options.language)  # fmt: skip
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        drafts = _markdown_drafts(path, text, ctx, options)
    else:
        drafts, dropped = _plain_text_drafts(path, text, ctx, options)
        report.dropped = [{"line": d.line, "text": d.text, "reason": d.reason} for d in dropped]
    for draft in drafts:
        f = draft.fields
        f.setdefault("status", "draft")
        f["source_file"] = str(path.resolve())
        f["content_hash"] = content_hash(f["title"], f.get("body", ""))
        if options.area:
            f["area"], draft.area_suggested = area_slug(library, options.area), False
            f["guessed"] = [g for g in f.get("guessed", []) if g != "area"]
            draft.recognised.pop("area", None)
        if options.language:
            f["language"] = options.language
        if options.author and not f.get("author"):
            f["author"] = options.author
    return drafts, report


def save_drafts(
    session: Session, library: LibraryConfig, drafts: list[Draft], now: datetime, report: FileReport
) -> None:
    """Create the drafts' blocks, skipping any whose content is already in the library."""
    seen: set[str] = set()
    for draft in drafts:
        f = draft.fields
        existing = blocks.find_by_hash(session, f["content_hash"])
        if existing is not None or f["content_hash"] in seen:
            report.skipped.append(
                {"title": f["title"], "line": f.get("source_position"),
                 "existing_id": existing.id if existing else None}
            )  # fmt: skip
            continue
        seen.add(f["content_hash"])
        block = blocks.create(session, library, f, now)
        report.created.append({**blocks.to_json(block), "area_suggested": draft.area_suggested,
                               "recognised": draft.recognised})  # fmt: skip


def import_files(
    engine: Engine, library: LibraryConfig, paths: list[Path], options: ImportOptions, now: datetime
) -> list[FileReport]:
    """Import each file in its own transaction; a failed file is reported, not fatal."""
    with read_scope(engine) as session:
        index = partners.index(session, library)
    reports = []
    for path in paths:
        try:
            drafts, report = plan_file(path, library, options, index)
            with session_scope(engine) as session:
                save_drafts(session, library, drafts, now, report)
                if options.dry_run:  # checked exactly as a real import, then nothing kept
                    session.rollback()
                    for created in report.created:
                        created["id"] = None
        except UserError as exc:
            message = str(exc)
            shown = message if message.startswith(str(path)) else f"{path}: {message}"
            report = FileReport(str(path), error=shown)
        reports.append(report)
    return reports
