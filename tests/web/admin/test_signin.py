"""Signing in to the workspace, over HTTP: redirects, cookies, the throttle, sign-out."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from newsletter.web.admin.frame import SESSION_COOKIE
from tests.plugins.admin import PASSWORD, PEOPLE, sign_in
from tests.plugins.web import WebServer, csrf_from, text_of


def test_anonymous_pages_redirect_to_the_sign_in_with_next(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in(None)
    for path in ("/admin", "/admin/blocks", "/admin/issues/3", "/admin/users"):
        answer = client.get(path + "?x=1")
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=" + path)


def test_sign_in_sets_a_strict_session_cookie_and_follows_next(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in(None)
    page = client.get("/admin/login?next=/admin/blocks")
    assert 'name="email"' in page.text and 'name="password"' in page.text
    answer = client.post(
        "/admin/login",
        data={
            "email": "Editor@Example.org",
            "password": PASSWORD,
            "next": "/admin/blocks",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/blocks"
    cookie = answer.headers["set-cookie"].lower()
    assert f"{SESSION_COOKIE}=" in cookie
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


def test_wrong_password_says_so_without_telling_who_exists(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in(None)
    wrong = sign_in(client, PEOPLE["editor"], "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert "The e-mail address or the password is not right." in text_of(wrong.text)
    assert text_of(wrong.text).count("not right") == text_of(unknown.text).count("not right")
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")


def test_an_open_redirect_in_next_goes_to_the_workspace(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in(None)
    page = client.get("/admin/login")
    answer = client.post(
        "/admin/login",
        data={
            "email": PEOPLE["admin"],
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert answer.headers["location"] == "/admin"


def test_the_login_form_needs_its_csrf_token(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in(None)
    client.get("/admin/login")
    answer = client.post("/admin/login", data={"email": PEOPLE["admin"], "password": PASSWORD})
    assert answer.status_code == 403


def test_five_failures_lock_the_account_with_a_clear_message(
    signed_in: Callable[[str | None], httpx.Client], web_server: WebServer
) -> None:
    client = signed_in(None)
    for _ in range(5):
        assert sign_in(client, PEOPLE["editor"], "wrong password!").status_code == 400
    locked = sign_in(client, PEOPLE["editor"])  # even the right password now
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in text_of(locked.text)
    # Another account from the same address is not locked by five failures.
    assert sign_in(signed_in(None), PEOPLE["approver"]).status_code == 303
    web_server.clock.advance(minutes=16)
    assert sign_in(client, PEOPLE["editor"]).status_code == 303


def test_an_idle_session_expires(
    signed_in: Callable[[str | None], httpx.Client], web_server: WebServer
) -> None:
    client = signed_in("editor")
    assert client.get("/admin/account").status_code == 200
    web_server.clock.advance(minutes=119)
    assert client.get("/admin/account").status_code == 200
    web_server.clock.advance(minutes=119)  # touched at most once a minute: still alive
    assert client.get("/admin/account").status_code == 200
    web_server.clock.advance(minutes=121)
    assert client.get("/admin/account").status_code == 303


def test_no_session_outlives_the_absolute_limit(
    signed_in: Callable[[str | None], httpx.Client], web_server: WebServer
) -> None:
    client = signed_in("editor")
    for _ in range(13):
        web_server.clock.advance(minutes=60)
        client.get("/admin/account")
    assert client.get("/admin/account").status_code == 303


def test_sign_out_everywhere_ends_other_browsers(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    first, second = signed_in("approver"), signed_in("approver")
    page = first.get("/admin/account")
    answer = first.post("/admin/logout-everywhere", data={"csrf_token": csrf_from(page.text)})
    assert answer.status_code == 303
    assert second.get("/admin/account").status_code == 303


def test_changing_the_password_checks_the_current_one(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in("editor")
    token = csrf_from(client.get("/admin/account").text)
    bad = client.post(
        "/admin/account/password",
        data={"csrf_token": token, "current": "nope", "password": "a new password 1",
              "password2": "a new password 1"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "this is not your current password" in text_of(bad.text)
    short = client.post(
        "/admin/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": "short",
              "password2": "short"},
    )  # fmt: skip
    assert "at least 10 characters" in text_of(short.text)
    ok = client.post(
        "/admin/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": "a new password 1",
              "password2": "a new password 1"},
    )  # fmt: skip
    assert ok.status_code == 303
    assert client.get("/admin/account").status_code == 303  # every session ended
    assert sign_in(signed_in(None), PEOPLE["editor"], "a new password 1").status_code == 303
