"""The admin's pages over HTTP: users (add, role, disable, password, trail), subscribers, lists
and settings; who may see them, CSRF, and refusals beside their field."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from newsletter.accounts import passwords, users
from newsletter.audience import roster
from newsletter.core import audit
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.web.admin.frame import FLASH_COOKIE
from newsletter.web.admin.settings_page import _shown
from tests.conftest import SECRET, write_config
from tests.plugins.admin import PASSWORD, PEOPLE, form_token, sign_in
from tests.plugins.web import START, text_of

Client = Callable[[str | None], httpx.Client]
PAGES = ["/admin/users", "/admin/users/{admin}", "/admin/subscribers", "/admin/lists",
         "/admin/settings"]  # fmt: skip
NEW = "a brand new password"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """The shared test config with short pages, so paging shows with a dozen people."""
    return write_config(tmp_path, "[workspace]\npage_size = 10\n")


def _error(html: str, element_id: str) -> str:
    found = re.search(rf'<p class="error" id="{element_id}"[^>]*>(.*?)</p>', html, re.S)
    assert found, f"no error {element_id} on the page"
    return text_of(found.group(1))


def _follow(client: httpx.Client, answer: httpx.Response) -> httpx.Response:
    """The page a 303 leads to, with its one-time message (the Secure flash cookie is handed
    over by hand: the test server is plain http, where httpx would keep it to itself)."""
    assert answer.status_code == 303, answer.text
    flash = answer.cookies.get(FLASH_COOKIE)
    if flash:
        client.cookies.set(FLASH_COOKIE, flash, path="/admin")
    page = client.get(answer.headers["location"])
    client.cookies.delete(FLASH_COOKIE)
    return page


def _user(engine: Engine, email: str):
    with session_scope(engine) as db:
        return users.find(db, email)


@pytest.mark.parametrize("page", PAGES)
def test_only_admins_see_the_admin_pages(
    signed_in: Client, staff: dict[str, int], page: str
) -> None:
    path = page.format(admin=staff["admin"])
    anonymous = signed_in(None).get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/admin/login?next=" + path
    for role in ("editor", "approver"):
        refused = signed_in(role).get(path)
        assert refused.status_code == 403, (role, path)
        shown = text_of(refused.text)
        assert f"You are signed in as {role}. This page needs the role admin or higher." in shown
    assert signed_in("admin").get(path).status_code == 200


def test_the_users_page_lists_everyone_with_their_role_and_status(
    signed_in: Client, staff: dict[str, int]
) -> None:
    page = signed_in("admin").get("/admin/users")
    shown = text_of(page.text)
    for email in PEOPLE.values():
        assert email in shown
    assert f'action="/admin/users/{staff["editor"]}/disable"' in page.text
    assert "History" in shown and "created" in shown


def test_forms_without_their_csrf_token_are_refused(
    signed_in: Client, staff: dict[str, int], engine: Engine
) -> None:
    admin = signed_in("admin")
    editor = staff["editor"]
    posts = {
        "/admin/users": {"email": "x@example.org", "role": "admin", "password": NEW},
        f"/admin/users/{editor}/edit": {"role": "admin"},
        f"/admin/users/{editor}/disable": {},
        f"/admin/users/{editor}/password": {"password": NEW, "password2": NEW},
    }
    for path, data in posts.items():
        assert admin.post(path, data=data).status_code == 403, path
    assert _user(engine, "x@example.org") is None
    user = _user(engine, PEOPLE["editor"])
    assert user.role == "editor" and not user.disabled
    assert passwords.verify(user.password_hash, PASSWORD)


def test_adding_a_user(signed_in: Client, engine: Engine) -> None:
    admin = signed_in("admin")
    token = form_token(admin, "/admin/users")
    data = {"email": "Selin@Example.org", "name": "Selin Aksoy", "role": "approver",
            "password": NEW, "csrf_token": token}  # fmt: skip
    answer = admin.post("/admin/users", data=data)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/users"
    user = _user(engine, "selin@example.org")
    assert user is not None and (user.role, user.name) == ("approver", "Selin Aksoy")
    with session_scope(engine) as db:
        [event] = audit.for_subject(db, "user", user.id or 0)
    assert event.actor == PEOPLE["admin"]
    page = _follow(admin, answer)
    assert "selin@example.org can now sign in as approver." in text_of(page.text)
    assert sign_in(signed_in(None), "selin@example.org", NEW).status_code == 303


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "x@example.org", "role": "editor", "password": "short"}, "password",
         "use at least 10 characters"),
        ({"email": "Editor@example.org", "role": "editor", "password": NEW}, "email",
         "a user editor@example.org already exists"),
        ({"email": "nobody", "role": "editor", "password": NEW}, "email",
         "'nobody' is not an e-mail address"),
        ({"email": "x@example.org", "role": "chief", "password": NEW}, "role",
         "'chief' is not a role"),
        ({"email": "x@example.org", "role": "editor", "password": NEW, "name": "A\nB"}, "name",
         "contains a line break"),
    ],
)  # fmt: skip
def test_a_refused_user_is_explained_beside_the_field_and_nothing_is_written(
    signed_in: Client, engine: Engine, data: dict[str, str], field: str, message: str
) -> None:
    admin = signed_in("admin")
    data = {**data, "csrf_token": form_token(admin, "/admin/users")}
    answer = admin.post("/admin/users", data=data)
    assert answer.status_code == 400
    assert message in _error(answer.text, f"e-{field}")
    assert f'value="{data["email"]}"' in answer.text  # what was typed stays, but no password
    assert data["password"] not in answer.text.replace(f'value="{data["email"]}"', "")
    with session_scope(engine) as db:
        assert users.count(db) == 3


def test_changing_a_role(signed_in: Client, staff: dict[str, int], engine: Engine) -> None:
    admin = signed_in("admin")
    editor = signed_in("editor")
    assert editor.get("/admin/subscribers").status_code == 403
    token = form_token(admin, "/admin/users")
    answer = admin.post(f"/admin/users/{staff['editor']}/edit",
                        data={"role": "admin", "csrf_token": token})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/users"
    assert _user(engine, PEOPLE["editor"]).role == "admin"
    assert editor.get("/admin/subscribers").status_code == 200  # the same session, new role
    trail = text_of(admin.get(f"/admin/users/{staff['editor']}").text)
    assert "changed: role: editor → admin" in trail


def test_the_last_admin_is_refused_beside_the_control(
    signed_in: Client, staff: dict[str, int], engine: Engine
) -> None:
    admin = signed_in("admin")
    me = staff["admin"]
    token = form_token(admin, "/admin/users")
    demoted = admin.post(f"/admin/users/{me}/edit", data={"role": "editor", "csrf_token": token})
    assert demoted.status_code == 409
    assert "admin@example.org is the last admin" in _error(demoted.text, f"e-{me}-role")
    disabled = admin.post(f"/admin/users/{me}/disable",
                          data={"csrf_token": token, "from": "user"})  # fmt: skip
    assert disabled.status_code == 409
    assert "is the last admin" in _error(disabled.text, "e-disabled")
    user = _user(engine, PEOPLE["admin"])
    assert user.role == "admin" and not user.disabled


def test_disabling_a_user_signs_them_out_and_enabling_lets_them_back(
    signed_in: Client, staff: dict[str, int], engine: Engine
) -> None:
    admin = signed_in("admin")
    editor = signed_in("editor")
    assert editor.get("/admin/account").status_code == 200
    token = form_token(admin, "/admin/users")
    answer = admin.post(f"/admin/users/{staff['editor']}/disable", data={"csrf_token": token})
    assert answer.status_code == 303
    signed_out = editor.get("/admin/account")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/admin/login")
    refused = sign_in(signed_in(None), PEOPLE["editor"])
    assert refused.status_code == 400 and "disabled" in text_of(refused.text)
    page = _follow(admin, answer)
    assert "editor@example.org is disabled and signed out everywhere." in text_of(page.text)
    admin.post(f"/admin/users/{staff['editor']}/enable", data={"csrf_token": token})
    assert sign_in(signed_in(None), PEOPLE["editor"]).status_code == 303
    with session_scope(engine) as db:
        actions = [e.action for e in audit.for_subject(db, "user", staff["editor"])]
    assert actions == ["created", "disabled", "enabled"]


def test_an_admin_sets_a_new_password(
    signed_in: Client, staff: dict[str, int], engine: Engine
) -> None:
    admin = signed_in("admin")
    editor = signed_in("editor")
    path = f"/admin/users/{staff['editor']}"
    token = form_token(admin, path)
    differ = admin.post(path + "/password", data={"password": NEW, "password2": NEW + "x",
                                                  "from": "user", "csrf_token": token})  # fmt: skip
    assert differ.status_code == 400
    assert _error(differ.text, "e-password2") == "the two passwords differ"
    short = admin.post(path + "/password", data={"password": "short", "password2": "short",
                                                 "from": "user", "csrf_token": token})  # fmt: skip
    assert short.status_code == 400 and "at least 10" in _error(short.text, "e-password")
    assert editor.get("/admin/account").status_code == 200  # nothing changed yet
    done = admin.post(path + "/password", data={"password": NEW, "password2": NEW,
                                                "from": "user", "csrf_token": token})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == path
    assert editor.get("/admin/account").status_code == 303
    assert sign_in(signed_in(None), PEOPLE["editor"]).status_code == 400
    assert sign_in(signed_in(None), PEOPLE["editor"], NEW).status_code == 303
    assert "password changed" in text_of(admin.get(path).text)


def test_an_admin_who_resets_their_own_password_signs_in_again(
    signed_in: Client, staff: dict[str, int]
) -> None:
    admin = signed_in("admin")
    token = form_token(admin, "/admin/users")
    answer = admin.post(f"/admin/users/{staff['admin']}/password",
                        data={"password": NEW, "password2": NEW, "csrf_token": token})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/login"
    assert admin.get("/admin/users").status_code == 303


def test_an_unknown_user_is_not_found(signed_in: Client) -> None:
    admin = signed_in("admin")
    assert admin.get("/admin/users/999").status_code == 404
    token = form_token(admin, "/admin/users")
    assert admin.post("/admin/users/999/disable", data={"csrf_token": token}).status_code == 404


@pytest.fixture
def audience(engine: Engine, config: Config, public_lists: dict[str, int]) -> None:
    """Twelve confirmed people on 'etkinlikler' and İpek awaiting confirmation elsewhere."""
    with session_scope(engine) as db:
        for n in range(12):
            roster.add(db, config.secret_key, f"kisi{n:02d}@example.org", START,
                       name=f"Kişi {n:02d}", list_slugs=["etkinlikler"])  # fmt: skip
        roster.add(db, config.secret_key, "ipek@example.com", START, name="İpek Şahin",
                   list_slugs=["aylik-bulten"])  # fmt: skip


def _emails(html: str) -> list[str]:
    return re.findall(r"<td><bdi>([^<]+@[^<]+)</bdi></td>", html)


def test_subscribers_search_ignores_case_accents_and_the_turkish_i(
    signed_in: Client, audience: None
) -> None:
    admin = signed_in("admin")
    for q in ("ipek sahin", "İPEK ŞAHİN", "Ipek", "şahin"):
        assert _emails(admin.get("/admin/subscribers", params={"q": q}).text) == [
            "ipek@example.com"
        ], q
    assert _emails(admin.get("/admin/subscribers", params={"q": "nobody"}).text) == []


def test_subscribers_filter_by_status_and_list_and_page(signed_in: Client, audience: None) -> None:
    admin = signed_in("admin")
    waiting = admin.get("/admin/subscribers", params={"status": "unconfirmed"})
    assert _emails(waiting.text) == ["ipek@example.com"]
    assert "aylik-bulten : unconfirmed" in text_of(waiting.text)
    first = admin.get("/admin/subscribers", params={"list": "etkinlikler"})
    assert _emails(first.text) == [f"kisi{n:02d}@example.org" for n in range(10)]
    assert "1–10 of 12" in text_of(first.text) and "Page 1 of 2" in text_of(first.text)
    second = admin.get("/admin/subscribers", params={"list": "etkinlikler", "page": "2"})
    assert _emails(second.text) == ["kisi10@example.org", "kisi11@example.org"]
    assert 'href="?list=etkinlikler&amp;page=1"' in second.text


def test_bad_subscriber_filters_are_named_beside_them(signed_in: Client, audience: None) -> None:
    admin = signed_in("admin")
    no_list = admin.get("/admin/subscribers", params={"list": "nope"})
    assert no_list.status_code == 400 and "nope" in _error(no_list.text, "e-list")
    bad = admin.get("/admin/subscribers", params={"status": "happy"})
    assert bad.status_code == 400 and "'happy'" in _error(bad.text, "e-status")


def test_the_lists_page_counts_members(signed_in: Client, audience: None) -> None:
    shown = text_of(signed_in("admin").get("/admin/lists").text)
    assert "Etkinlikler etkinlikler single public tr 12 0 0" in shown
    assert "Aylık Bülten aylik-bulten" in shown and "Ortaklar (iç liste)" in shown


def test_the_settings_page_shows_the_config_without_secrets(signed_in: Client) -> None:
    page = signed_in("admin").get("/admin/settings")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert SECRET not in page.text
    assert "[public] base_url https://news.example.org" in shown
    assert "page_size 10" in shown and "[workspace]" in shown
    assert "SMTP password: not set." in shown


def test_settings_hide_a_database_password_and_secret_looking_keys() -> None:
    url = _shown("url", "postgresql+psycopg://news:hunter2@db.example.org/news")
    assert "hunter2" not in url and "db.example.org" in url
    assert _shown("password", "hunter2") == "••••••"
    assert _shown("page_size", 50) == "50"
