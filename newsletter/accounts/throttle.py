"""The sign-in throttle, kept in the database so every worker process sees the same counts.

Failed attempts within ``[workspace] login_window_minutes`` are counted per account (the
address typed, whether or not it has an account, so the lock says nothing about who exists)
and per client address. A success clears the account's failures. Rows older than a day are
pruned as attempts come in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from newsletter.core.account_models import LoginAttempt
from newsletter.core.config import WorkspaceConfig

KEEP = timedelta(days=1)


def account_key(email: str) -> str:
    return (email or "").strip().lower()[:320]


def _failures(session: Session, since: datetime, **where: str) -> int:
    query = select(func.count()).select_from(LoginAttempt).where(~col(LoginAttempt.ok))
    query = query.where(LoginAttempt.at >= since)
    for name, value in where.items():
        query = query.where(getattr(LoginAttempt, name) == value)
    return int(session.exec(query).one())


def lock_message(
    session: Session, settings: WorkspaceConfig, email: str, ip: str, now: datetime
) -> str | None:
    """Why sign-in is refused right now, or None. Says how long to wait, not how many tries."""
    window = timedelta(minutes=settings.login_window_minutes)
    since = now - window
    # Fixed messages, so the workspace's catalogue can translate them; the sign-in page fills
    # in %(minutes)s with [workspace] login_window_minutes.
    if _failures(session, since, account=account_key(email)) >= settings.login_failures_per_account:
        return (
            "Too many failed sign-ins for this account. Try again in %(minutes)s minutes, "
            "or ask an admin to reset your password."
        )
    if _failures(session, since, ip=ip[:64]) >= settings.login_failures_per_ip:
        return "Too many failed sign-ins from this network. Try again in %(minutes)s minutes."
    return None


def clear(session: Session, email: str) -> None:
    """Forgets the account's failed attempts: after a success, or when an admin sets a new
    password (the lock message tells a locked-out person to ask for exactly that)."""
    key = account_key(email)
    session.exec(delete(LoginAttempt).where(LoginAttempt.account == key))  # type: ignore[call-overload]


def record(session: Session, email: str, ip: str, ok: bool, now: datetime) -> None:
    if ok:
        clear(session, email)
    # The address is cut like the session's copy: a forged header must not grow the table.
    session.add(LoginAttempt(account=account_key(email), ip=ip[:64], ok=ok, at=now))
    session.exec(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))  # type: ignore[call-overload]
