"""The admin's pages of workspace users.

- ``/admin/users``: every user with a form per row (change the role, disable or enable), a
  form to add one (``email``, ``name``, ``role``, ``password``) and the audit trail of users.
- ``/admin/users/{id}``: one user: edit the name and role, set a new password (``password``,
  ``password2``), disable or enable, and their trail. A form posted from here says
  ``from=user`` and comes back here.

Refusals (the last admin, an address already taken, a short password) come from the services
``accounts.users`` the CLI also calls, and are shown beside their field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.accounts import users
from newsletter.core import audit
from newsletter.core.account_models import ROLES, AuditEvent
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.web.admin.frame import (
    SESSION_COOKIE,
    Viewer,
    admin_of,
    checked_form,
    field_errors,
    need,
    secure,
    text,
)
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)

ADD_FIELDS = ("email", "name", "role", "password")
USER_FIELDS = ("name", "role", "password", "password2", "disabled")
HISTORY = 100  # events of the users page's trail


def _summary(details: dict[str, Any]) -> str:
    """An event's details in one line: "role: editor → approver"."""
    parts = []
    for key, value in details.items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key}: {value[0] or '–'} → {value[1] or '–'}")
        else:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)


def _events(events: Sequence[AuditEvent], emails: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "note": _summary(e.details),
         "user_id": e.subject_id, "user": emails.get(e.subject_id, "")}
        for e in events
    ]  # fmt: skip


def _roles(request: Request, viewer: Viewer) -> list[tuple[str, str]]:
    _ = admin_of(request).gettext(viewer.lang)
    return [(role, _(role)) for role in ROLES]


def _users_page(
    request: Request,
    viewer: Viewer,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        people = users.list_users(db)
        events = users.history(db, HISTORY)
    emails = {u.id or 0: u.email for u in people}
    return admin_of(request).render(
        request, viewer, "users.html", status, people=people, roles=_roles(request, viewer),
        errors=errors or {}, values=values or {"role": "editor"}, row_errors=row_errors or {},
        events=_events(events, emails),
    )  # fmt: skip


def _user_page(
    request: Request,
    viewer: Viewer,
    user_id: int,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        try:
            person = users.get(db, user_id)
        except NotFound:
            raise HTTPException(404) from None
        events = audit.for_subject(db, "user", user_id)
    shown = {"name": person.name, "role": person.role, **(values or {})}
    return admin_of(request).render(
        request, viewer, "user.html", status, person=person, roles=_roles(request, viewer),
        errors=errors or {}, values=shown, events=_events(events, {user_id: person.email}),
    )  # fmt: skip


@router.api_route("/admin/users", methods=READ)
def users_page(request: Request, viewer: Viewer = Depends(need("users"))) -> Response:
    return _users_page(request, viewer)


@router.post("/admin/users")
def add_user(
    request: Request,
    viewer: Viewer = Depends(need("users")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    admin = admin_of(request)
    _ = admin.gettext(viewer.lang)
    values = {name: text(form, name) for name in ("email", "name", "role")}
    try:
        with session_scope(web.engine) as db:
            user = users.add(db, values["email"], values["role"], text(form, "password"),
                             web.clock(), name=values["name"], actor=viewer.actor)  # fmt: skip
            email, role = user.email, user.role
    except UserError as exc:
        errors = field_errors(str(exc), ADD_FIELDS)
        return _users_page(request, viewer, 400, errors=errors, values=values)
    flash = _("%(email)s can now sign in as %(role)s.", email=email, role=_(role))
    return admin.redirect("/admin/users", flash)


@router.api_route("/admin/users/{user_id}", methods=READ)
def user_page(request: Request, user_id: int, viewer: Viewer = Depends(need("users"))) -> Response:
    return _user_page(request, viewer, user_id)


def _change(request: Request, viewer: Viewer, form: FormData, user_id: int, what: str) -> str:
    """Does one change in one transaction; the flash message. Raises the service's error."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()
    with session_scope(web.engine) as db:
        before = users.get(db, user_id)
        email, role = before.email, before.role
        if what == "edit":
            name = text(form, "name") if "name" in form else None
            user = users.edit(db, user_id, now, actor=viewer.actor, name=name,
                              role=text(form, "role"))  # fmt: skip
            return _("%(email)s is saved: %(role)s.", email=email, role=_(user.role))
        if what in ("disable", "enable"):
            users.set_disabled(db, user_id, what == "disable", now, actor=viewer.actor)
            if what == "disable":
                return _("%(email)s is disabled and signed out everywhere.", email=email)
            return _("%(email)s may sign in again as %(role)s.", email=email, role=_(role))
        if text(form, "password") != text(form, "password2"):
            raise UserError("password2: the two passwords differ")
        users.set_password(db, user_id, text(form, "password"), now, actor=viewer.actor)
        return _("%(email)s has a new password and is signed out everywhere.", email=email)


def _act(request: Request, viewer: Viewer, form: FormData, user_id: int, what: str) -> Response:
    admin = admin_of(request)
    on_user_page = text(form, "from") == "user"
    try:
        flash = _change(request, viewer, form, user_id, what)
    except NotFound:
        raise HTTPException(404) from None
    except UserError as exc:
        if isinstance(exc, StateError):  # the last admin: beside the control that asked
            errors = {("role" if what == "edit" else "disabled"): str(exc)}
            status = 409
        else:
            errors, status = field_errors(str(exc), USER_FIELDS), 400
        if on_user_page:
            values = {n: text(form, n) for n in ("name", "role") if n in form}
            return _user_page(request, viewer, user_id, status, errors, values)
        return _users_page(request, viewer, status, row_errors={user_id: errors})
    if user_id == viewer.id and what in ("disable", "password"):
        # Their own sessions ended with the change, this one included.
        response = admin.redirect("/admin/login", flash)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return secure(response)
    if user_id == viewer.id and text(form, "role") not in ("", "admin"):
        return admin.redirect("/admin", flash)  # no longer allowed on the users page
    return admin.redirect(f"/admin/users/{user_id}" if on_user_page else "/admin/users", flash)


@router.post("/admin/users/{user_id}/edit")
def edit_user(
    request: Request,
    user_id: int,
    viewer: Viewer = Depends(need("users")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, user_id, "edit")


@router.post("/admin/users/{user_id}/disable")
def disable_user(
    request: Request,
    user_id: int,
    viewer: Viewer = Depends(need("users")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, user_id, "disable")


@router.post("/admin/users/{user_id}/enable")
def enable_user(
    request: Request,
    user_id: int,
    viewer: Viewer = Depends(need("users")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, user_id, "enable")


@router.post("/admin/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: int,
    viewer: Viewer = Depends(need("users")),
    form: FormData = Depends(checked_form),
) -> Response:
    return _act(request, viewer, form, user_id, "password")
