"""The workspace's block library: find, write, translate and look after update blocks.

- ``/admin/blocks``: the listing, filtered by area, tag, place, partner, status, language and
  dates, searched ignoring case and Turkish letters, one page at a time.
- ``/admin/blocks/new`` and ``/admin/blocks/{id}``: the block form (Markdown body, media
  picker, live preview), the block's translations and its history; buttons mark it ready, move
  it back to draft, archive it, or lead to ``…/delete`` (a confirmation page).
- ``/admin/blocks/{id}/translate?language=tr``: a new translation, started from the original
  (shown beside it) and put in its translation group.
- ``POST /admin/blocks/preview`` renders the posted form as the email shows the block; the
  form's Preview button (and blocks.js, as one types) posts into the preview frame, and
  ``GET /admin/blocks/{id}/preview`` is the saved block's.

Everything is done by the library's services, the CLI's own (``library.blocks``,
``library.block_translations``), which check the fields and write the audit trail.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.library import block_translations, blocks, partners
from newsletter.web.admin import block_forms as forms
from newsletter.web.admin import block_pages as pages
from newsletter.web.admin.frame import (
    Viewer,
    admin_of,
    checked_form,
    field_errors,
    need,
    text,
)
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)
BLOCK = "/admin/blocks/{block_id:int}"


@router.api_route("/admin/blocks", methods=READ)
def listing(request: Request, viewer: Viewer = Depends(need("blocks"))) -> Response:
    web = web_of(request)
    values = forms.filter_values(request.query_params)
    page = forms.page_number(request.query_params.get("page"))
    size = web.config.workspace.page_size
    errors: dict[str, str] = {}
    found, total = [], 0
    with read_scope(web.engine) as db:
        known_partners = [p.name for p in partners.listing(db)]
        try:
            flt = forms.filter_of(values, page, size)
            found, total = blocks.page_of(db, web.config.library, flt)
            last = max(1, -(-total // size))
            if page > last:  # past the end (fewer blocks since): the last page
                page, flt.offset = last, (last - 1) * size
                found, total = blocks.page_of(db, web.config.library, flt)
        except UserError as exc:
            errors = field_errors(str(exc), forms.FILTERS)
    page_count = max(1, -(-total // size))
    return admin_of(request).render(
        request, viewer, "blocks.html", 400 if errors else 200, found=found, total=total,
        page=page, pages=page_count, values=values, errors=errors, known_partners=known_partners,
        area_names=dict(forms.choices(web.config)["areas"]), **forms.choices(web.config),
    )  # fmt: skip


@router.api_route("/admin/blocks/new", methods=READ)
def new_page(request: Request, viewer: Viewer = Depends(need("blocks"))) -> Response:
    library = web_of(request).config.library
    values = {"language": library.default_language, "kind": "story",
              "author": viewer.name or viewer.email}  # fmt: skip
    return pages.form_page(request, viewer, 200, values, {})


@router.post("/admin/blocks/new")
def create(
    request: Request,
    viewer: Viewer = Depends(need("blocks")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    values = forms.posted(form)
    try:
        with session_scope(web.engine) as db:
            fields = forms.with_photo(db, web.config, values, forms.chosen_photo(form))
            block = blocks.create(db, web.config.library, dict(fields), web.clock(),
                                  viewer.actor, web.config.public.base_url)  # fmt: skip
            block_id = block.id
    except UserError as exc:
        return pages.form_page(request, viewer, 400, values, field_errors(str(exc), forms.FIELDS))
    return admin.redirect(f"/admin/blocks/{block_id}", _("Block %(id)s created.", id=block_id))


@router.api_route(BLOCK, methods=READ)
def block_page(
    request: Request, block_id: int, viewer: Viewer = Depends(need("blocks"))
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        try:
            values = forms.shown(blocks.get(db, block_id))
        except NotFound:
            raise HTTPException(404) from None
    return pages.form_page(request, viewer, 200, values, {}, block_id)


@router.post(BLOCK)
def save(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("blocks")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    pages.found(web, block_id)
    values = forms.posted(form)
    try:
        with session_scope(web.engine) as db:
            before = blocks.record(blocks.get(db, block_id))
            fields = forms.with_photo(db, web.config, values, forms.chosen_photo(form))
            block = blocks.update(
                db,
                web.config.library,
                block_id,
                dict(fields),
                web.clock(),
                actor=viewer.actor,
                media_base=web.config.public.base_url,
            )
            changed = blocks.record(block) != before
    except UserError as exc:
        errors = field_errors(str(exc), forms.FIELDS)
        return pages.form_page(request, viewer, 400, values, errors, block_id)
    flash = _("Block %(id)s saved.", id=block_id) if changed else _("Nothing changed.")
    return admin.redirect(f"/admin/blocks/{block_id}", flash)


def _status_action(request: Request, viewer: Viewer, block_id: int, status: str) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    pages.found(web, block_id)
    now = web.clock()
    with session_scope(web.engine) as db:
        if status == "ready":
            blocks.mark_ready(db, block_id, now, viewer.actor)
        else:
            blocks.set_status(db, block_id, status, now, viewer.actor)
    told = {"ready": _("Block %(id)s is ready for an issue.", id=block_id),
            "draft": _("Block %(id)s is a draft again.", id=block_id),
            "archived": _("Block %(id)s archived.", id=block_id)}  # fmt: skip
    return admin.redirect(f"/admin/blocks/{block_id}", told[status])


@router.post(BLOCK + "/ready")
def ready(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("blocks")),
    _form: FormData = Depends(checked_form),
) -> Response:
    return _status_action(request, viewer, block_id, "ready")


@router.post(BLOCK + "/draft")
def draft(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("blocks")),
    _form: FormData = Depends(checked_form),
) -> Response:
    return _status_action(request, viewer, block_id, "draft")


@router.post(BLOCK + "/archive")
def archive(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("blocks")),
    _form: FormData = Depends(checked_form),
) -> Response:
    return _status_action(request, viewer, block_id, "archived")


@router.api_route(BLOCK + "/delete", methods=READ)
def delete_page(
    request: Request, block_id: int, viewer: Viewer = Depends(need("blocks"))
) -> Response:
    return pages.delete_page(request, viewer, block_id)


@router.post(BLOCK + "/delete")
def delete(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("blocks")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    pages.found(web, block_id)
    if text(form, "confirm") != "yes":  # the confirmation page's button says it
        return pages.delete_page(request, viewer, block_id, 400,
                            _("Confirm with the button below to delete the block."))  # fmt: skip
    try:
        with session_scope(web.engine) as db:
            deleted = blocks.delete(db, block_id, web.clock(), viewer.actor)
    except StateError as exc:
        return pages.delete_page(request, viewer, block_id, 409, str(exc))
    return admin.redirect("/admin/blocks", _("Block %(id)s deleted: %(title)s",
                                             id=block_id, title=deleted.title))  # fmt: skip


@router.api_route(BLOCK + "/translate", methods=READ)
def translate_page(
    request: Request, block_id: int, viewer: Viewer = Depends(need("blocks"))
) -> Response:
    params = request.query_params
    if "lang" in params and "language" not in params:
        # ?lang= also chooses the workspace's own language: the page asks for ?language=.
        query = urlencode({"language": params["lang"][:35]})
        return admin_of(request).redirect(f"/admin/blocks/{block_id}/translate?{query}")
    return pages.translate_page(request, viewer, block_id, params.get("language", "").strip())


@router.post(BLOCK + "/translate")
def translate(
    request: Request,
    block_id: int,
    viewer: Viewer = Depends(need("blocks")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    pages.found(web, block_id)
    values = forms.posted(form)
    language = values.pop("language", "")
    try:
        with session_scope(web.engine) as db:
            fields = forms.with_photo(db, web.config, values, forms.chosen_photo(form))
            made = block_translations.translate(
                db, web.config.library, block_id, language, dict(fields), web.clock(),
                viewer.actor, web.config.public.base_url,
            )  # fmt: skip
            made_id = made.id
    except UserError as exc:
        errors = field_errors(str(exc), forms.FIELDS)
        shown = {**values, "language": language}
        return pages.translate_page(request, viewer, block_id, language, 400, shown, errors)
    flash = _("Translation saved as block %(id)s.", id=made_id)
    return admin.redirect(f"/admin/blocks/{made_id}", flash)


@router.post("/admin/blocks/preview")
def preview(
    request: Request,
    viewer: Viewer = Depends(need("blocks")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    values = forms.posted(form)
    block_id = text(form, "block_id")
    try:
        with read_scope(web.engine) as db:
            values = forms.with_photo(db, web.config, values, forms.chosen_photo(form))
        html = forms.preview_html(web.config, values, int(block_id) if block_id.isdigit() else 0)
    except UserError as exc:
        return pages.preview(forms.problem_page(str(exc), viewer.lang), 400)
    return pages.preview(html)


@router.api_route(BLOCK + "/preview", methods=READ)
def saved_preview(
    request: Request, block_id: int, viewer: Viewer = Depends(need("blocks"))
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        try:
            block = blocks.get(db, block_id)
        except NotFound:
            raise HTTPException(404) from None
    try:
        return pages.preview(forms.block_email(web.config, block))
    except UserError as exc:
        return pages.preview(forms.problem_page(str(exc), viewer.lang), 400)
