"""The block library's pages as rendered (the routes are in ``blocks``): the block form with its
translations and history, the delete confirmation, the translation page, and preview answers.
"""

from __future__ import annotations

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from newsletter.core import audit
from newsletter.core.db import read_scope
from newsletter.core.errors import NotFound
from newsletter.library import block_translations, blocks
from newsletter.library.block_translations import group_of
from newsletter.rendering.safe_markdown import to_html
from newsletter.web import i18n
from newsletter.web.admin import block_forms as forms
from newsletter.web.admin.frame import Viewer, admin_of, preview_response
from newsletter.web.context import Web, web_of


def found(web: Web, block_id: int) -> None:
    """A 404 unless the block exists (before a form about it is read)."""
    with read_scope(web.engine) as db:
        try:
            blocks.get(db, block_id)
        except NotFound:
            raise HTTPException(404) from None


def form_page(
    request: Request,
    viewer: Viewer,
    status: int,
    values: dict[str, str],
    errors: dict[str, str],
    block_id: int | None = None,
) -> Response:
    """The new block's form, or a block's page with its form, translations and history."""
    web = web_of(request)
    context: dict[str, object] = {}
    with read_scope(web.engine) as db:
        photos = forms.photos(db, web.config)
        if block_id is not None:
            try:
                block = blocks.get(db, block_id)
            except NotFound:
                raise HTTPException(404) from None
            group = group_of(db, block)
            have = {b.language for b in group}
            context = {
                "block": block,
                "group": [b for b in group if b.id != block.id],
                "missing": [
                    (c, i18n.own_name(c)) for c in web.config.library.languages if c not in have
                ],  # fmt: skip
                "language_names": {b.language: i18n.own_name(b.language) for b in group},
                "events": audit.for_subject(db, "block", block_id),
            }
    name = "block.html" if block_id is not None else "block_new.html"
    return admin_of(request).render(
        request, viewer, name, status, values=values, errors=errors, photos=photos,
        **forms.choices(web.config, values.get("language", "")), **context,
    )  # fmt: skip


def delete_page(
    request: Request, viewer: Viewer, block_id: int, status: int = 200, problem: str = ""
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        try:
            block = blocks.get(db, block_id)
        except NotFound:
            raise HTTPException(404) from None
        issues = blocks.issues_using(db, block_id)
    return admin_of(request).render(request, viewer, "block_delete.html", status, block=block,
                                    issues=issues, problem=problem)  # fmt: skip


def translate_page(
    request: Request,
    viewer: Viewer,
    block_id: int,
    language: str,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        try:
            original = blocks.get(db, block_id)
        except NotFound:
            raise HTTPException(404) from None
        group = group_of(db, original)
        photos = forms.photos(db, web.config)
    if not language:  # the first of the library's languages the story is not written in yet
        have = {b.language for b in group}
        others = [c for c in web.config.library.languages if c != original.language]
        language = next((c for c in others if c not in have), others[0] if others else "")
    if values is None:
        start = forms.starting(block_translations.starting_fields(original))
        values = {**start, "language": language, "author": viewer.name or viewer.email}
    taken = {b.language: b for b in group if b.id != original.id}
    choices = forms.choices(web.config, language)
    choices["block_languages"] = [
        (code, name) for code, name in choices["block_languages"] if code != original.language
    ]
    return admin_of(request).render(
        request, viewer, "block_translate.html", status, original=original, values=values,
        errors=errors or {}, photos=photos, taken=taken, original_html=to_html(original.body),
        summary_html=to_html(original.summary), **choices,
    )  # fmt: skip


def preview(html: str, status: int = 200) -> HTMLResponse:
    response = preview_response(html)
    response.status_code = status
    return response
