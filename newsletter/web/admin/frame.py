"""What every workspace page shares: who is signed in, the permission guards, the renderer.

- ``signed_in`` / ``need(permission)`` are FastAPI dependencies giving the ``Viewer``. Without a
  valid session cookie they raise ``LoginRequired`` (answered with a 303 to /admin/login?next=),
  without the permission ``Forbidden`` (answered with a 403 page naming the role needed).
- ``Admin.render`` renders a template of ``templates/admin`` in the viewer's language with the
  "admin" catalogue, the CSRF token, the navigation the role may see and any flash message.
- ``redirect(url, flash=…)`` is the answer to a successful form: 303, with a one-time message.
- ``field_errors`` turns a service function's "field: message" error into {field: message},
  so a page shows it beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
import newsletter_templates
from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from newsletter.accounts import roles, sessions
from newsletter.core.db import read_scope, session_scope
from newsletter.web import i18n
from newsletter.web.context import Web, web_of
from newsletter.web.security import CSRF_FIELD, local_path

TEMPLATES = Path(newsletter_templates.__file__).parent / "admin"
SESSION_COOKIE = "nl_admin"
LANG_COOKIE = "nl_admin_lang"
FLASH_COOKIE = "nl_flash"
DOMAIN = "admin"

# Workspace pages may run our own script and show previews of the email in frames of this site.
ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
# The email preview shown inside the composer's frames: the email's own inline styles and
# remote images, no script, and only this site may frame it.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)

# The navigation: (path, label, permission). Labels go through the catalogue in base.html.
NAV = (
    ("/admin/issues", "Issues", "issues"),
    ("/admin/blocks", "Blocks", "blocks"),
    ("/admin/import", "Import", "import"),
    ("/admin/media", "Media", "media"),
    ("/admin/sends", "Sends", "sends"),
    ("/admin/outbox", "Outbox", "sends"),
    ("/admin/lists", "Lists", "lists"),
    ("/admin/subscribers", "Subscribers", "subscribers"),
    ("/admin/users", "Users", "users"),
    ("/admin/settings", "Settings", "settings"),
)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of this request."""

    id: int
    email: str
    name: str
    role: str
    session_id: int
    lang: str

    @property
    def actor(self) -> str:
        """How the audit trail and the issue history name them."""
        return self.email

    def may(self, permission: str) -> bool:
        return roles.may(self.role, permission)


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class Forbidden(Exception):
    def __init__(self, viewer: Viewer, permission: str) -> None:
        super().__init__(permission)
        self.viewer = viewer
        self.permission = permission


def choose_language(request: Request, user_language: str = "") -> str:
    """?lang=, else the language this browser chose before, else the user's, else the
    browser's, else the site's default."""
    return i18n.choose_language(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        user_language,
        request.headers.get("accept-language"),
        None,
        web_of(request).config.library.default_language,
    )


