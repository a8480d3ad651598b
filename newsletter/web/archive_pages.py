"""Archive routes: the list of published issues, each issue's web version, the Atom feed.

They only read, in deferred transactions (``read_scope``): a send or an import holding the
database's write lock does not hold them up.
"""

from __future__ import annotations

import re

from babel.dates import format_date
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from newsletter.audience import tokens
from newsletter.core.db import read_scope
from newsletter.core.errors import NotFound
from newsletter.web import archive
from newsletter.web.context import READ, Web, web_of
from newsletter.web.security import ARCHIVE_CSP

router = APIRouter()
# ASCII digits only: str.isdigit() and int() also take "²", "١" (Arabic-Indic one) or "１".
ISSUE_ID = re.compile(r"[0-9]{1,12}")


def _archive_title(web: Web, lang: str) -> str:
    _ = web.gettext(lang)
    return _("%(org)s newsletter archive", org=web.config.organisation.name)


def cacheable(response: Response, seconds: int, by_language: bool) -> Response:
    """Archive pages are the same for everyone: proxies and browsers may keep them a while."""
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    if by_language:
        response.headers["Vary"] = "Accept-Language"
    return response


@router.api_route("/archive", methods=READ, response_class=HTMLResponse)
def archive_index(request: Request) -> Response:
    web = web_of(request)
    lang = web.language(request)
    with read_scope(web.engine) as session:
        items = archive.entries(session, lang)
    rows = [
        {
            "url": f"/archive/{item.issue_id}"
            + (f"?lang={lang}" if lang in item.languages else ""),
            "title": item.title,
            "language": item.language,
            "sent_at": item.sent_at,
            "date_label": format_date(item.sent_at.date(), "long", locale=lang),
        }
        for item in items
    ]
    page = web.render(
        request,
        "archive.html",
        lang,
        title=_archive_title(web, lang),
        entries=rows,
        robots="index, follow",
    )
    return cacheable(page, 300, by_language=True)


@router.api_route("/archive/feed.atom", methods=READ)
def archive_feed(request: Request) -> Response:
    web = web_of(request)
    lang = web.language(request)
    with read_scope(web.engine) as session:
        items = archive.entries(session, lang)
    body = archive.atom_feed(items, web.config.public.base_url, _archive_title(web, lang), lang)
    feed = Response(body, media_type="application/atom+xml; charset=utf-8")
    return cacheable(feed, 300, by_language=True)


@router.api_route("/archive/{issue_id}", methods=READ, response_class=HTMLResponse)
def archive_issue(request: Request, issue_id: str) -> Response:
    if not ISSUE_ID.fullmatch(issue_id):
        raise HTTPException(404)
    web = web_of(request)
    number = int(issue_id)
    wanted = request.query_params.get("lang")
    key = request.query_params.get("key", "")
    keyed = tokens.archive_key_ok(web.config.secret_key, number, key)
    try:
        with read_scope(web.engine) as session:
            version = archive.web_version(
                session, web.config.public.base_url, number, wanted, keyed=keyed
            )
    except NotFound:
        raise HTTPException(404) from None
    response = HTMLResponse(version.html)
    response.headers["Content-Security-Policy"] = ARCHIVE_CSP
    if not version.public:  # opened with the key from a private list's email: no caches
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response
    return cacheable(response, 3600, by_language=False)  # a frozen snapshot never changes
