"""The composer page itself: what it shows of one issue (gathered in one read), the state of its
preview tabs kept across forms, each pre-send finding with the place on the page it is about,
the issue's history for the review panel, and ``change`` that runs one edit and answers it.

The state is in the query string, so the page works without JavaScript: ``edition`` (the
language previewed), ``mode`` (light or dark), ``view`` (html or text), and ``from``/``to``
(the period the picker offers). ``lang`` is not used for the edition: it is the workspace's
own language switch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.audience import lists
from newsletter.compose import issues, lifecycle
from newsletter.compose.issue_checks import check_issue
from newsletter.compose.issue_content import languages, sections
from newsletter.core import audit
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Placement
from newsletter.rendering.checks import Finding
from newsletter.web import i18n
from newsletter.web.admin import composer_view as view
from newsletter.web.admin.frame import Viewer, admin_of, text
from newsletter.web.context import web_of

STATE = ("edition", "mode", "view", "from", "to")


def state_of(source: Mapping[str, Any]) -> dict[str, str]:
    """The preview and picker state of a query string or a form (unknown values dropped)."""
    out = {}
    for name in STATE:
        value = source.get(name)
        if not isinstance(value, str) or not value:
            continue
        if name == "mode" and value not in view.MODES:
            continue
        if name == "view" and value not in view.FORMATS:
            continue
        if name == "edition" and not value.replace("-", "").isalnum():
            continue
        out[name] = value[:20]
    return out


def url(issue_id: int, state: Mapping[str, str], anchor: str = "") -> str:
    query = urlencode({k: v for k, v in state.items() if v})
    where = f"/admin/issues/{issue_id}" + (f"?{query}" if query else "")
    return where + (f"#{anchor}" if anchor else "")


def section_number(session: Session, issue_id: int, section_id: str) -> str | None:
    """The current number of a section given by id ('' for none), as the services want it."""
    if not section_id.strip():
        return None
    ids = [s.id for s in sections(session, issue_id)]
    if not section_id.isdigit() or int(section_id) not in ids:
        raise StateError(
            f"issue {issue_id} changed since the page was loaded (no section {section_id}): "
            "reload it and try again"
        )
    return str(ids.index(int(section_id)) + 1)


def override_changes(placement: Placement, form: FormData) -> dict[str, Any]:
    """The overrides the block's form changed ('' for a title or summary: the library's)."""
    out: dict[str, Any] = {}
    if "title" in form:
        title = view.checked_line("title", text(form, "title").strip())
        if title != (placement.title_override or ""):
            out["title"] = title
    if "summary" in form:
        summary = view.checked_text("summary", text(form, "summary")).strip()
        if summary != (placement.summary_override or ""):
            out["summary"] = summary
    if "has-hide_image" in form:
        hide = text(form, "hide_image") == "on"
        if hide != placement.hide_image:
            out["hide_image"] = hide
    return out


Work = Callable[[Session], str]


def change(
    request: Request,
    viewer: Viewer,
    issue_id: int,
    form: FormData,
    work: Work,
    where: str,
    fields: tuple[str, ...] = (),
    prefix: str = "",
    anchor: str = "",
) -> Response:
    """Run one change in one transaction and go back to the composer; a refusal is shown
    beside the form ``where`` (400), or at the top: a frozen issue (409), a missing block
    (404). Nothing of a refused change is written."""
    web = web_of(request)
    state = state_of(form)
    posted = {where: {k: v for k, v in form.items() if isinstance(v, str)}}
    try:
        with session_scope(web.engine) as db:
            flash = work(db)
    except NotFound as exc:
        return render(request, viewer, issue_id, state, 404, problem=str(exc))
    except StateError as exc:
        return render(request, viewer, issue_id, state, 409, problem=str(exc))
    except UserError as exc:
        errors = {where: view.field_error(str(exc), fields, prefix)}
        return render(request, viewer, issue_id, state, 400, errors=errors, posted=posted)
    return admin_of(request).redirect(url(issue_id, state, anchor or where), flash)


# --- Findings, history --------------------------------------------------------------------------

_EDITION = re.compile(r"^\[([A-Za-z-]+)\] ")
_FIELD_OF = {
    "subject-missing": "subject",
    "subject-too-long": "subject",
    "preheader-missing": "preheader",
}


@dataclass(frozen=True)
class Shown:
    """A finding and the place on the page (or the block's page) it is about."""

    finding: Finding
    href: str
    edition: str


def shown_findings(findings: list[Finding]) -> list[Shown]:
    out = []
    for f in findings:
        found = _EDITION.match(f.message)
        edition = found.group(1) if found else ""
        message = f.message[found.end() :] if found else f.message
        own = f"f-{edition}-" if edition else "f-"
        if f.block_id:
            href = f"/admin/blocks/{f.block_id}"
        elif f.id in _FIELD_OF:
            href = f"#{own}{_FIELD_OF[f.id]}"
        elif message.startswith("the intro"):
            href = f"#{own}intro"
        elif f.id == "translation-incomplete":
            href = f"#edition-{edition}"
        elif f.id == "empty-issue":
            href = "#picker"
        elif f.id == "empty-section":
            href = "#sections"
        elif f.id.startswith(("address-", "base-url-")) or message.startswith("organisation."):
            href = ""  # the configuration file: nothing on this page to change
        else:
            href = "#preview"  # what the templates made of it: look at the email
        out.append(Shown(f, href, edition))
    return out


_STATUS_ACTIONS = {
    "in_review": "submitted",
    "approved": "approved",
    "draft": "sent back",
    "scheduled": "scheduled",
    "sent": "sent",
}


def history(session: Session, issue_id: int) -> dict[str, Any]:
    """The status changes, the audit trail, and both merged oldest first for the trail macro
    (a step both recorded, such as "created", is listed once)."""
    changes = issues.events(session, issue_id)
    trail = list(audit.for_subject(session, "issue", issue_id))
    seen = {(e.at, e.actor, e.action) for e in trail}
    merged: list[dict[str, Any]] = [
        {"at": e.at, "actor": e.actor, "action": e.action, "note": e.note} for e in trail
    ]
    for e in changes:
        action = "created" if not e.from_status else _STATUS_ACTIONS.get(e.to_status, e.to_status)
        if (e.at, e.actor, action) in seen:
            continue
        note = "" if e.note == action else e.note
        merged.append({"at": e.at, "actor": e.actor, "action": action, "note": note})
    merged.sort(key=lambda e: e["at"])
    return {"issue_events": changes, "audit_events": trail, "events": merged}


def _preview_urls(issue_id: int, language: str, mode: str, shape: str) -> dict[str, str]:
    base = f"/admin/issues/{issue_id}/preview?"
    return {
        "frame": base + urlencode({"lang": language, "mode": mode, "format": shape}),
        "html": base + urlencode({"lang": language, "mode": mode, "format": "html"}),
        "text": base + urlencode({"lang": language, "mode": mode, "format": "text"}),
    }


def render(
    request: Request,
    viewer: Viewer,
    issue_id: int,
    state: dict[str, str],
    status: int = 200,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    posted: dict[str, dict[str, str]] | None = None,
    problem: str = "",
) -> Response:
    web = web_of(request)
    config = web.config
    errors = dict(errors or {})
    with read_scope(web.engine) as db:
        try:
            issue = issues.get(db, issue_id)
        except NotFound:
            raise HTTPException(404) from None
        try:
            start, end = view.default_period(issue, web.clock().date())
            start = view.parse_day("from", state.get("from", "")) or start
            end = view.parse_day("to", state.get("to", "")) or end
            if end < start:
                raise UserError(f"to: {end} is before {start}")
        except UserError as exc:
            errors["picker"] = view.field_error(str(exc), ("from", "to"))
            start, end = view.default_period(issue, web.clock().date())
            status = 400 if status == 200 else status
        groups = view.composition(db, issue_id)
        placed = {r.block.id or 0 for g in groups for r in g.rows}
        offered = view.picker(db, config, issue, start, end, placed)
        findings = check_issue(db, config, issue_id)
        trail = history(db, issue_id)
        mailing_lists = lists.all_lists(db)
        editions = languages(issue)
    edition = state.get("edition", issue.language)
    if edition not in editions:
        edition = issue.language
    mode, shape = state.get("mode", "light"), state.get("view", "html")
    addable = [c for c in config.library.languages if c not in editions]
    return admin_of(request).render(
        request, viewer, "issue.html", status, issue=issue, groups=groups, picker=offered,
        checks=findings, shown=shown_findings(findings), errors=errors,
        posted=posted or {}, problem=problem, state=state, edition=edition, mode=mode,
        shape=shape, editions=editions, addable=[(c, i18n.own_name(c)) for c in addable],
        language_name=i18n.own_name, themes=view.themes(config), lists=mailing_lists,
        editable=issue.status in lifecycle.EDITABLE, frames=_preview_urls(
            issue_id, edition, mode, shape), **trail,
    )  # fmt: skip
