"""The workspace's document import: upload bulletins and Markdown, then review the drafts.

- ``/admin/import``: the upload form (field ``files``, one or more .txt/.md/.markdown; the
  document language; a year for dates written without one) and the files with drafts awaiting
  review. A document that cannot be imported (binary, not UTF-8, empty, too big, no stories)
  is named beside the file field with a 400, and nothing of any file is written.
- ``/admin/import/review?source=NAME`` (repeatable): the drafts of those files, each with its
  recognised area, places, partners and event date, guesses marked, and one form whose buttons
  save corrections, accept (corrections, then guesses confirmed and status ready) or discard.
  ``…/review/accept-all`` accepts the drafts the page showed.

The work is done by ``library.import_review`` (around the CLI's ``library.importer``), which
also writes the audit trail.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block
from newsletter.library import blocks, import_review
from newsletter.library.import_review import CORRECTABLE, MAX_DOCUMENT_BYTES
from newsletter.web import i18n
from newsletter.web.admin.frame import (
    Viewer,
    admin_of,
    checked_form,
    field_errors,
    need,
    text,
    upload_form,
)
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)

UPLOAD_FIELDS = ("files", "language", "year")
MAX_SOURCES = 20  # files one review page shows (an upload takes at most 20)


def _review_url(sources: list[str], anchor: str = "") -> str:
    if not sources:
        return "/admin/import"
    query = urlencode([("source", s) for s in sources])
    return f"/admin/import/review?{query}" + (f"#{anchor}" if anchor else "")


def _sources(values: list[str | UploadFile]) -> list[str]:
    found = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(found))[:MAX_SOURCES]


def _upload_page(
    request: Request, viewer: Viewer, status: int, errors: dict[str, str], values: dict[str, str]
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        waiting = import_review.pending(db)
    library = web.config.library
    languages = [(code, i18n.own_name(code)) for code in library.languages]
    return admin_of(request).render(
        request, viewer, "import.html", status, errors=errors, values=values, waiting=waiting,
        doc_languages=languages, default_language=i18n.own_name(library.default_language),
        max_mib=MAX_DOCUMENT_BYTES // (1024 * 1024), review_url=_review_url,
    )  # fmt: skip


@router.api_route("/admin/import", methods=READ)
def import_page(request: Request, viewer: Viewer = Depends(need("import"))) -> Response:
    return _upload_page(request, viewer, 200, {}, {})


def _uploads(form: FormData) -> list[import_review.Upload]:
    out = []
    for item in form.getlist("files"):
        if not isinstance(item, UploadFile):
            continue
        # Reading one byte past the limit is enough to tell a document that is too big.
        data = item.file.read(MAX_DOCUMENT_BYTES + 1)
        if item.filename or data:  # a browser sends an empty part when no file was chosen
            out.append(import_review.Upload(item.filename or "", data))
    return out


@router.post("/admin/import")
def upload(
    request: Request,
    viewer: Viewer = Depends(need("import")),
    form: FormData = Depends(upload_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    values = {"language": text(form, "language"), "year": text(form, "year")}
    library = web.config.library
    try:
        options = import_review.import_options(
            library, values["language"], values["year"], viewer.name or viewer.email
        )
        with session_scope(web.engine) as db:
            reports = import_review.import_uploads(
                db, library, _uploads(form), options, viewer.actor, web.clock()
            )
    except UserError as exc:
        return _upload_page(request, viewer, 400, field_errors(str(exc), UPLOAD_FIELDS), values)
    told = []
    for report in reports:
        made, skipped = len(report.created), len(report.skipped)
        line = _.ngettext("%(file)s: %(count)s draft made", "%(file)s: %(count)s drafts made",
                          made, file=report.path, count=made)  # fmt: skip
        if skipped:
            line += "; " + _.ngettext(
                "%(count)s story already in the library was skipped",
                "%(count)s stories already in the library were skipped", skipped, count=skipped,
            )  # fmt: skip
        told.append(line + ".")
    sources = list(dict.fromkeys(r.path for r in reports))
    return admin.redirect(_review_url(sources), " ".join(told))


def _current(block: Block) -> dict[str, str]:
    """The correctable fields as the form shows them."""
    dates = {n: getattr(block, n).isoformat() if getattr(block, n) else "" for n in
             ("event_date", "event_date_end")}  # fmt: skip
    return {"area": block.area or "", "places": ", ".join(block.places),
            "partners": ", ".join(block.partners), **dates}  # fmt: skip


def _review_page(
    request: Request,
    viewer: Viewer,
    sources: list[str],
    status: int = 200,
    errors: dict[int, dict[str, str]] | None = None,
    posted: dict[int, dict[str, str]] | None = None,
    problem: str = "",
    problem_at: int | None = None,
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        drafts = import_review.drafts_of(db, sources)
        notes = import_review.guess_notes(db, [b.id for b in drafts if b.id])
    items = [
        {
            "block": b,
            "shown": {**_current(b), **(posted or {}).get(b.id or 0, {})},
            "errors": (errors or {}).get(b.id or 0, {}),
            "how": notes.get(b.id or 0, {}),
        }
        for b in drafts
    ]
    areas = [("", "")] + [(a.slug, a.name) for a in web.config.library.areas]
    return admin_of(request).render(
        request, viewer, "import_review.html", status, sources=sources, items=items,
        areas=areas, problem=problem, problem_at=problem_at,
    )  # fmt: skip


@router.api_route("/admin/import/review", methods=READ)
def review_page(request: Request, viewer: Viewer = Depends(need("import"))) -> Response:
    sources = _sources(list(request.query_params.getlist("source")))
    if not sources:
        return admin_of(request).redirect("/admin/import")
    return _review_page(request, viewer, sources)


@router.post("/admin/import/review/accept-all")
def accept_all(
    request: Request,
    viewer: Viewer = Depends(need("import")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    sources = _sources(form.getlist("source"))
    # Only the drafts the page showed: one a colleague imported since is reviewed on its own.
    shown = {int(v) for v in form.getlist("id") if isinstance(v, str) and v.isdigit()}
    now = web.clock()
    with session_scope(web.engine) as db:
        chosen = [b.id for b in import_review.drafts_of(db, sources) if b.id in shown]
        for block_id in chosen:
            import_review.accept(db, block_id, viewer.actor, now)
    flash = _.ngettext("%(count)s draft accepted.", "%(count)s drafts accepted.", len(chosen),
                       count=len(chosen))  # fmt: skip
    return admin.redirect(_review_url(sources), flash)


def _act(request: Request, viewer: Viewer, form: FormData, block_id: int, action: str) -> Response:
    """Save corrections, accept or discard one draft, in one transaction."""
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    sources = _sources(form.getlist("source"))
    changes = {name: text(form, name) for name in CORRECTABLE if name in form}
    now = web.clock()
    anchor = ""
    try:
        with session_scope(web.engine) as db:
            source = blocks.get(db, block_id).source_file
            sources = sources or ([source] if source else [])
            if action == "discard":
                import_review.discard(db, block_id, viewer.actor, now)
                flash = _("Draft %(id)s discarded.", id=block_id)
            else:
                changed = []
                if changes:
                    changed = import_review.correct(
                        db, web.config.library, block_id, changes, viewer.actor, now
                    )
                if action == "accept":
                    import_review.accept(db, block_id, viewer.actor, now)
                    flash = _("Block %(id)s accepted: it is ready for an issue.", id=block_id)
                else:
                    anchor = f"draft-{block_id}"
                    flash = (_("Corrections to draft %(id)s saved.", id=block_id) if changed
                             else _("Nothing changed in draft %(id)s.", id=block_id))  # fmt: skip
    except NotFound as exc:
        return _review_page(request, viewer, sources, 404, problem=str(exc))
    except StateError as exc:
        return _review_page(request, viewer, sources, 409, problem=str(exc))
    except UserError as exc:
        errors = {block_id: field_errors(str(exc), CORRECTABLE)}
        problem = _("Draft %(id)s was not saved: see the message beside the field.", id=block_id)
        return _review_page(
            request, viewer, sources, 400, errors, {block_id: changes}, problem, block_id
        )
    return admin.redirect(_review_url(sources, anchor), flash)


@router.post("/admin/import/review/{block_id}/correct")
def correct(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("import")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, block_id, "correct")


@router.post("/admin/import/review/{block_id}/accept")
def accept(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("import")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, block_id, "accept")


@router.post("/admin/import/review/{block_id}/discard")
def discard(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("import")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, block_id, "discard")
