"""Routes of the site itself: the stylesheet (in the organisation's colour), the emails'
social icons (``/static/social/<name>.png``, our own, so no mail client asks a third party) and
/healthz.

Neither touches the database, and both answer from the event loop (async, unlike the pages
that read the database), so they answer whatever the database or the worker threads are doing.
"""

from __future__ import annotations

import hashlib
from functools import cache

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from newsletter.web.context import READ, TEMPLATES, web_of

router = APIRouter(include_in_schema=False)
DEFAULT_TEXT = "#1b1b1b"


def relative_luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def readable_brand(hex_colour: str) -> str:
    """The brand colour if white text on it (and it on white) meets WCAG AA (4.5:1)."""
    try:
        ratio = 1.05 / (relative_luminance(hex_colour) + 0.05)
    except ValueError:
        return DEFAULT_TEXT
    return hex_colour if ratio >= 4.5 else DEFAULT_TEXT


@cache
def stylesheet(brand_colour: str) -> tuple[bytes, str]:
    """The site's CSS in ``brand_colour`` (or the default text colour) and its ETag."""
    css = (TEMPLATES / "static" / "site.css").read_text(encoding="utf-8")
    body = css.replace("__BRAND__", readable_brand(brand_colour)).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@router.api_route("/static/site.css", methods=READ)
async def site_css(request: Request) -> Response:
    css, etag = stylesheet(web_of(request).config.organisation.brand_colour)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(
        css,
        media_type="text/css",
        headers={"ETag": etag, "Cache-Control": "public, max-age=3600"},
    )


SOCIAL_ICONS = {p.stem: p for p in (TEMPLATES / "static" / "social").glob("*.png")}


@router.api_route("/static/social/{name}.png", methods=READ)
async def social_icon(name: str) -> Response:
    path = SOCIAL_ICONS.get(name)  # only the shipped files: the name never reaches a path
    if path is None:
        return Response(status_code=404)
    return Response(
        path.read_bytes(),
        media_type="image/png",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.api_route("/healthz", methods=READ)
async def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok\n")
