"""Archive routes: the list of published issues with their editions, each edition's web
version, and the Atom feeds (one per language).

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
from newsletter.web import archive, i18n
from newsletter.web.context import READ, Web, web_of
from newsletter.web.security import ARCHIVE_CSP

router = APIRouter()
# ASCII digits only: str.isdigit() and int() also take "²", "١" (Arabic-Indic one) or "１".
ISSUE_ID = re.compile(r"[0-9]{1,12}")


def _archive_title(web: Web, lang: str, isolating: bool = True) -> str:
    _ = web.gettext(lang, isolating)
    return _("%(org)s newsletter archive", org=web.config.organisation.name)


def cacheable(response: Response, seconds: int, by_language: bool) -> Response:
    """Archive pages are the same for everyone: proxies and browsers may keep them a while."""
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    if by_language:
        response.headers["Vary"] = "Accept-Language"
    return response


def _row(item: archive.Entry, lang: str) -> dict[str, object]:
    def edition(code: str) -> dict[str, str]:
        return {
            "code": code,
            "name": i18n.own_name(code),
            "dir": i18n.direction(code),
            "url": archive.edition_url("", item.issue_id, code, item.own_language),
        }

    return {
        **edition(item.language),
        "title": item.title,
        "sent_at": item.sent_at,
        "date_label": format_date(item.sent_at.date(), "long", locale=lang),
        "editions": [edition(e.language) for e in item.editions],
    }


@router.api_route("/archive", methods=READ, response_class=HTMLResponse)
def archive_index(request: Request) -> Response:
    web = web_of(request)
    lang = web.language(request)
    with read_scope(web.engine) as session:
        items = archive.entries(session, lang)
    page = web.render(
        request,
        "archive.html",
        lang,
        title=_archive_title(web, lang),
        entries=[_row(item, lang) for item in items],
        feed_url=archive.feed_path(lang),
        robots="index, follow",
    )
    return cacheable(page, 300, by_language=True)


def _feed(web: Web, lang: str) -> Response:
    with read_scope(web.engine) as session:
        items = archive.entries(session, lang)
    # A feed's title is plain text, shown as it is: no directional isolates in it.
    title = _archive_title(web, lang, isolating=False)
    body = archive.atom_feed(items, web.config.public.base_url, title, lang)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.api_route("/archive/feed.atom", methods=READ)
def archive_feed(request: Request) -> Response:
    """The first feed address: its language is chosen like a page's (?lang=, the browser's)."""
    web = web_of(request)
    return cacheable(_feed(web, web.language(request)), 300, by_language=True)


@router.api_route("/archive/{lang}/feed.atom", methods=READ)
def archive_feed_in(request: Request, lang: str) -> Response:
    """The feed of one language, the same whoever asks: what feed readers should keep."""
    if lang not in i18n.UI_LANGUAGES:
        raise HTTPException(404)
    return cacheable(_feed(web_of(request), lang), 300, by_language=False)


def _alternates(web: Web, number: int, version: archive.WebVersion, key: str) -> str:
    """A Link header naming the issue's other editions (``rel=alternate; hreflang=…``)."""
    base = web.config.public.base_url
    links = [
        f"<{archive.edition_url(base, number, code, version.own_language, key)}>; "
        f'rel="alternate"; hreflang="{code}"'
        for code in version.languages
        if code != version.language
    ]
    return ", ".join(links)


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
    response.headers["Content-Language"] = version.language
    alternates = _alternates(web, number, version, key if keyed else "")
    if alternates:
        response.headers["Link"] = alternates
    if not version.public:  # opened with the key from a private list's email: no caches
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response
    return cacheable(response, 3600, by_language=False)  # a frozen snapshot never changes
