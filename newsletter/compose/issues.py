"""Issues: create and edit, move through review and sending, freeze for sending, describe.

Placing blocks in an issue lives in ``placements``. Submit, approve and send back also write
the audit trail (``core.audit``), so a step taken in the terminal shows on the workspace's issue.

Every function takes the session first and ``now``; none commits (the caller's session_scope
does), so a failing step leaves nothing half-written.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from newsletter.compose import lifecycle
from newsletter.compose.issue_checks import check_issue
from newsletter.compose.issue_content import languages, load_view, placements, sections
from newsletter.core import audit
from newsletter.core.config import Config
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block, Issue, IssueEvent, IssueSnapshot
from newsletter.core.safe_text import one_line
from newsletter.rendering import templating
from newsletter.rendering.checks import errors_of
from newsletter.rendering.email_render import locale_for, render_issue

ONE_LINE_FIELDS = ("title", "subject", "preheader")
EDITABLE_FIELDS = ("title", "subject", "preheader", "intro", "issue_date", "language", "theme")


def get(session: Session, issue_id: int) -> Issue:
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"no issue with id {issue_id}")
    return issue


def list_issues(session: Session) -> list[Issue]:
    return list(session.exec(select(Issue).order_by(col(Issue.id).desc())).all())


def create(
    session: Session,
    config: Config,
    *,
    title: str,
    now: datetime,
    author: str = "",
    **fields: Any,
) -> Issue:
    """A new draft issue; ``fields`` are any of the editable fields."""
    if not title.strip():
        raise UserError("title: an issue needs a title")
    issue = Issue(
        title=one_line("title", title.strip()),
        language=config.library.default_language,
        theme=config.rendering.theme,
        author=author,
        created_at=now,
        updated_at=now,
    )
    _apply(issue, config, fields)
    session.add(issue)
    session.flush()
    session.add(
        IssueEvent(
            issue_id=issue.id,
            from_status="",
            to_status="draft",
            actor=author,
            note="created",
            at=now,
        )
    )
    return issue


def _apply(issue: Issue, config: Config, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise UserError(f"{name}: not an issue field (use {', '.join(EDITABLE_FIELDS)})")
        if name == "title" and not str(value).strip():
            raise UserError("title: an issue needs a title")
        if name in ONE_LINE_FIELDS and value is not None:
            # The subject becomes a header and the title the archive's headline: one clean line.
            one_line(name, str(value))
        if name == "intro" and value and "\x00" in str(value):
            raise UserError("intro: contains a NUL character; remove it and try again")
        if name == "language":
            locale_for(value)
            if value in issue.translations:
                raise UserError(f"language {value!r}: the issue already has a {value} edition")
        if name == "theme":
            _check_theme(config, value)
        if name == "issue_date" and value is not None and not isinstance(value, date):
            raise UserError(f"issue_date: not a date: {value!r}")
        setattr(issue, name, value)


def _check_theme(config: Config, theme: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", theme):
        raise UserError(f"theme {theme!r}: use lower-case letters, digits, '-' and '_'")
    dirs = templating.template_dirs(config)
    if not any((d / "email" / theme / "issue.mjml.j2").is_file() for d in dirs):
        raise UserError(f"theme {theme!r}: no email/{theme}/issue.mjml.j2 in the templates")


def edit(
    session: Session,
    config: Config,
    issue_id: int,
    fields: dict[str, Any],
    actor: str,
    now: datetime,
) -> Issue:
    issue = get(session, issue_id)
    mark_edited(session, issue, actor, now)
    _apply(issue, config, fields)
    return issue


def mark_edited(session: Session, issue: Issue, actor: str, now: datetime) -> None:
    """Content is about to change: refuse once frozen; send a reviewed issue back to draft."""
    lifecycle.check_editable(issue.id or 0, issue.status)
    if issue.status != "draft":
        transition(session, issue.id or 0, "draft", actor, now, note="content edited")
    issue.updated_at = now
    session.add(issue)


# --- Lifecycle ---------------------------------------------------------------------------------


def transition(
    session: Session, issue_id: int, to_status: str, actor: str, now: datetime, note: str = ""
) -> Issue:
    """Move an issue to ``to_status`` if ``lifecycle.TRANSITIONS`` allows; record who and when."""
    issue = get(session, issue_id)
    lifecycle.check_transition(issue_id, issue.status, to_status)
    session.add(
        IssueEvent(
            issue_id=issue_id,
            from_status=issue.status,
            to_status=to_status,
            actor=actor,
            note=note,
            at=now,
        )
    )
    issue.status = to_status
    issue.updated_at = now
    session.add(issue)
    if to_status == "draft":
        # Back in draft, the content may change: the next freeze renders it again.
        session.exec(delete(IssueSnapshot).where(col(IssueSnapshot.issue_id) == issue_id))
    session.flush()
    return issue


def submit(session: Session, issue_id: int, actor: str, now: datetime, note: str = "") -> Issue:
    """Send a draft for review; recorded in the history and the audit trail."""
    issue = get(session, issue_id)
    if issue.status != "draft":
        where = "already in review" if issue.status == "in_review" else issue.status
        raise StateError(f"issue {issue_id} is {where}: only a draft can be submitted for review")
    note = _note(note)
    transition(session, issue_id, "in_review", actor, now, note)
    audit.record(session, actor, "submitted", "issue", issue_id, now, note=note)
    return issue


def approve(
    session: Session,
    config: Config,
    issue_id: int,
    actor: str,
    now: datetime,
    note: str = "",
    *,
    allow_self: bool = True,
) -> Issue:
    """Approve an issue in review, refused while any pre-send check reports an error, and
    refused to its own author unless ``allow_self``: the workspace passes
    ``config.workspace.allow_self_approval``, so a second pair of eyes is the rule there."""
    issue = get(session, issue_id)
    lifecycle.check_transition(issue_id, issue.status, "approved")
    if not allow_self and is_author(issue, actor):
        raise StateError(
            f"issue {issue_id} was written by {issue.author}: another approver must approve "
            "it (a one-person office can set [workspace] allow_self_approval = true)"
        )
    errors = errors_of(check_issue(session, config, issue_id))
    if errors:
        first = "; ".join(f"{f.id}: {f.message}" for f in errors[:3])
        raise StateError(
            f"issue {issue_id} cannot be approved: {len(errors)} check error(s): {first}"
        )
    note = _note(note)
    transition(session, issue_id, "approved", actor, now, note)
    audit.record(session, actor, "approved", "issue", issue_id, now, note=note)
    return issue


def is_author(issue: Issue, actor: str) -> bool:
    """Whether ``actor`` wrote the issue (e-mail addresses compare without case)."""
    author = (issue.author or "").strip().casefold()
    return bool(author) and author == actor.strip().casefold()


def reject(session: Session, issue_id: int, actor: str, now: datetime, note: str = "") -> Issue:
    """Send an issue in review (or approved but not yet scheduled) back to draft, with a note
    for its author saying what to change (required: "sent back" alone helps nobody)."""
    issue = get(session, issue_id)
    if issue.status not in ("in_review", "approved"):
        raise StateError(
            f"issue {issue_id} is {issue.status}: only an issue in review or "
            "approved can go back to draft"
        )
    note = _note(note)
    if not note:
        raise UserError("note: say what the author should change before sending it back")
    transition(session, issue_id, "draft", actor, now, note)
    audit.record(session, actor, "sent back", "issue", issue_id, now, note=note)
    return issue


NOTE_MAX = 2000


def _note(note: str) -> str:
    """A review note: any number of lines, but no NUL and not a whole essay."""
    note = note.strip()
    if "\x00" in note:
        raise UserError("note: contains a NUL character; remove it and try again")
    if len(note) > NOTE_MAX:
        raise UserError(f"note: {len(note)} characters; keep it to {NOTE_MAX} at most")
    return note


def events(session: Session, issue_id: int) -> list[IssueEvent]:
    get(session, issue_id)
    query = select(IssueEvent).where(IssueEvent.issue_id == issue_id).order_by(IssueEvent.id)
    return list(session.exec(query).all())


# --- Freezing ----------------------------------------------------------------------------------


def snapshots(session: Session, issue_id: int) -> list[IssueSnapshot]:
    """The frozen renderings, the issue's own language first."""
    own = get(session, issue_id).language
    query = select(IssueSnapshot).where(IssueSnapshot.issue_id == issue_id)
    return sorted(session.exec(query).all(), key=lambda s: (s.language != own, s.language))


