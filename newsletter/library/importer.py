"""`blocks import`: plain-text bulletins and Markdown files become draft blocks.

Each file is read and split into stories, each story is enriched with the places, dates and
partners its text names and a suggested programme area, and then saved in one transaction per
file: a file that cannot be read writes nothing, and the other files still import. A story whose
content hash is already in the library is skipped, so importing a file again creates nothing.
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
from newsletter.core.db import session_scope
from newsletter.core.errors import UserError
from newsletter.core.textfiles import read_text
from newsletter.library import blocks, datefinder, gazetteer
from newsletter.library.areas import area_slug, find_partners, suggest_area
from newsletter.library.bulletin import split_bulletin
from newsletter.library.markdown_import import MARKDOWN_SUFFIXES, split_markdown


@dataclass
class ImportOptions:
    year: int | None = None  # for dates written without a year (else the document's year)
    area: str | None = None  # every block gets this area instead of a suggestion
    language: str | None = None
    author: str = ""
    dry_run: bool = False


@dataclass
class Draft:
    fields: dict[str, Any]
    area_suggested: bool = False


@dataclass
class FileReport:
    path: str
    created: list[dict[str, Any]] = field(default_factory=list)  # block fields (+ id)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # title, line, existing id
    error: str | None = None


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def enrich(library: LibraryConfig, fields: dict[str, Any], year: int | None) -> Draft:
    """Fill places, dates, partners and a suggested area the fields do not already give."""
    text = f"{fields['title']}\n\n{fields.get('body', '')}"
    out = dict(fields)
    if "places" not in out:
        out["places"] = gazetteer.find_places(text)
    if "partners" not in out:
        out["partners"] = find_partners(library.partners, text)
    if "event_date" not in out and (found := datefinder.first_date(text, year)):
        out["event_date"], out["event_date_end"] = found.start, found.end
    suggested = False
    if not out.get("area") and (suggestion := suggest_area(library, fields["title"], text)):
        out["area"], suggested = suggestion.slug, True
    return Draft(out, suggested)


def _plain_text_drafts(path: Path, text: str, library: LibraryConfig, year: int | None) -> list:
    bulletin = split_bulletin(text)
    if not bulletin.stories:
        raise UserError(
            f"{path}: no stories found (expected a headline line, a blank line, then paragraphs)"
        )
    year = year or datefinder.document_year(text)
    drafts = []
    for story in bulletin.stories:
        fields = {"title": story.title, "body": story.body, "source_position": story.line}
        drafts.append(enrich(library, fields, year))
    return drafts


def plan_file(path: Path, library: LibraryConfig, options: ImportOptions) -> list[Draft]:
    """The blocks a file would become, checked, without touching the database."""
    text = read_text(path)
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        drafts = [
            enrich(library, fields, options.year or datefinder.document_year(text))
            for fields in split_markdown(text, str(path), library)
        ]
    else:
        drafts = _plain_text_drafts(path, text, library, options.year)
    for draft in drafts:
        f = draft.fields
        f.setdefault("status", "draft")
        f["source_file"] = str(path.resolve())
        f["content_hash"] = content_hash(f["title"], f.get("body", ""))
        if options.area:
            f["area"], draft.area_suggested = area_slug(library, options.area), False
        if options.language:
            f["language"] = options.language
        if options.author and not f.get("author"):
            f["author"] = options.author
    return drafts


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
        report.created.append({**blocks.to_json(block), "area_suggested": draft.area_suggested})


def import_files(
    engine: Engine, library: LibraryConfig, paths: list[Path], options: ImportOptions, now: datetime
) -> list[FileReport]:
    """Import each file in its own transaction; a failed file is reported, not fatal."""
    reports = []
    for path in paths:
        report = FileReport(str(path))
        try:
            drafts = plan_file(path, library, options)
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
