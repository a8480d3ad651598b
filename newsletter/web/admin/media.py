"""The workspace's media library: upload photos for blocks, describe them, copy their address.

- ``/admin/media`` (``?q=`` search, ``?page=``): the upload form (fields ``file``, ``alt``,
  ``credit``) and the photos, newest first, each with its thumbnail, alt text, credit, who
  uploaded it and when, and the address to use in a block. A refused upload is answered with a
  400 and its message beside the field; nothing is stored.
- ``/admin/media/{id}``: one photo, its versions, the blocks and issues that use it, the form to
  change its alt text and credit, its history, and delete (refused with a 409 while in use).
- ``/admin/media.json?q=&limit=``: ``[{"id", "url", "alt", "credit", "width", "height"}]``, the
  newest matching photos, for the block form's picker.

Everything is done by ``library.media``; the re-encoding runs before the write transaction,
so a big photo holds no database lock.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from newsletter.core import audit
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.library import media, photos
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

UPLOAD_FIELDS = ("file", "alt", "credit")
TEXT_FIELDS = ("alt", "credit")
JSON_LIMIT = 100


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def _list_page(
    request: Request,
    viewer: Viewer,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    web = web_of(request)
    search = request.query_params.get("q", "").strip()
    size = web.config.workspace.page_size
    page = _page_number(request.query_params.get("page"))
    with read_scope(web.engine) as db:
        total = media.count_media(db, search)
        items = media.list_media(db, (page - 1) * size, size, search)
    rows = [
        {"item": i, "thumb": media.path(i), "url": media.url(web.config, i)} for i in items
    ]  # fmt: skip
    return admin_of(request).render(
        request, viewer, "media.html", status, rows=rows, total=total, search=search, page=page,
        pages=max(1, -(-total // size)), errors=errors or {}, values=values or {},
        max_mib=photos.megabytes(web.config.media.max_upload_bytes),
        widths=sorted(set(web.config.media.widths)), alt_max=media.ALT_MAX,
    )  # fmt: skip


@router.api_route("/admin/media", methods=READ)
def media_page(request: Request, viewer: Viewer = Depends(need("media"))) -> Response:
    return _list_page(request, viewer)


@router.post("/admin/media")
def upload(
    request: Request,
    viewer: Viewer = Depends(need("media")),
    form: FormData = Depends(upload_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    values = {"alt": text(form, "alt"), "credit": text(form, "credit")}
    posted = form.get("file")
    data, filename = b"", ""
    if isinstance(posted, UploadFile):
        # One byte past the limit is enough to tell a photo that is too big.
        data = posted.file.read(web.config.media.max_upload_bytes + 1)
        filename = posted.filename or ""
    try:
        prepared = media.prepare_upload(web.config, data, filename, values["alt"],
                                        values["credit"])  # fmt: skip
        with session_scope(web.engine) as db:
            item = media.store(db, web.config, prepared, viewer.actor, web.clock())
    except UserError as exc:
        return _list_page(request, viewer, 400, field_errors(str(exc), UPLOAD_FIELDS), values)
    return admin.redirect(f"/admin/media/{item.id}", _("Photo uploaded."))


def _item_page(
    request: Request,
    viewer: Viewer,
    media_id: int,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        try:
            item = media.get(db, media_id)
        except NotFound:
            raise HTTPException(404) from None
        usage = media.used_by(db, item)
        events = audit.for_subject(db, media.SUBJECT, media_id)
    versions = [
        {
            "width": w,
            "height": media.height_at(item, w),
            "url": address,
            "path": media.path(item, w),
        }
        for w, address in media.urls(web.config, item)
    ]
    return admin_of(request).render(
        request, viewer, "media_item.html", status, item=item, thumb=media.path(item),
        url=media.url(web.config, item), url_width=media.pick_width(item),
        versions=versions, usage=usage, events=events, errors=errors or {},
        values=values or {"alt": item.alt, "credit": item.credit}, alt_max=media.ALT_MAX,
    )  # fmt: skip


@router.api_route("/admin/media/{media_id:int}", methods=READ)
def item_page(request: Request, media_id: int, viewer: Viewer = Depends(need("media"))) -> Response:
    return _item_page(request, viewer, media_id)


@router.post("/admin/media/{media_id:int}")
def change(
    request: Request,
    media_id: int,
    viewer: Viewer = Depends(need("media")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    values = {"alt": text(form, "alt"), "credit": text(form, "credit")}
    try:
        with session_scope(web.engine) as db:
            media.update_text(db, media_id, values["alt"], values["credit"], viewer.actor,
                              web.clock())  # fmt: skip
    except NotFound:
        raise HTTPException(404) from None
    except UserError as exc:
        errors = field_errors(str(exc), TEXT_FIELDS)
        return _item_page(request, viewer, media_id, 400, errors, values)
    return admin.redirect(f"/admin/media/{media_id}", _("Saved."))


@router.post("/admin/media/{media_id:int}/delete")
def remove(
    request: Request,
    media_id: int,
    viewer: Viewer = Depends(need("media")),
    _form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    try:
        with session_scope(web.engine) as db:
            media.delete(db, web.config, media_id, viewer.actor, web.clock())
    except NotFound:
        raise HTTPException(404) from None
    except StateError as exc:
        return _item_page(request, viewer, media_id, 409, {"delete": str(exc)})
    return admin.redirect("/admin/media", _("Photo %(id)s deleted.", id=media_id))


@router.api_route("/admin/media.json", methods=READ)
def picker(request: Request, _viewer: Viewer = Depends(need("media"))) -> Response:
    web = web_of(request)
    query = request.query_params
    limit = query.get("limit", "")
    size = min(int(limit), JSON_LIMIT) if limit.isdigit() and int(limit) > 0 else JSON_LIMIT
    with read_scope(web.engine) as db:
        items = media.list_media(db, 0, size, query.get("q", "").strip())
    answer = JSONResponse([media.as_json(web.config, i) for i in items])
    answer.headers["Cache-Control"] = "no-store"
    return answer
