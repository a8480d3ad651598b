"""Signing in and out of the workspace, and one's own account page.

- ``/admin/login``: a form with ``email`` and ``password``; the throttle (accounts.throttle)
  answers a lock with its own message and a 429.
- ``/admin/logout``: ends this browser's session; ``/admin/logout-everywhere`` every session.
- ``/admin/account``: change one's own password (which ends every other session too).
- ``/admin``: the workspace's front door, the issues.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from newsletter.accounts import passwords, sessions, users
from newsletter.core.db import session_scope
from newsletter.core.errors import UserError
from newsletter.web.admin.frame import (
    SESSION_COOKIE,
    Viewer,
    admin_of,
    checked_form,
    field_errors,
    secure,
    signed_in,
    text,
)
from newsletter.web.context import READ, web_of
from newsletter.web.page_helpers import client_ip, user_agent
from newsletter.web.security import local_path

router = APIRouter(include_in_schema=False)


def _next(value: str | None) -> str:
    target = local_path(value, "/admin")
    return target if target.startswith("/admin") and target != "/admin/login" else "/admin"


@router.api_route("/admin", methods=READ)
def front(_viewer: Viewer = Depends(signed_in)) -> Response:
    return RedirectResponse("/admin/issues", status_code=303)


@router.api_route("/admin/login", methods=READ)
def login_page(request: Request) -> Response:
    admin = admin_of(request)
    return admin.render(
        request, None, "login.html", next=_next(request.query_params.get("next")), errors={}
    )


@router.post("/admin/login")
def login(request: Request, form: FormData = Depends(checked_form)) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    email, password = text(form, "email").strip(), text(form, "password")
    target = _next(text(form, "next"))
    now = web.clock()
    try:
        if not email:
            raise UserError("email: enter your e-mail address")
        if not password:
            raise UserError("password: enter your password")
    except UserError as exc:
        errors = field_errors(str(exc), ("email", "password"))
        return admin.render(
            request, None, "login.html", 400, next=target, errors=errors, email=email
        )
    with session_scope(web.engine) as db:
        signed = sessions.sign_in(
            db, web.config.workspace, email, password, client_ip(request),
            user_agent(request), now,
        )  # fmt: skip
    if not signed.token:
        # The messages are the workspace's own words: translated in the template.
        status = 429 if signed.locked else 400
        return admin.render(
            request, None, "login.html", status, next=target, errors={"": signed.refused},
            email=email,
        )  # fmt: skip
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, signed.token, max_age=web.config.workspace.session_max_hours * 3600,
        httponly=True, samesite="lax", secure=web.https, path="/",
    )  # fmt: skip
    return secure(response)


@router.post("/admin/logout")
def logout(request: Request, _form: FormData = Depends(checked_form)) -> Response:
    web = web_of(request)
    with session_scope(web.engine) as db:
        sessions.sign_out(db, request.cookies.get(SESSION_COOKIE))
    response = admin_of(request).redirect("/admin/login", "You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return secure(response)


@router.post("/admin/logout-everywhere")
def logout_everywhere(
    request: Request,
    viewer: Viewer = Depends(signed_in),
    _form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    with session_scope(web.engine) as db:
        sessions.sign_out_everywhere(db, viewer.id)
    response = admin_of(request).redirect("/admin/login", "You are signed out everywhere.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return secure(response)


@router.api_route("/admin/account", methods=READ)
def account_page(request: Request, viewer: Viewer = Depends(signed_in)) -> Response:
    return admin_of(request).render(request, viewer, "account.html", errors={})


@router.post("/admin/account/password")
def change_password(
    request: Request,
    viewer: Viewer = Depends(signed_in),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    current, new, again = (text(form, n) for n in ("current", "password", "password2"))
    try:
        with session_scope(web.engine) as db:
            user = users.get(db, viewer.id)
            if not passwords.verify(user.password_hash, current):
                raise UserError("current: this is not your current password")
            if new != again:
                raise UserError("password2: the two new passwords differ")
            users.set_password(db, viewer.id, new, web.clock(), actor=viewer.actor)
    except UserError as exc:
        errors = field_errors(str(exc), ("current", "password", "password2"))
        return admin.render(request, viewer, "account.html", 400, errors=errors)
    response = admin.redirect("/admin/login", "Your password is changed. Please sign in again.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return secure(response)
