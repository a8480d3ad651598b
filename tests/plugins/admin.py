"""Test fixtures of the workspace: one user per role, and httpx clients signed in as them.

The test config's base URL is https, so the session cookie is Secure; the server under test
is plain http on loopback, where httpx (unlike Chromium) would not send a Secure cookie. The
sign-in helper therefore copies the cookie's value into the client's jar itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from newsletter.accounts import users
from newsletter.core.db import session_scope
from newsletter.web.admin.frame import SESSION_COOKIE
from tests.plugins.web import START, WebServer, csrf_from

PASSWORD = "correct horse battery"
PEOPLE = {
    "editor": "editor@example.org",
    "approver": "approver@example.org",
    "admin": "admin@example.org",
}


@pytest.fixture
def staff(engine: Engine) -> dict[str, int]:
    """An editor, an approver and an admin, all with PASSWORD: role -> user id."""
    with session_scope(engine) as db:
        made = {
            role: users.add(db, email, role, PASSWORD, START, name=role.title())
            for role, email in PEOPLE.items()
        }
        db.flush()
        return {role: user.id for role, user in made.items()}  # type: ignore[misc]


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Posts the sign-in form as a browser would; keeps the session cookie on success."""
    page = client.get("/admin/login")
    token = csrf_from(page.text)
    answer = client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": token}
    )
    value = answer.cookies.get(SESSION_COOKIE)
    if value:
        client.cookies.set(SESSION_COOKIE, value)
    return answer


@pytest.fixture
def signed_in(
    web_server: WebServer, staff: dict[str, int]
) -> Iterator[Callable[[str], httpx.Client]]:
    """``signed_in("editor")``: a new client signed in with that role (or None: anonymous)."""
    clients: list[httpx.Client] = []

    def make(role: str | None) -> httpx.Client:
        client = httpx.Client(base_url=web_server.url, follow_redirects=False, timeout=20)
        clients.append(client)
        if role:
            answer = sign_in(client, PEOPLE[role])
            assert answer.status_code == 303, answer.text
        return client

    yield make
    for client in clients:
        client.close()


def form_token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the first form of a workspace page."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return csrf_from(page.text)
