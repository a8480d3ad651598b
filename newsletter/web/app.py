"""The web app factory: ``create_app(config)`` builds the public pages with their own engine.

Nothing touches the database at import time; the engine is made when the app is created and
disposed when it shuts down. Routes live in ``public.py``; this module holds what they share:
the page renderer (Jinja2 with Babel translations), error pages and the security middleware.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import newsletter_templates
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from newsletter.core.clock import utcnow
from newsletter.core.config import Config
from newsletter.core.db import open_database
from newsletter.core.errors import UserError
from newsletter.web import i18n
from newsletter.web.ratelimit import RateLimited
from newsletter.web.security import (
    HEADERS,
    STRICT_CSP,
    BodyLimit,
    Csrf,
    CsrfError,
    SecurityHeaders,
    local_path,
)

TEMPLATES = Path(newsletter_templates.__file__).parent / "web"
DEFAULT_TEXT = "#1b1b1b"
# Pages that change nothing also answer HEAD (uptime monitors, link checkers). The confirm link
# stays GET only: a HEAD from a mail scanner must not confirm anyone.
READ = ["GET", "HEAD"]
FORM_TEMPLATES = frozenset({"subscribe.html", "unsubscribe.html", "preferences.html", "erase.html"})


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


@dataclass
class Web:
    """What the routes share: config, engine, clock, CSRF signer and the page renderer."""

    config: Config
    engine: Engine
    clock: Callable[[], datetime]
    secret: str
    csrf: Csrf
    envs: dict[str, jinja2.Environment] = field(default_factory=dict)

    def env(self, lang: str) -> jinja2.Environment:
        if lang not in self.envs:
            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(TEMPLATES),
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
            self.envs[lang] = env
        return self.envs[lang]

    def gettext(self, lang: str) -> Callable[..., str]:
        trans = i18n.translations(lang)

        def _(message: str, **values: Any) -> str:
            text = trans.gettext(message)
            return text % values if values else text

        return _

    def language(self, request: Request, subscriber_lang: str | None = None) -> str:
        return i18n.choose_language(
            request.query_params.get("lang"),
            subscriber_lang,
            request.headers.get("accept-language"),
        )

    def render(
        self, request: Request, name: str, lang: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        # Only pages with a form get a CSRF cookie; the archive stays cookie-free.
        csrf_token = self.csrf.token_for(request) if name in FORM_TEMPLATES else ""
        other = next(code for code in i18n.UI_LANGUAGES if code != lang)
        query = {**request.query_params, "lang": other}
        html = (
            self.env(lang)
            .get_template(name)
            .render(
                lang=lang,
                org=self.config.organisation,
                csrf_token=csrf_token,
                other_lang={
                    "code": other,
                    "name": i18n.own_name(other),
                    "url": f"{local_path(request.url.path)}?{urlencode(query)}",
                },
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["Content-Language"] = lang
        if csrf_token:  # the page holds this browser's CSRF token: no shared cache may keep it
            response.headers["Cache-Control"] = "no-store"
        self.csrf.set_cookie(request, response)
        return response

    def message(
        self,
        request: Request,
        lang: str,
        title: str,
        paragraphs: list[str],
        status: int = 200,
        links: list[dict[str, str]] | None = None,
    ) -> HTMLResponse:
        return self.render(
            request,
            "message.html",
            lang,
            status,
            title=title,
            paragraphs=paragraphs,
            links=links or [],
        )


def web_of(request: Request) -> Web:
    return request.app.state.web  # type: ignore[no-any-return]


def _stylesheet(config: Config) -> tuple[bytes, str]:
    css = (TEMPLATES / "static" / "site.css").read_text(encoding="utf-8")
    css = css.replace("__BRAND__", readable_brand(config.organisation.brand_colour))
    body = css.encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        web = web_of(request)
        lang = web.language(request)
        _ = web.gettext(lang)
        if exc.status_code == 404:
            title, text = _("Page not found"), _("There is no page at this address.")
        elif exc.status_code == 405:
            title, text = _("Not allowed"), _("This page does not accept that kind of request.")
        else:
            title, text = _("Something went wrong"), str(exc.detail)
        links = [{"url": "/subscribe", "label": _("Subscribe")}]
        response = web.message(request, lang, title, [text], exc.status_code, links)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        web = web_of(request)
        lang = web.language(request)
        _ = web.gettext(lang)
        return web.message(
            request, lang, _("Bad request"), [_("The request was incomplete or malformed.")], 400
        )

    @app.exception_handler(CsrfError)
    async def csrf_error(request: Request, exc: CsrfError) -> Response:
        web = web_of(request)
        lang = web.language(request)
        _ = web.gettext(lang)
        text = _(
            "The form had expired or came from another site. Please go back, reload the "
            "page and send it again."
        )
        return web.message(request, lang, _("Form expired"), [text], 403)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        web = web_of(request)
        lang = web.language(request)
        _ = web.gettext(lang)
        minutes = max(1, (exc.retry_after + 59) // 60)
        text = _("Too many requests. Please try again in %(minutes)s minutes.", minutes=minutes)
        response = web.message(request, lang, _("Please wait a little"), [text], 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        web = web_of(request)
        lang = web.language(request)
        _ = web.gettext(lang)
        return web.message(request, lang, _("Something went wrong"), [str(exc)], 400)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Answered outside the header middleware, so the headers are set here; uvicorn logs exc.
        web = web_of(request)
        lang = web.language(request)
        _ = web.gettext(lang)
        text = _("Sorry, the server had a problem. Please try again in a few minutes.")
        response = web.message(request, lang, _("Something went wrong"), [text], 500)
        response.headers.update({**HEADERS, "Content-Security-Policy": STRICT_CSP})
        return response


def create_app(
    config: Config,
    clock: Callable[[], datetime] = utcnow,
    engine: Engine | None = None,
) -> FastAPI:
    """The public web app; opens the configured database (refusing an out-of-date schema)."""
    from newsletter.web import archive_pages, personal, preferences, public

    owned = engine is None
    engine = engine or open_database(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            engine.dispose()

    app = FastAPI(
        title=config.organisation.name,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    secret = config.secret_key
    app.state.web = Web(config, engine, clock, secret, Csrf(secret))
    css, etag = _stylesheet(config)

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=config.web.max_body_bytes)

    @app.api_route("/static/site.css", methods=READ, include_in_schema=False)
    async def stylesheet(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(
            css,
            media_type="text/css",
            headers={"ETag": etag, "Cache-Control": "public, max-age=3600"},
        )

    @app.api_route("/healthz", methods=READ, include_in_schema=False)
    async def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    _install_error_pages(app)
    app.include_router(public.router)
    app.include_router(personal.router)
    app.include_router(preferences.router)
    app.include_router(archive_pages.router)
    return app
