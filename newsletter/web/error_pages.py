"""Error pages: every error answers with a page in the reader's language, never a traceback.

``install(app)`` registers the handlers. A TokenError from a personal link (bad, or its person
gone) is answered here too, so the routes simply let it rise out of their transaction.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.audience.tokens import TokenError
from newsletter.core.errors import UserError
from newsletter.web.context import web_of
from newsletter.web.personal_links import refused
from newsletter.web.ratelimit import RateLimited
from newsletter.web.security import CsrfError, default_headers


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
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


async def bad_request(request: Request, exc: Exception) -> Response:
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    return web.message(
        request, lang, _("Bad request"), [_("The request was incomplete or malformed.")], 400
    )


async def csrf_error(request: Request, exc: Exception) -> Response:
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    text = _(
        "The form had expired or came from another site. Please go back, reload the "
        "page and send it again."
    )
    return web.message(request, lang, _("Form expired"), [text], 403)


async def rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    minutes = max(1, (exc.retry_after + 59) // 60)
    text = _.ngettext(
        "Too many requests. Please try again in %(minutes)s minute.",
        "Too many requests. Please try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )
    response = web.message(request, lang, _("Please wait a little"), [text], 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def token_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TokenError)
    return refused(request, web_of(request), exc)


async def user_error(request: Request, exc: Exception) -> Response:
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    return web.message(request, lang, _("Something went wrong"), [str(exc)], 400)


async def server_error(request: Request, exc: Exception) -> Response:
    # Answered outside the header middleware, so the headers are set here; uvicorn logs exc.
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    text = _("Sorry, the server had a problem. Please try again in a few minutes.")
    response = web.message(request, lang, _("Something went wrong"), [text], 500)
    response.headers.update(default_headers(web.https))
    return response


def install(app: FastAPI) -> None:
    """Registers the handlers; the most specific class of an exception picks its page."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(CsrfError, csrf_error)
    app.add_exception_handler(RateLimited, rate_limited)
    app.add_exception_handler(TokenError, token_error)
    app.add_exception_handler(UserError, user_error)
    app.add_exception_handler(Exception, server_error)
