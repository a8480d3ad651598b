"""Security of the public pages: headers (HSTS on https sites), CSRF tokens, a body size cap,
local-only redirects.

CSRF uses a signed double submit: a random value in an HttpOnly SameSite=Strict cookie, and the
same value signed with the app secret in each form. A forged form from another site can neither
read the cookie nor produce the signature. The RFC 8058 one-click POST is exempt by design: the
signed link itself is the authority, and mail providers send it without cookies.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "nl_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 2 * 24 * 3600

# Pages carry no script at all; styles come from our own stylesheet.
STRICT_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# The archived email's web version keeps the email's inline styles and remote images.
ARCHIVE_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Links in emails carry personal tokens: never leak them in a Referer.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# Sent when [public] base_url is https: browsers then never try plain http for a year.
HSTS = "max-age=31536000"


def default_headers(hsts: bool) -> dict[str, str]:
    """Every response's security headers (the strict CSP; HSTS on an https site)."""
    headers = {**HEADERS, "Content-Security-Policy": STRICT_CSP}
    if hsts:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """ASGI middleware adding the security headers; a route may set its own (looser) CSP."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.defaults = [(k.lower().encode(), v.encode()) for k, v in default_headers(hsts).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.defaults if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class CsrfError(Exception):
    """The form's CSRF token is missing, stale or does not match the cookie."""


class Csrf:
    """Issues and checks the signed double-submit tokens."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="newsletter.web.csrf")

    def token_for(self, request: Request) -> str:
        """The form token for this browser, creating its cookie value when it has none yet."""
        value = getattr(request.state, "csrf_value", None) or request.cookies.get(CSRF_COOKIE)
        if not value or len(value) > 100:
            value = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_value = value
        return self._signer.dumps(value)

    def set_cookie(self, request: Request, response: Response) -> None:
        """Sends the cookie if ``token_for`` made a new one during this request."""
        if getattr(request.state, "csrf_new", False):
            response.set_cookie(
                CSRF_COOKIE,
                request.state.csrf_value,
                max_age=CSRF_MAX_AGE,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/",
            )

    def check(self, request: Request, submitted: str | None) -> None:
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or not submitted:
            raise CsrfError("missing CSRF cookie or token")
        try:
            value = self._signer.loads(submitted, max_age=CSRF_MAX_AGE)
        except BadSignature as exc:
            raise CsrfError("invalid or expired CSRF token") from exc
        if not isinstance(value, str) or not hmac.compare_digest(value, cookie):
            raise CsrfError("CSRF token does not match the cookie")


def local_path(target: str | None, fallback: str = "/") -> str:
    """``target`` if it is a path on this site, else ``fallback``: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return fallback
    return target


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware answering 413 to bodies over ``max_bytes``, declared or streamed."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        large: tuple[tuple[str, ...], int] = ((), 0),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths (prefixes) that take uploads, and their own, larger cap.
        self.large_prefixes, self.large_bytes = large

    def _limit(self, path: str) -> int:
        if self.large_prefixes and path.startswith(self.large_prefixes):
            return max(self.max_bytes, self.large_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send)


async def _too_large(send: Send) -> None:
    body = b"Request body too large.\n"
    # SecurityHeaders, outside this middleware, adds the security headers.
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
