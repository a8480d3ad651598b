"""The workspace's shared routes and answers: its static files, the sign-in redirect and the
403 page, and ``install(app)`` that adds every workspace router.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from newsletter.accounts.roles import NEEDS
from newsletter.web.admin import (
    blocks,
    composer,
    library_import,
    list_pages,
    media,
    outbox,
    people,
    review,
    sends,
    settings_page,
    signin,
    subscriber_pages,
)
from newsletter.web.admin.frame import (
    TEMPLATES,
    Admin,
    Forbidden,
    LoginRequired,
    Viewer,
    admin_of,
    login_url,
    secure,
    signed_in,
)
from newsletter.web.context import Web

JS = "text/javascript; charset=utf-8"
STATIC = {
    "admin.css": "text/css; charset=utf-8",
    "admin.js": JS,  # shared: confirmations, the language menu
    "blocks.js": JS,  # the block form's live preview
    "composer.js": JS,  # drag and drop, preview widths and modes
    "sends.js": JS,  # a running send's live counts
    "lists.js": JS,  # the list pages' import form
    "outbox.js": JS,  # the outbox viewer's tabs
    "settings.js": JS,  # the settings page's SMTP test
}
# Routers of the workspace, in the order their paths are matched.
ROUTERS = [
    signin.router,
    blocks.router,
    library_import.router,
    media.router,
    composer.router,
    review.router,
    sends.router,
    subscriber_pages.router,
    list_pages.router,
    outbox.router,
    settings_page.router,
    people.router,
]


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return secure(RedirectResponse(login_url(exc.next_url), status_code=303))


async def forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)
    needed = NEEDS.get(exc.permission, "admin")
    return admin_of(request).render(request, exc.viewer, "forbidden.html", 403, needed=needed)


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:  # only the shipped files: the name never reaches a path
        return Response(status_code=404)
    body = (TEMPLATES / "static" / name).read_bytes()
    return Response(body, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})


def not_found(request: Request, _viewer: Viewer = Depends(signed_in)) -> Response:
    """Any other /admin address: the sign-in first (a stranger learns nothing), then a 404."""
    raise HTTPException(404)


def install(app: FastAPI, web: Web) -> None:
    app.state.admin = Admin(web)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_api_route(
        "/admin/static/{name}", static_file, methods=["GET", "HEAD"], include_in_schema=False
    )
    for router in ROUTERS:
        app.include_router(router)
    app.add_api_route(
        "/admin/{rest:path}", not_found, methods=["GET", "HEAD", "POST"], include_in_schema=False
    )