def _wanted(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def signed_in(request: Request) -> Viewer:
    """The viewer of a valid session; LoginRequired otherwise. Touches the session at most once
    a minute, so reading a page is not a write."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    web = web_of(request)
    now = web.clock()
    token = request.cookies.get(SESSION_COOKIE)
    settings = web.config.workspace
    with read_scope(web.engine) as db:
        found = sessions.lookup(db, settings, token, now)
        if found is None:
            raise LoginRequired(_wanted(request))
        user, row = found
        viewer = Viewer(
            id=user.id or 0,
            email=user.email,
            name=user.name,
            role=user.role,
            session_id=row.id or 0,
            lang=choose_language(request, user.language),
        )
        touch = sessions.needs_touch(row, now)
    if touch:
        with session_scope(web.engine) as db:
            sessions.touch(db, viewer.session_id, now)
    request.state.viewer = viewer
    return viewer


def need(permission: str) -> Callable[..., Viewer]:
    """A dependency: the viewer, if their role has ``permission`` (roles.NEEDS)."""
    if permission not in roles.NEEDS:
        raise ValueError(f"unknown permission {permission!r}")

    def dependency(viewer: Viewer = Depends(signed_in)) -> Viewer:
        if not viewer.may(permission):
            raise Forbidden(viewer, permission)
        return viewer

    # Named on the dependency so a test can sweep every route for its permission.
    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def ensure(viewer: Viewer, permission: str) -> None:
    """For a route whose buttons need different permissions (the composer's approve)."""
    if not viewer.may(permission):
        raise Forbidden(viewer, permission)


@dataclass
class Admin:
    """The workspace renderer, one per app (in ``app.state.admin``)."""

    web: Web
    envs: dict[str, jinja2.Environment] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.flash_signer = URLSafeTimedSerializer(self.web.secret, salt="newsletter.admin.flash")

    def env(self, lang: str) -> jinja2.Environment:
        if lang not in self.envs:
            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(TEMPLATES),
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(  # type: ignore[attr-defined]
                i18n.translations(lang, DOMAIN), newstyle=True
            )
            env.filters["isolate"] = lambda value: i18n.isolate(value, lang)
            env.globals["query"] = query_with
            self.envs.setdefault(lang, env)
        return self.envs[lang]

    def gettext(self, lang: str) -> i18n.Translator:
        return i18n.translator(lang, True, DOMAIN)

    def render(
        self,
        request: Request,
        viewer: Viewer | None,
        name: str,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        lang = viewer.lang if viewer else choose_language(request)
        nav = [
            {"url": url, "label": label, "current": request.url.path.startswith(url)}
            for url, label, permission in NAV
            if viewer is not None and viewer.may(permission)
        ]
        flash = self._take_flash(request)
        html = (
            self.env(lang)
            .get_template(name)
            .render(
                lang=lang,
                dir=i18n.direction(lang),
                org=self.web.config.organisation,
                csrf_token=self.web.csrf.token_for(request),
                csrf_field=CSRF_FIELD,
                viewer=viewer,
                nav=nav,
                flash=flash,
                languages=[(code, i18n.own_name(code)) for code in i18n.UI_LANGUAGES],
                path=request.url.path,
                request=request,
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status)
        secure(response)
        response.headers["Content-Language"] = lang
        self.web.csrf.set_cookie(request, response)
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/admin")
        chosen = request.query_params.get("lang")
        if chosen in i18n.UI_LANGUAGES and chosen != request.cookies.get(LANG_COOKIE):
            response.set_cookie(
                LANG_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                secure=self.web.https, path="/admin",
            )  # fmt: skip
        return response

    def _take_flash(self, request: Request) -> str:
        value = request.cookies.get(FLASH_COOKIE)
        if not value:
            return ""
        try:
            text = self.flash_signer.loads(value, max_age=300)
        except BadSignature:
            return ""
        return text if isinstance(text, str) else ""

    def redirect(self, url: str, flash: str = "") -> RedirectResponse:
        """The answer to a form that worked: 303 to ``url``, with a one-time message."""
        response = RedirectResponse(local_path(url, "/admin"), status_code=303)
        if flash:
            response.set_cookie(
                FLASH_COOKIE, self.flash_signer.dumps(flash), max_age=300, httponly=True,
                samesite="lax", secure=self.web.https, path="/admin",
            )  # fmt: skip
        return response


def admin_of(request: Request) -> Admin:
    return request.app.state.admin  # type: ignore[no-any-return]


def secure(response: Response) -> Response:
    """Workspace answers: the workspace CSP, never cached, never framed by others."""
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def preview_response(html: str) -> HTMLResponse:
    """An email's HTML for the composer's frames: sandboxed, same-origin framing only."""
    response = HTMLResponse(html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def query_with(request: Request, **changes: Any) -> str:
    """This page's query string with some parameters changed (paging, filters); None drops."""
    params = {k: v for k, v in request.query_params.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return "?" + urlencode(params) if params else "?"


def login_url(next_url: str) -> str:
    return "/admin/login?next=" + quote(local_path(next_url, "/admin"), safe="/")


def field_errors(message: str, fields: tuple[str, ...] | list[str]) -> dict[str, str]:
    """{"title": "a block needs a title"} from "title: a block needs a title"; a message that
    names no field of this form goes under "" (shown at the top of the form)."""
    name, sep, rest = message.partition(":")
    name = name.strip()
    if sep and name in fields:
        return {name: rest.strip()}
    return {"": message}


async def read_form(request: Request, max_files: int = 0) -> FormData:
    """The posted form after its CSRF check; uploads allowed when ``max_files`` > 0."""
    try:
        form = await request.form(max_files=max_files, max_fields=500)
    except MultiPartException as exc:
        raise HTTPException(400, f"malformed form data: {exc.message}") from None
    value = form.get(CSRF_FIELD)
    web_of(request).csrf.check(request, value if isinstance(value, str) else None)
    return form


async def checked_form(request: Request) -> FormData:
    """A dependency: the posted form (no files), CSRF checked."""
    return await read_form(request)


async def upload_form(request: Request) -> FormData:
    """A dependency: a posted form with up to 20 files, CSRF checked."""
    return await read_form(request, max_files=20)


def text(form: FormData, name: str, default: str = "") -> str:
    """A text field of the form ("" for a missing one or a file posted in its place)."""
    value = form.get(name)
    return value if isinstance(value, str) else default
