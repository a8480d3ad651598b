"""The sign-in throttle: failures per account and per client address within the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.accounts import sessions, throttle, users
from newsletter.core.account_models import LoginAttempt
from newsletter.core.config import Config
from newsletter.core.db import session_scope

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"


def _fail(engine: Engine, email: str, ip: str, times: int, at: datetime = NOW) -> None:
    with session_scope(engine) as db:
        for _ in range(times):
            throttle.record(db, email, ip, False, at)


def test_an_account_locks_after_its_failures_whatever_the_case_or_address(
    engine: Engine, config: Config
) -> None:
    settings = config.workspace
    limit = settings.login_failures_per_account
    for n in range(limit - 1):
        _fail(engine, "Ayse@Example.org" if n % 2 else "ayse@example.org", f"10.0.0.{n}", 1)
    with session_scope(engine) as db:
        assert throttle.lock_message(db, settings, "ayse@example.org", "10.9.9.9", NOW) is None
    _fail(engine, " AYSE@example.org", "10.0.0.99", 1)
    with session_scope(engine) as db:
        message = throttle.lock_message(db, settings, "ayse@example.org", "10.9.9.9", NOW)
        assert message and "for this account" in message
        assert "%(minutes)s minutes" in message
        assert throttle.lock_message(db, settings, "other@example.org", "10.9.9.9", NOW) is None


def test_an_address_locks_after_its_failures_on_any_accounts(
    engine: Engine, config: Config
) -> None:
    settings = config.workspace
    for n in range(settings.login_failures_per_ip):
        _fail(engine, f"guess{n}@example.org", "203.0.113.7", 1)
    with session_scope(engine) as db:
        message = throttle.lock_message(db, settings, "new@example.org", "203.0.113.7", NOW)
        assert message and "from this network" in message
        assert throttle.lock_message(db, settings, "new@example.org", "203.0.113.8", NOW) is None


def test_the_lock_lifts_when_the_window_has_passed(engine: Engine, config: Config) -> None:
    settings = config.workspace
    _fail(engine, "a@example.org", "10.0.0.1", settings.login_failures_per_account)
    window = timedelta(minutes=settings.login_window_minutes)
    with session_scope(engine) as db:
        assert throttle.lock_message(db, settings, "a@example.org", "10.0.0.2", NOW + window)
        later = NOW + window + timedelta(seconds=1)
        assert throttle.lock_message(db, settings, "a@example.org", "10.0.0.2", later) is None


def test_a_locked_account_is_refused_even_with_the_right_password(
    engine: Engine, config: Config
) -> None:
    settings = config.workspace
    with session_scope(engine) as db:
        users.add(db, "a@example.org", "editor", PASSWORD, NOW)
    _fail(engine, "a@example.org", "10.0.0.1", settings.login_failures_per_account)
    with session_scope(engine) as db:
        signed = sessions.sign_in(db, settings, "a@example.org", PASSWORD, "10.0.0.2", "", NOW)
    assert signed.locked and not signed.token and "Too many" in signed.refused


def test_a_success_clears_the_accounts_failures_and_old_rows_are_pruned(
    engine: Engine, config: Config
) -> None:
    settings = config.workspace
    _fail(engine, "a@example.org", "10.0.0.1", settings.login_failures_per_account - 1)
    _fail(engine, "b@example.org", "10.0.0.1", 1, at=NOW - timedelta(days=2))
    with session_scope(engine) as db:
        throttle.record(db, "A@example.org", "10.0.0.1", True, NOW)
    _fail(engine, "a@example.org", "10.0.0.1", 1)
    with session_scope(engine) as db:
        assert throttle.lock_message(db, settings, "a@example.org", "10.0.0.3", NOW) is None
        rows = db.exec(select(LoginAttempt)).all()
        assert sorted((r.account, r.ok) for r in rows) == [("a@example.org", False),
                                                           ("a@example.org", True)]  # fmt: skip


def test_a_huge_client_address_is_cut_and_still_counted(engine: Engine, config: Config) -> None:
    settings = config.workspace
    forged = "1" * 5000
    _fail(engine, "x@example.org", forged, settings.login_failures_per_ip)
    with session_scope(engine) as db:
        assert {len(r.ip) for r in db.exec(select(LoginAttempt))} == {64}
        assert throttle.lock_message(db, settings, "y@example.org", forged, NOW)
