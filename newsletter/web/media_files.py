"""The media library's photos, public at ``/media/<stem>-<width>.<ext>`` (GET and HEAD).

Emails load them from here, so no sign-in. Only names of the library's own shape are served
(``library.media_store.NAME``: a random hex stem, a width, jpg or png): nothing a name holds can
reach another folder. The files are our own re-encodings, never the uploaded bytes. A name is
never reused for other pixels, so browsers and mail proxies may keep a file for a year.

A plain function (FastAPI runs it in its thread pool): finding the file touches the disk.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from newsletter.library import media_store
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)
CACHE = "public, max-age=31536000, immutable"


@router.api_route("/media/{name}", methods=READ)
def media_file(request: Request, name: str) -> Response:
    found = media_store.served_file(web_of(request).config, name)
    if found is None:
        return PlainTextResponse("No such photo.\n", status_code=404)
    return FileResponse(
        found, media_type=media_store.content_type(name), headers={"Cache-Control": CACHE}
    )
