"""Every workspace route, for every role and for anonymous requests: anonymous readers are sent
to the sign-in page, a role below the route's permission gets the 403 page (also when posting
with a valid CSRF token), and a role that has it is let through.

The routes are read from the workspace's routers, so a new page is swept without anyone
remembering to list it here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from newsletter.accounts import roles
from newsletter.core.account_models import ROLES
from newsletter.web.admin.pages import ROUTERS
from tests.plugins.web import csrf_from

Client = Callable[[str | None], httpx.Client]
PUBLIC = {"/admin/login"}  # the only workspace address a stranger may open


def _permission(dependant: Dependant) -> str | None:
    for dep in dependant.dependencies:
        found = getattr(dep.call, "permission", None) or _permission(dep)
        if found:
            return found
    return None


def _api_routes(routes: list) -> Iterator[APIRoute]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # a router included in another
        if inner is not None:
            yield from _api_routes(inner.routes)
        else:
            assert isinstance(route, APIRoute), route
            yield route


def _routes() -> Iterator[tuple[str, str, str | None]]:
    for router in ROUTERS:
        for route in _api_routes(router.routes):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in sorted(route.methods - {"HEAD"}):
                yield method, path, _permission(route.dependant)


ROUTES = list(_routes())


def test_the_sweep_sees_the_pages_and_their_permissions() -> None:
    found = {(m, p): perm for m, p, perm in ROUTES}
    assert found[("GET", "/admin/users")] == "users"
    assert found[("GET", "/admin/blocks")] == "blocks"
    assert found[("GET", "/admin/media")] == "media"
    assert len(ROUTES) > 40


def test_anonymous_requests_go_to_the_sign_in(signed_in: Client) -> None:
    client = signed_in(None)
    wrong = []
    for method, path, _permission_name in ROUTES:
        if path in PUBLIC:
            continue
        answer = client.request(method, path, data={"csrf_token": "x"})
        where = answer.headers.get("location", "")
        if method == "GET":
            ok = answer.status_code == 303 and where.startswith("/admin/login?next=")
        else:  # refused before anything is read: by the CSRF check or the sign-in redirect
            ok = answer.status_code == 403 or (
                answer.status_code == 303 and where.startswith("/admin/login")
            )
        if not ok:
            wrong.append((method, path, answer.status_code, where))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_permission_allows(signed_in: Client, role: str) -> None:
    client = signed_in(role)
    token = csrf_from(client.get("/admin/account").text)
    wrong = []
    for method, path, permission in ROUTES:
        if permission is None:
            continue
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data={"csrf_token": token})
        if roles.may(role, permission):
            ok = answer.status_code != 403 and not answer.headers.get(
                "location", ""
            ).startswith("/admin/login")
        else:
            ok = (
                answer.status_code == 403
                and "This page is not for your role" in answer.text
                and f"needs the role {roles.NEEDS[permission]}" in answer.text
            )
        if not ok:
            wrong.append((method, path, permission, answer.status_code))
    assert wrong == []
