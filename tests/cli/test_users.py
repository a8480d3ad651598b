"""`newsletter users …` and the first admin of `newsletter init`, on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from newsletter.accounts import passwords, sessions, users
from newsletter.cli import users as user_commands
from newsletter.cli.main import app
from newsletter.core import audit
from newsletter.core.config import Config
from newsletter.core.db import session_scope

PASSWORD = "a long enough password"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _stored(engine: Engine, email: str):
    with session_scope(engine) as db:
        return users.find(db, email)


def test_add_with_password_stdin(cli, engine: Engine) -> None:
    result = cli("users", "add", "Ada@Example.org", "--role", "admin", "--name", "Ada",
                 "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "added admin ada@example.org (user 1)\n"
    user = _stored(engine, "ada@example.org")
    assert user is not None and user.name == "Ada" and user.role == "admin"
    assert passwords.verify(user.password_hash, PASSWORD)
    with session_scope(engine) as db:
        [event] = audit.for_subject(db, "user", user.id or 0)
    assert event.actor.startswith("cli") and event.action == "created"


def test_add_asks_twice_hidden_until_the_two_agree(cli, engine: Engine) -> None:
    typed = ["short", PASSWORD, "a different password", PASSWORD, PASSWORD]
    result = cli("users", "add", "e@example.org", "--role", "editor", input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.stderr
    assert "password: use at least 10 characters; try again" in result.stderr
    assert "the two passwords differ; try again" in result.stderr
    assert PASSWORD not in result.stdout  # hidden: not echoed
    user = _stored(engine, "e@example.org")
    assert user is not None and passwords.verify(user.password_hash, PASSWORD)


def test_add_gives_up_after_three_mismatches(cli, engine: Engine) -> None:
    typed = [PASSWORD, "other password 1"] * 3
    result = cli("users", "add", "e@example.org", "--role", "editor", input="\n".join(typed) + "\n")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: password: not set after 3 tries"
    assert _stored(engine, "e@example.org") is None


def test_a_duplicate_is_refused_before_the_password_is_asked(cli) -> None:
    cli("users", "add", "e@example.org", "--role", "editor", "--password-stdin",
        input=PASSWORD + "\n")  # fmt: skip
    result = cli("users", "add", "E@example.org", "--role", "admin")
    assert result.exit_code == 1
    assert result.stderr == "Error: email: a user e@example.org already exists\n"
    assert "Password" not in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["x@example.org", "--role", "chief"], PASSWORD, "Error: role: 'chief' is not a role"),
        (["not-an-address", "--role", "editor"], PASSWORD, "Error: email: 'not-an-address' is"),
        (["x@example.org", "--role", "editor"], "short", "Error: password: use at least 10"),
        (["x@example.org", "--role", "editor", "--name", "A\x1bB"], PASSWORD, "Error: name: it"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(
    cli, engine: Engine, args: list[str], stdin: str, message: str
) -> None:
    result = cli("users", "add", *args, "--password-stdin", input=stdin + "\n")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(message)
    with session_scope(engine) as db:
        assert users.count(db) == 0


def _add(cli, email: str, role: str, name: str = "") -> None:
    result = cli("users", "add", email, "--role", role, "--name", name, "--password-stdin",
                 input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_list_json_and_table(cli) -> None:
    assert cli("users", "list").stdout.startswith("no users yet: create the first admin")
    _add(cli, "b@example.org", "editor", "Şule Çelik")
    _add(cli, "a@example.org", "admin")
    rows = json.loads(cli("users", "list", "--json").stdout)
    assert [(r["email"], r["role"], r["disabled"], r["name"]) for r in rows] == [
        ("a@example.org", "admin", False, ""),
        ("b@example.org", "editor", False, "Şule Çelik"),
    ]
    assert "password_hash" not in rows[0]
    table = cli("users", "list").stdout.splitlines()
    assert table[0].split() == ["id", "email", "role", "status", "name"]
    assert table[2].split() == ["1", "b@example.org", "editor", "active", "Şule", "Çelik"]


def test_edit_changes_role_and_name(cli, engine: Engine) -> None:
    _add(cli, "a@example.org", "admin")
    _add(cli, "b@example.org", "editor")
    result = cli("users", "edit", "B@example.org", "--role", "approver", "--name", "Bora")
    assert (result.exit_code, result.stdout) == (0, "updated b@example.org: approver, Bora\n")
    user = _stored(engine, "b@example.org")
    assert user is not None and (user.role, user.name) == ("approver", "Bora")
    nothing = cli("users", "edit", "b@example.org")
    assert (nothing.exit_code, nothing.stderr) == (1, "Error: nothing to change: give --name or "
                                                      "--role\n")  # fmt: skip
    unknown = cli("users", "edit", "z@example.org", "--role", "admin")
    assert unknown.exit_code == 1 and "'z@example.org' not found" in unknown.stderr


def test_the_last_admin_cannot_be_disabled_or_demoted(cli, engine: Engine) -> None:
    _add(cli, "a@example.org", "admin")
    for args in (["disable", "a@example.org"], ["edit", "a@example.org", "--role", "editor"]):
        result = cli("users", *args)
        assert result.exit_code == 1
        assert result.stderr == "Error: a@example.org is the last admin: add another admin first\n"
    user = _stored(engine, "a@example.org")
    assert user is not None and user.role == "admin" and not user.disabled


def test_disable_ends_the_sessions_and_enable_lets_them_back(
    cli, engine: Engine, config: Config
) -> None:
    _add(cli, "a@example.org", "admin")
    _add(cli, "e@example.org", "editor")
    with session_scope(engine) as db:
        signed = sessions.sign_in(db, config.workspace, "e@example.org", PASSWORD, "10.0.0.1",
                                  "", NOW)  # fmt: skip
        assert sessions.lookup(db, config.workspace, signed.token, NOW) is not None
    result = cli("users", "disable", "e@example.org")
    assert (result.exit_code, result.stdout) == (0, "e@example.org: disabled (signed out "
                                                    "everywhere)\n")  # fmt: skip
    with session_scope(engine) as db:
        assert sessions.lookup(db, config.workspace, signed.token, NOW) is None
        refused = sessions.sign_in(db, config.workspace, "e@example.org", PASSWORD, "10.0.0.1",
                                   "", NOW)  # fmt: skip
        assert "disabled" in refused.refused
    assert cli("users", "enable", "e@example.org").stdout == "e@example.org: enabled\n"
    with session_scope(engine) as db:
        again = sessions.sign_in(db, config.workspace, "e@example.org", PASSWORD, "10.0.0.1",
                                 "", NOW)  # fmt: skip
        assert again.token


def test_passwd_sets_a_new_password_and_signs_out(cli, engine: Engine, config: Config) -> None:
    _add(cli, "e@example.org", "editor")
    with session_scope(engine) as db:
        signed = sessions.sign_in(db, config.workspace, "e@example.org", PASSWORD, "10.0.0.1",
                                  "", NOW)  # fmt: skip
    new = "the new password here"
    result = cli("users", "passwd", "e@example.org", input=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("e@example.org: password changed (signed out everywhere)\n")
    user = _stored(engine, "e@example.org")
    assert user is not None and passwords.verify(user.password_hash, new)
    assert not passwords.verify(user.password_hash, PASSWORD)
    with session_scope(engine) as db:
        assert sessions.lookup(db, config.workspace, signed.token, NOW) is None
    short = cli("users", "passwd", "e@example.org", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and short.stderr.startswith("Error: password: use at least 10")
    missing = cli("users", "passwd", "z@example.org", "--password-stdin", input=PASSWORD + "\n")
    assert missing.exit_code == 1 and "not found" in missing.stderr


def _init(config_path: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(app, ["--config", str(config_path), "init", *args], input=input)


def test_init_without_a_terminal_hints_at_the_first_admin(config_path: Path) -> None:
    result = _init(config_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "no users yet: create the first admin with `newsletter users add EMAIL --role admin`"
    )


def test_init_adds_a_scripted_first_admin_once(config_path: Path, engine: Engine) -> None:
    result = _init(config_path, "--admin", "Ada@Example.org", "--admin-name", "Ada",
                   "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "added admin ada@example.org (user 1)" in result.stdout
    assert "sign in at https://news.example.org/admin/login" in result.stdout
    user = _stored(engine, "ada@example.org")
    assert user is not None and user.role == "admin" and user.name == "Ada"
    again = _init(config_path, "--admin", "ada@example.org", "--password-stdin", input="x\n")
    assert again.exit_code == 0 and "already has an account: left as it is" in again.stdout
    quiet = _init(config_path)  # users exist: nothing asked, no hint
    assert quiet.exit_code == 0 and "no users yet" not in quiet.stdout
    alone = _init(config_path, "--password-stdin")
    assert alone.exit_code == 1 and "--password-stdin goes with --admin" in alone.stderr


def test_init_at_a_terminal_offers_to_add_the_first_admin(
    config_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(user_commands, "interactive", lambda: True)
    declined = _init(config_path, input="n\n")
    assert declined.exit_code == 0 and "Create the first admin now? [Y/n]" in declined.stdout
    assert "no users yet" in declined.stdout
    typed = ["", "not an address", "ada@example.org", "Ada Lovelace", PASSWORD, PASSWORD]
    result = _init(config_path, input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.stderr
    assert "is not an e-mail address" in result.stderr
    assert "added admin ada@example.org" in result.stdout
    user = _stored(engine, "ada@example.org")
    assert user is not None and user.role == "admin" and user.name == "Ada Lovelace"