def freeze(
    session: Session, issue_id: int, now: datetime, config: Config
) -> list[IssueSnapshot]:
    """Render the issue once per language (its own, then each edition) and keep the result:
    later block edits change nothing sent or archived.

    Idempotent: an issue frozen when scheduled keeps that snapshot when its send starts.
    """
    issue = get(session, issue_id)
    if issue.status in ("draft", "in_review", "cancelled"):
        raise StateError(f"issue {issue_id} is {issue.status}: approve it before freezing")
    existing = snapshots(session, issue_id)
    if existing:
        return existing
    made = []
    for language in languages(issue):
        view = load_view(session, issue_id, language)
        rendered = render_issue(view, config)
        made.append(
            IssueSnapshot(
                issue_id=issue_id,
                language=language,
                subject=rendered.subject,
                preheader=rendered.preheader,
                html=rendered.html,
                text=rendered.text,
                content=view.to_dict(),
                created_at=now,
            )
        )
    session.add_all(made)
    session.flush()
    return made


# --- Description for `show` ----------------------------------------------------------------------


def describe(session: Session, issue_id: int) -> dict[str, Any]:
    """Everything `issues show` prints: fields, sections with their blocks, history, snapshots."""
    issue = get(session, issue_id)
    out = issue.model_dump()
    out["sections"] = []
    for number, section in enumerate(sections(session, issue_id), start=1):
        blocks = []
        for placement in placements(session, section.id or 0):
            block = session.get(Block, placement.block_id)
            assert block is not None  # placements reference blocks by foreign key
            blocks.append(
                {
                    "block_id": block.id,
                    "title": placement.title_override or block.title,
                    "library_title": block.title,
                    "kind": block.kind,
                    "status": block.status,
                    "event_date": block.event_date,
                    "title_override": placement.title_override,
                    "summary_override": placement.summary_override,
                    "hide_image": placement.hide_image,
                }
            )
        out["sections"].append(
            {"number": number, "heading": section.heading, "area": section.area, "blocks": blocks}
        )
    out["events"] = [e.model_dump(exclude={"id", "issue_id"}) for e in events(session, issue_id)]
    out["snapshots"] = [
        {"language": s.language, "subject": s.subject, "created_at": s.created_at}
        for s in snapshots(session, issue_id)
    ]
    return out
