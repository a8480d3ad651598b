"""Signed tokens for confirm, unsubscribe and preferences links (itsdangerous, no email inside).

A token holds only ids and the time it was made, signed with the configured secret and salted
with its purpose, so a token for one purpose never works for another. Time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import (
    BadData,
    SignatureExpired,
    Signer,
    TimestampSigner,
    URLSafeTimedSerializer,
)

from newsletter.core.errors import UserError

PURPOSES = ("confirm", "unsubscribe", "preferences")
DEFAULT_CONFIRM_AGE = timedelta(days=7)


class TokenError(UserError):
    """A token that was tampered with, made for another purpose, or has expired."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class TokenData:
    subscriber_id: int
    list_id: int | None
    issued_at: datetime


class _Signer(TimestampSigner):
    """A timestamp signer whose clock is the ``now`` passed in, not the wall clock."""

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now.timestamp())


def _serializer(secret: str, purpose: str, now: datetime) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(
        secret, salt=f"newsletter.{purpose}", signer=_Signer, signer_kwargs={"now": now}
    )


def make(
    secret: str, purpose: str, subscriber_id: int, list_id: int | None = None, *, now: datetime
) -> str:
    """A URL-safe token for ``purpose``; ``list_id`` None means every list (unsubscribe)."""
    return _serializer(secret, purpose, now).dumps([subscriber_id, list_id])


def read(
    secret: str,
    purpose: str,
    token: str,
    now: datetime,
    max_age: timedelta | float | None = None,
) -> TokenData:
    """Check and decode a token. Confirm tokens expire (default 7 days); others never do."""
    if max_age is None and purpose == "confirm":
        max_age = DEFAULT_CONFIRM_AGE
    seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else max_age
    try:
        payload, issued = _serializer(secret, purpose, now).loads(
            token, max_age=None if seconds is None else int(seconds), return_timestamp=True
        )
    except SignatureExpired as exc:
        made = exc.date_signed.strftime("%Y-%m-%d %H:%M UTC") if exc.date_signed else "?"
        raise TokenError(
            f"this {purpose} link has expired (it was made {made}): ask for a new one",
            expired=True,
        ) from None
    except BadData:
        raise TokenError(
            f"this {purpose} link is not valid: it was changed, cut short or made for "
            "something else"
        ) from None
    return _data(payload, issued, purpose)


def _data(payload: Any, issued: datetime, purpose: str) -> TokenData:
    valid = (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and (payload[1] is None or isinstance(payload[1], int))
    )
    if not valid:
        raise TokenError(f"this {purpose} link is not valid: its content is malformed")
    return TokenData(payload[0], payload[1], issued.astimezone(UTC))


def archive_key(secret: str, issue_id: int) -> str:
    """A key that opens one issue's web version even when it went only to private lists.

    It is the same for every recipient of the issue (it names no one) and never expires, like
    the email it sits in.
    """
    return Signer(secret, salt="newsletter.archive").get_signature(str(issue_id)).decode()


def archive_key_ok(secret: str, issue_id: int, key: str) -> bool:
    signer = Signer(secret, salt="newsletter.archive")
    return bool(key) and signer.verify_signature(str(issue_id).encode(), key.encode())
