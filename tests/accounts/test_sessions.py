"""Workspace sessions: signing in, the cookie's token, expiry, signing out, rehashing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.accounts import passwords, sessions, users
from newsletter.core.account_models import User, UserSession
from newsletter.core.config import Config
from newsletter.core.db import session_scope

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
EMAIL = "editor@example.org"


def _user(engine: Engine, disabled: bool = False) -> int:
    with session_scope(engine) as db:
        user = users.add(db, EMAIL, "editor", PASSWORD, NOW)
        users.add(db, "admin@example.org", "admin", PASSWORD, NOW)
        if disabled:
            users.set_disabled(db, user.id or 0, True, NOW)
        return user.id or 0


def _sign_in(engine: Engine, config: Config, email: str = EMAIL, password: str = PASSWORD,
             at: datetime = NOW) -> sessions.Signed:  # fmt: skip
    with session_scope(engine) as db:
        return sessions.sign_in(db, config.workspace, email, password, "10.0.0.1", "Firefox", at)


def test_a_sign_in_opens_a_session_whose_token_is_stored_hashed(
    engine: Engine, config: Config
) -> None:
    user_id = _user(engine)
    signed = _sign_in(engine, config, email=" Editor@Example.org ")
    assert signed.token and not signed.refused and signed.user is not None
    with session_scope(engine) as db:
        [row] = db.exec(select(UserSession)).all()
        assert row.token_hash == sessions.token_hash(signed.token) != signed.token
        assert (row.user_id, row.ip, row.user_agent) == (user_id, "10.0.0.1", "Firefox")
        found = sessions.lookup(db, config.workspace, signed.token, NOW)
        assert found is not None and found[0].id == user_id
        assert sessions.lookup(db, config.workspace, signed.token + "x", NOW) is None
        assert sessions.lookup(db, config.workspace, None, NOW) is None
        assert sessions.lookup(db, config.workspace, "x" * 201, NOW) is None


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    engine: Engine, config: Config
) -> None:
    _user(engine)
    wrong = _sign_in(engine, config, password="not the password")
    unknown = _sign_in(engine, config, email="nobody@example.org")
    assert wrong.refused == unknown.refused == "The e-mail address or the password is not right."
    assert not wrong.token and not unknown.token and not wrong.locked


def test_a_disabled_account_is_refused_and_its_sessions_do_not_work(
    engine: Engine, config: Config
) -> None:
    _user(engine, disabled=True)
    signed = _sign_in(engine, config)
    assert not signed.token and "disabled" in signed.refused


def test_sessions_expire_when_idle_and_after_the_maximum_age(
    engine: Engine, config: Config
) -> None:
    settings = config.workspace
    _user(engine)
    token = _sign_in(engine, config).token
    idle = timedelta(minutes=settings.session_idle_minutes)
    with session_scope(engine) as db:
        assert sessions.lookup(db, settings, token, NOW + idle) is not None
        assert sessions.lookup(db, settings, token, NOW + idle + timedelta(seconds=1)) is None
    # Used every hour, it still ends at the maximum age.
    at = NOW
    while at < NOW + timedelta(hours=settings.session_max_hours):
        with session_scope(engine) as db:
            found = sessions.lookup(db, settings, token, at)
            assert found is not None
            assert sessions.needs_touch(found[1], at) == (at != NOW)
            sessions.touch(db, found[1].id or 0, at)
        at += timedelta(hours=1)
    with session_scope(engine) as db:
        assert sessions.lookup(db, settings, token, at + timedelta(seconds=1)) is None
        assert sessions.prune(db, settings, at + timedelta(seconds=1)) == 1
        assert db.exec(select(UserSession)).all() == []


def test_signing_out_ends_one_session_and_everywhere_ends_all(
    engine: Engine, config: Config
) -> None:
    user_id = _user(engine)
    first, second, third = (_sign_in(engine, config).token for _ in range(3))
    with session_scope(engine) as db:
        sessions.sign_out(db, first)
        sessions.sign_out(db, None)
    with session_scope(engine) as db:
        assert sessions.lookup(db, config.workspace, first, NOW) is None
        assert sessions.lookup(db, config.workspace, second, NOW) is not None
        assert sessions.sign_out_everywhere(db, user_id) == 2
    with session_scope(engine) as db:
        assert sessions.lookup(db, config.workspace, third, NOW) is None


def test_an_old_hash_is_upgraded_even_for_a_password_of_an_older_shorter_rule(
    engine: Engine, config: Config
) -> None:
    """A password set before the 10-character rule (or with weaker argon2 parameters) still
    signs its owner in; the hash is remade with today's parameters."""
    user_id = _user(engine)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("short")
    with session_scope(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        user.password_hash = weak
        db.add(user)
    signed = _sign_in(engine, config, password="short")
    assert signed.token, signed.refused
    with session_scope(engine) as db:
        user = db.get(User, user_id)
        assert user is not None and user.password_hash != weak
        assert not passwords.needs_rehash(user.password_hash)
        assert passwords.verify(user.password_hash, "short")
