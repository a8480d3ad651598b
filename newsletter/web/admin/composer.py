"""The workspace's issues: the list, a new issue, and the composer of one issue.

- ``/admin/issues``: every issue with its status (``?status=`` filters), and the "New issue"
  form (title, date, language, theme) posted to the same address.
- ``/admin/issues/{id}``: the composer. The issue's fields and its language editions (one form
  each, posted to the same address, ``edition`` naming the language), its sections and blocks
  (move up/down and to a section with plain buttons, or by drag and drop, which posts the whole
  order to ``…/order``; override a title or summary; remove), the picker of the period's ready
  blocks and the undated ones (``…/blocks``; ``…/compose`` adds the whole period as
  `issues compose` does), the pre-send checks, and the preview frames of ``…/preview``.
- Every change goes through the services the CLI uses (``compose.issues``, ``placements``,
  ``period``, ``editions``) and is written to the audit trail; a frozen issue (scheduled,
  sending, sent…) refuses with a 409 and the service's message.

The review and sending panel (submit, approve, test, schedule, send) is ``review``'s, included
in the page as ``_issue_review.html``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.compose import editions, issues
from newsletter.compose.issue_content import languages, sections
from newsletter.compose.preview import preview_parts
from newsletter.core import audit
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, UserError
from newsletter.core.models import ISSUE_STATUSES
from newsletter.rendering.sample import SAMPLE_NAME
from newsletter.web import i18n
from newsletter.web.admin import composer_blocks
from newsletter.web.admin import composer_page as page
from newsletter.web.admin import composer_view as view
from newsletter.web.admin.frame import Viewer, admin_of, checked_form, need, preview_response, text
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)
router.include_router(composer_blocks.router)

NEW_FIELDS = ("title", "issue_date", "language", "theme")


@router.api_route("/admin/issues", methods=READ)
def issue_list(request: Request, viewer: Viewer = Depends(need("issues"))) -> Response:
    status = request.query_params.get("status", "")
    errors = {}
    if status and status not in ISSUE_STATUSES:
        errors["status"] = f"status {status!r}: choose one of {', '.join(ISSUE_STATUSES)}"
    return _list_page(request, viewer, 400 if errors else 200, errors, {}, status)


def _list_page(
    request: Request,
    viewer: Viewer,
    code: int,
    errors: dict[str, str],
    values: dict[str, str],
    status: str = "",
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        rows = [i for i in issues.list_issues(db) if not status or i.status == status]
    library = web.config.library
    return admin_of(request).render(
        request, viewer, "issues.html", code, issues=rows, wanted=status, errors=errors,
        values=values, statuses=ISSUE_STATUSES, themes=view.themes(web.config),
        languages_offered=[(c, i18n.own_name(c)) for c in library.languages],
        default_language=library.default_language, default_theme=web.config.rendering.theme,
    )  # fmt: skip


@router.post("/admin/issues")
def create(
    request: Request,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    values = {name: text(form, name) for name in NEW_FIELDS}
    now = web.clock()
    try:
        fields: dict[str, Any] = {
            "issue_date": view.parse_day("issue_date", values["issue_date"]),
            "language": values["language"] or web.config.library.default_language,
            "theme": values["theme"] or web.config.rendering.theme,
        }
        title = view.checked_line("title", values["title"])
        with session_scope(web.engine) as db:
            issue = issues.create(
                db, web.config, title=title, now=now, author=viewer.email, **fields
            )
            audit.record(db, viewer.actor, "created", "issue", issue.id, now, title=issue.title)
            issue_id = issue.id
    except UserError as exc:
        errors = view.field_error(str(exc), NEW_FIELDS)
        return _list_page(request, viewer, 400, errors, values)
    return admin.redirect(f"/admin/issues/{issue_id}", _("Issue %(id)s created.", id=issue_id))


# --- The composer ---------------------------------------------------------------------------


@router.api_route("/admin/issues/{issue_id}", methods=READ)
def composer(request: Request, issue_id: int, viewer: Viewer = Depends(need("issues"))) -> Response:
    return page.render(request, viewer, issue_id, page.state_of(request.query_params))


@router.post("/admin/issues/{issue_id}")
def edit(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    """The issue's own fields, or with ``edition`` one language edition's texts."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    language = text(form, "for_edition").strip()
    now = web.clock()

    def save_issue(db: Session) -> str:
        issue = issues.get(db, issue_id)
        posted = {n: text(form, n) for n in view.ISSUE_FIELDS if n in form}
        changes = view.issue_changes(issue, posted)
        if not changes:  # an approved issue must not go back to draft for nothing
            return _("Nothing changed.")
        issues.edit(db, web.config, issue_id, changes, viewer.actor, now)
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now, fields=sorted(changes))
        return _("Issue %(id)s saved.", id=issue_id)

    def save_edition(db: Session) -> str:
        issue = issues.get(db, issue_id)
        if text(form, "action") == "remove":
            editions.drop(db, issue_id, language, viewer.actor, now)
            audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                         note=f"{language} edition removed")  # fmt: skip
            return _("The %(lang)s edition was removed.", lang=language)
        posted = {n: text(form, n) for n in view.EDITION_TEXTS if n in form}
        switches = {n: text(form, n) == "on" for n in view.EDITION_SWITCHES if f"has-{n}" in form}
        new = language not in issue.translations
        changes = view.edition_changes(issue, language, posted, switches)
        wanted = {int(k[2:]): text(form, k) for k in form if k[:2] == "h-" and k[2:].isdigit()}
        headings = view.heading_changes(issue, language, sections(db, issue_id), wanted)
        if not (new or changes or headings):
            return _("Nothing changed.")
        editions.translate(db, issue_id, language, changes, headings, viewer.actor, now)
        named = sorted(changes) + [f"heading {n}" for n in sorted(headings)]
        audit.record(db, viewer.actor, "translated", "issue", issue_id, now, note=language,
                     fields=named)  # fmt: skip
        if new:
            return _("The %(lang)s edition was added.", lang=language)
        return _("The %(lang)s edition was saved.", lang=language)

    if language:
        where = "edition-new" if text(form, "new") else f"edition-{language}"
        return page.change(request, viewer, issue_id, form, save_edition, where,
                           view.EDITION_TEXTS, f"{language} ")  # fmt: skip
    return page.change(request, viewer, issue_id, form, save_issue, "issue", view.ISSUE_FIELDS)


# --- The preview frames -------------------------------------------------------------------------


@router.api_route("/admin/issues/{issue_id}/preview", methods=READ)
def preview(request: Request, issue_id: int, viewer: Viewer = Depends(need("issues"))) -> Response:
    """The email as the sample reader gets it, for a frame: ``lang`` (an edition), ``mode``
    light or dark, ``format`` html or text."""
    web = web_of(request)
    params = request.query_params
    mode, shape = params.get("mode", "light"), params.get("format", "html")
    if mode not in view.MODES or shape not in view.FORMATS:
        raise HTTPException(400, "mode: light or dark; format: html or text")
    with read_scope(web.engine) as db:
        try:
            issue = issues.get(db, issue_id)
            language = params.get("lang") or issue.language
            if language not in languages(issue):
                raise NotFound(f"issue {issue_id} has no {language!r} edition")
            html, body = preview_parts(db, web.config, issue_id, language, SAMPLE_NAME)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except UserError as exc:  # a template that fails on this content: say so in the frame
            body, html = str(exc), ""
            shape = "text"
    if shape == "text":
        return preview_response(view.text_page(body, language, issue.title, mode == "dark"))
    return preview_response(view.dark(html) if mode == "dark" else html)
