"""Sliding-window rate limits kept in the database, so every web process shares the counts.

Keys never hold an email address in clear: addresses are keyed-hashed with the app secret, so
the table reveals nothing and needs no erasure.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from newsletter.audience.addresses import normalise
from newsletter.core.config import WebConfig
from newsletter.core.errors import UserError
from newsletter.core.models import RateLimitHit

WINDOW = timedelta(hours=1)


class RateLimited(UserError):
    """Too many requests for one key; ``retry_after`` is in whole seconds."""

    def __init__(self, key: str, retry_after: int) -> None:
        super().__init__(f"rate limit reached for {key.split(':')[0]}; retry in {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    key: str
    per_window: int


def address_key(secret: str, scope: str, email: str) -> str:
    """The key of an address's limit: every spelling of one address (case, Unicode NFC or NFD,
    the domain in Unicode or IDNA form) shares it, so none of them gets extra tries."""
    try:
        value = normalise(email).normalised
    except UserError:  # not an address: the form refuses it, but the try still counts
        value = email.strip().lower()
    digest = hmac.new(secret.encode(), value.encode(), hashlib.sha256)
    return f"{scope}-address:{digest.hexdigest()[:32]}"


def ip_key(scope: str, ip: str) -> str:
    return f"{scope}-ip:{ip}"


def form_limits(web: WebConfig, secret: str, scope: str, ip: str, email: str) -> list[Limit]:
    """The per-IP and per-address limits of a public form from ``[web]``."""
    limits = [Limit(ip_key(scope, ip), web.rate_limit_per_ip_per_hour)]
    if email:
        limits.append(Limit(address_key(secret, scope, email), web.rate_limit_per_address_per_hour))
    return limits


def _retry_after(session: Session, key: str, limit: int, since: datetime, now: datetime) -> int:
    # The window reopens when the oldest counted hit among the last ``limit`` ones ages out.
    rows = session.exec(  # type: ignore[call-overload]
        sa.select(RateLimitHit.at)
        .where(RateLimitHit.key == key, RateLimitHit.at > since)
        .order_by(RateLimitHit.at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    ).all()
    oldest = rows[-1][0] if rows else now
    return max(1, int((oldest + WINDOW - now).total_seconds()) + 1)


def hit(session: Session, limits: list[Limit], now: datetime) -> None:
    """Counts one request against every limit, or raises RateLimited counting none of them."""
    since = now - WINDOW
    keys = [limit.key for limit in limits]
    session.exec(  # type: ignore[call-overload]
        sa.delete(RateLimitHit).where(RateLimitHit.key.in_(keys), RateLimitHit.at <= since)  # type: ignore[attr-defined]
    )
    for limit in limits:
        count = session.exec(  # type: ignore[call-overload]
            sa.select(sa.func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.key == limit.key, RateLimitHit.at > since)
        ).one()[0]
        if count >= limit.per_window:
            wait = _retry_after(session, limit.key, limit.per_window, since, now)
            raise RateLimited(limit.key, wait)
    for limit in limits:
        session.add(RateLimitHit(key=limit.key, at=now))


def prune(session: Session, now: datetime) -> int:
    """Deletes hits older than the window; returns how many went."""
    result = session.exec(  # type: ignore[call-overload]
        sa.delete(RateLimitHit).where(RateLimitHit.at <= now - WINDOW)
    )
    return int(result.rowcount or 0)
