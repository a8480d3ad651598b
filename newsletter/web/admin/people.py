"""The admin's pages: workspace users, and first read-only views of subscribers, lists and the
settings.

- ``/admin/users``: every user with a form per row (change the role, disable or enable), a
  form to add one (``email``, ``name``, ``role``, ``password``) and the audit trail of users.
- ``/admin/users/{id}``: one user: edit the name and role, set a new password (``password``,
  ``password2``), disable or enable, and their trail. A form posted from here says
  ``from=user`` and comes back here.
- ``/admin/subscribers``: search (``q``: case, accents and the Turkish dotted and dotless i
  ignored), ``status`` and ``list`` filters, paging by ``[workspace] page_size``.
- ``/admin/lists``: the lists with their member counts; ``/admin/settings``: the effective
  config by section, without secrets.

Refusals (the last admin, an address already taken, a short password) come from the services
``accounts.users`` the CLI also calls, and are shown beside their field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.accounts import users
from newsletter.audience import lists, roster
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
MAX_QUERY = 200  # characters of a subscriber search kept
# Config keys whose value is never shown, should one ever enter the dump.
SECRET_KEY = re.compile(r"password|secret_key|token|api_key|private", re.IGNORECASE)


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


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


@router.api_route("/admin/subscribers", methods=READ)
def subscribers_page(request: Request, viewer: Viewer = Depends(need("subscribers"))) -> Response:
    web = web_of(request)
    params = request.query_params
    shown = {"q": params.get("q", "").strip()[:MAX_QUERY], "status": params.get("status", ""),
             "list": params.get("list", "")}  # fmt: skip
    page = _page_number(params.get("page"))
    size = web.config.workspace.page_size
    filters = roster.Filters(shown["list"] or None, shown["status"] or None, None,
                             shown["q"] or None)  # fmt: skip
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    total = 0
    with read_scope(web.engine) as db:
        all_lists = lists.all_lists(db)
        try:
            rows, total = roster.listing(db, filters, size, (page - 1) * size)
        except NotFound as exc:
            errors = {"list": str(exc)}
        except UserError as exc:
            errors = {"status": str(exc)}
    exact = total <= roster.COUNT_LIMIT
    pages = max(1, math.ceil(min(total, roster.COUNT_LIMIT) / size))
    if not exact and len(rows) == size:
        pages = max(pages, page + 1)  # more than the count stops at: the next page exists
    _ = admin_of(request).gettext(viewer.lang)
    statuses = [(s, _(s)) for s in roster.SUBSCRIPTION_STATUSES + roster.SUBSCRIBER_STATUSES]
    return admin_of(request).render(
        request, viewer, "subscribers.html", 400 if errors else 200, rows=rows,
        total=min(total, roster.COUNT_LIMIT), exact=exact, page=page, pages=pages,
        first=(page - 1) * size + 1, shown=shown, errors=errors, statuses=statuses,
        lists=[(m.slug, m.name) for m in all_lists],
    )  # fmt: skip


@router.api_route("/admin/lists", methods=READ)
def lists_page(request: Request, viewer: Viewer = Depends(need("lists"))) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        found = lists.all_lists(db)
        counts = lists.counts(db)
    rows = [(m, counts.get(m.id or 0, lists.ListCounts())) for m in found]
    return admin_of(request).render(request, viewer, "lists.html", rows=rows)


def _shown(key: str, value: Any) -> str:
    """A config value as the page shows it: secrets masked, a database URL without password."""
    if SECRET_KEY.search(key):
        return "••••••" if value else ""
    if key == "url" and isinstance(value, str):
        try:
            return make_url(value).render_as_string(hide_password=True)
        except ArgumentError:
            return value
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@router.api_route("/admin/settings", methods=READ)
def settings_page(request: Request, viewer: Viewer = Depends(need("settings"))) -> Response:
    config = web_of(request).config
    # Secrets are private attributes of Config: a dump never holds them.
    dumped = config.model_dump(mode="json", exclude={"source"})
    sections = [
        (name, [(key, _shown(key, value)) for key, value in values.items()])
        for name, values in dumped.items()
        if isinstance(values, dict)
    ]
    return admin_of(request).render(
        request, viewer, "settings.html", sections=sections, source=config.source,
        warnings=config.warnings, smtp_password_set=bool(config.smtp_password),
    )  # fmt: skip
