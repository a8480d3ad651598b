"""Workspace sessions stored in the database.

The browser holds a random token in an HttpOnly cookie; the table holds its SHA-256. A session
ends when unused for ``session_idle_minutes``, after ``session_max_hours`` in any case, when the
user signs out (this browser) or out everywhere, is disabled, or gets a new password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from newsletter.accounts import passwords, throttle, users
from newsletter.core.account_models import User, UserSession
from newsletter.core.config import WorkspaceConfig

# last_seen_at is written at most this often: a page view is then a read, not a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Signed:
    """A sign-in's outcome: a token (the cookie value, stored nowhere but the browser), or
    why it was refused. A refusal is returned, not raised, so the transaction that counted
    the failed attempt commits."""

    user: User | None
    token: str = ""
    refused: str = ""
    locked: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def sign_in(
    session: Session,
    settings: WorkspaceConfig,
    email: str,
    password: str,
    ip: str,
    user_agent: str,
    now: datetime,
) -> Signed:
    """Checks the throttle and the password, then opens a session. One message for a wrong
    address and a wrong password: the form must not tell who has an account."""
    locked = throttle.lock_message(session, settings, email, ip, now)
    if locked:
        return Signed(None, refused=locked, locked=True)
    user = users.find(session, email)
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None:
        throttle.record(session, email, ip, False, now)
        return Signed(None, refused="The e-mail address or the password is not right.")
    if user.disabled:
        throttle.record(session, email, ip, False, now)
        return Signed(None, refused="This account is disabled. Ask an admin to enable it.")
    throttle.record(session, email, ip, True, now)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.rehash(password)
        session.add(user)
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id or 0,
            created_at=now,
            last_seen_at=now,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return Signed(user, token)


def _row(session: Session, token: str) -> UserSession | None:
    query = select(UserSession).where(UserSession.token_hash == token_hash(token))
    return session.exec(query).first()


def _expired(row: UserSession, settings: WorkspaceConfig, now: datetime) -> bool:
    idle = now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    old = now - row.created_at > timedelta(hours=settings.session_max_hours)
    return idle or old


def lookup(
    session: Session, settings: WorkspaceConfig, token: str | None, now: datetime
) -> tuple[User, UserSession] | None:
    """The signed-in user of a cookie value, or None (unknown, expired, disabled)."""
    if not token or len(token) > 200:
        return None
    row = _row(session, token)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled or _expired(row, settings, now):
        return None
    return user, row


def needs_touch(row: UserSession, now: datetime) -> bool:
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(session: Session, session_id: int, now: datetime) -> None:
    row = session.get(UserSession, session_id)
    if row is not None:
        row.last_seen_at = now
        session.add(row)


def sign_out(session: Session, token: str | None) -> None:
    if not token:
        return
    row = _row(session, token)
    if row is not None:
        session.delete(row)


def sign_out_everywhere(session: Session, user_id: int) -> int:
    rows = session.exec(select(UserSession).where(UserSession.user_id == user_id)).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def prune(session: Session, settings: WorkspaceConfig, now: datetime) -> int:
    """Deletes sessions past their absolute expiry (idle ones are refused at lookup anyway)."""
    oldest = now - timedelta(hours=settings.session_max_hours)
    rows = session.exec(select(UserSession).where(UserSession.created_at < oldest)).all()
    for row in rows:
        session.delete(row)
    return len(rows)
