"""Users of the workspace: adding, the last-admin rule, disabling, passwords, the trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.accounts import passwords, sessions, throttle, users
from newsletter.core import audit
from newsletter.core.account_models import LoginAttempt, User, UserSession
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.errors import NotFound, StateError, UserError

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"


def test_add_stores_the_address_lower_case_and_records_who_did_it(session: Session) -> None:
    user = users.add(session, " Ayşe@Example.ORG ", "editor", PASSWORD, NOW, name="Ayşe Yılmaz",
                     actor="cli:ayse")  # fmt: skip
    assert user.email == "ayşe@example.org"
    assert passwords.verify(user.password_hash, PASSWORD)
    assert users.find(session, "AYŞE@example.org") is not None
    [event] = audit.for_subject(session, "user", user.id or 0)
    assert (event.actor, event.action, event.details) == ("cli:ayse", "created", {"role": "editor"})


def test_an_address_finds_its_account_in_any_unicode_form(session: Session) -> None:
    users.add(session, "me@örnek.com.tr", "editor", PASSWORD, NOW)
    assert users.find(session, "me@xn--rnek-4qa.com.tr") is not None
    assert users.find(session, "me@o\u0308rnek.com.tr") is not None  # ö as o + combining mark
    assert users.find(session, "not an address") is None


@pytest.mark.parametrize(
    ("email", "role", "password", "name", "message"),
    [
        ("nobody", "editor", PASSWORD, "", "email: 'nobody' is not an e-mail address"),
        ("a@example.org", "boss", PASSWORD, "", "role: 'boss' is not a role"),
        ("a@example.org", "editor", "short", "", "password: use at least 10 characters"),
        ("a@example.org", "editor", " " * 12, "", "password: it cannot be only spaces"),
        ("a@example.org", "editor", PASSWORD, "Ayşe\nBcc: x", "name: it contains a line break"),
        ("a@example.org", "editor", PASSWORD, "x" * 201, "name: use at most 200 characters"),
    ],
)
def test_add_refuses_bad_input_naming_the_field(
    session: Session, email: str, role: str, password: str, name: str, message: str
) -> None:
    with pytest.raises(UserError, match="^" + message.replace("(", r"\(")):
        users.add(session, email, role, password, NOW, name=name)
    assert users.count(session) == 0


def test_a_second_account_for_an_address_is_refused(session: Session) -> None:
    users.add(session, "a@example.org", "editor", PASSWORD, NOW)
    with pytest.raises(UserError, match="email: a user a@example.org already exists"):
        users.add(session, "A@example.org", "admin", PASSWORD, NOW)
    assert users.count(session) == 1


def test_the_last_admin_keeps_the_role_and_stays_enabled(session: Session) -> None:
    admin = users.add(session, "admin@example.org", "admin", PASSWORD, NOW)
    with pytest.raises(StateError, match="last admin"):
        users.edit(session, admin.id or 0, NOW, role="approver")
    with pytest.raises(StateError, match="last admin"):
        users.set_disabled(session, admin.id or 0, True, NOW)
    second = users.add(session, "second@example.org", "admin", PASSWORD, NOW)
    users.set_disabled(session, second.id or 0, True, NOW)
    with pytest.raises(StateError, match="last admin"):  # a disabled admin does not count
        users.edit(session, admin.id or 0, NOW, role="editor")
    users.set_disabled(session, second.id or 0, False, NOW)
    users.edit(session, admin.id or 0, NOW, role="editor")
    assert users.get(session, admin.id or 0).role == "editor"


def test_edit_records_what_changed_and_checks_it(session: Session) -> None:
    user = users.add(session, "e@example.org", "editor", PASSWORD, NOW)
    later = NOW + timedelta(hours=1)
    users.edit(session, user.id or 0, later, actor="admin", name="Elif", role="approver")
    users.edit(session, user.id or 0, later, name="Elif", role="approver")  # no change: no event
    with pytest.raises(UserError, match="^role: 'chief'"):
        users.edit(session, user.id or 0, later, role="chief")
    with pytest.raises(UserError, match="^language: '../x'"):
        users.edit(session, user.id or 0, later, language="../x")
    users.edit(session, user.id or 0, later, language="tr")
    events = audit.for_subject(session, "user", user.id or 0)
    assert [e.action for e in events] == ["created", "changed", "changed"]
    assert events[1].details == {"role": ["editor", "approver"], "name": ["", "Elif"]}
    assert users.get(session, user.id or 0).updated_at == later


def test_disabling_ends_sessions_and_enabling_twice_records_once(
    engine: Engine, config: Config
) -> None:
    with session_scope(engine) as db:
        user = users.add(db, "e@example.org", "editor", PASSWORD, NOW)
        users.add(db, "admin@example.org", "admin", PASSWORD, NOW)
        signed = sessions.sign_in(db, config.workspace, "e@example.org", PASSWORD, "1.2.3.4", "",
                                  NOW)  # fmt: skip
    with session_scope(engine) as db:
        users.set_disabled(db, user.id or 0, True, NOW, actor="admin@example.org")
        users.set_disabled(db, user.id or 0, True, NOW)
        users.set_disabled(db, user.id or 0, False, NOW)
        users.set_disabled(db, user.id or 0, False, NOW)
    with session_scope(engine) as db:
        assert sessions.lookup(db, config.workspace, signed.token, NOW) is None
        assert db.exec(select(UserSession)).all() == []
        actions = [e.action for e in audit.for_subject(db, "user", user.id or 0)]
        assert actions == ["created", "disabled", "enabled"]


def test_a_new_password_ends_sessions_and_lifts_the_lock(engine: Engine, config: Config) -> None:
    settings = config.workspace
    with session_scope(engine) as db:
        user = users.add(db, "e@example.org", "editor", PASSWORD, NOW)
        signed = sessions.sign_in(db, settings, "e@example.org", PASSWORD, "1.2.3.4", "", NOW)
        for _ in range(settings.login_failures_per_account):
            throttle.record(db, "E@example.org", "5.6.7.8", False, NOW)
        assert throttle.lock_message(db, settings, "e@example.org", "9.9.9.9", NOW)
    with session_scope(engine) as db:
        users.set_password(db, user.id or 0, "another good password", NOW, actor="admin")
    with session_scope(engine) as db:
        assert sessions.lookup(db, settings, signed.token, NOW) is None
        assert throttle.lock_message(db, settings, "e@example.org", "9.9.9.9", NOW) is None
        assert [a.ok for a in db.exec(select(LoginAttempt))] == []
        stored = db.get(User, user.id)
        assert stored is not None
        assert passwords.verify(stored.password_hash, "another good password")
        with pytest.raises(UserError, match="^password: use at least 10"):
            users.set_password(db, user.id or 0, "short", NOW)


def test_lookups_name_what_is_missing(session: Session) -> None:
    with pytest.raises(NotFound, match="user 42 not found"):
        users.get(session, 42)
    with pytest.raises(NotFound, match="'x@example.org' not found"):
        users.by_email(session, "x@example.org")


def test_history_lists_events_of_users_only_newest_first(session: Session) -> None:
    first = users.add(session, "a@example.org", "admin", PASSWORD, NOW)
    audit.record(session, "someone", "created", "block", 7, NOW)
    users.add(session, "b@example.org", "editor", PASSWORD, NOW)
    users.edit(session, first.id or 0, NOW, name="Ada")
    found = users.history(session)
    assert [(e.subject, e.action) for e in found] == [("user", "changed"), ("user", "created"),
                                                      ("user", "created")]  # fmt: skip
    assert len(users.history(session, limit=1)) == 1


def test_label_and_json(session: Session) -> None:
    user = users.add(session, "a@example.org", "approver", PASSWORD, NOW, name="Ada")
    assert users.label(user) == "Ada <a@example.org>"
    data = users.to_json(user)
    assert data["email"] == "a@example.org" and data["role"] == "approver"
    assert data["disabled"] is False and "password_hash" not in data
    assert data["created_at"] == NOW.isoformat()
    assert [u.email for u in users.list_users(session)] == ["a@example.org"]
