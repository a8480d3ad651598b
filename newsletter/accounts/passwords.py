"""Passwords: argon2id hashes (argon2-cffi's recommended parameters) and the length rule.

A hash made with older parameters is upgraded at the next successful sign-in
(``needs_rehash``). Verification of an unknown account still spends one hash's time, so the
answer's timing does not tell whether an address has an account.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from newsletter.core.errors import UserError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes any length; a cap keeps a huge form from costing seconds

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")


def check_policy(password: str) -> None:
    """Refuses a password that is too short, too long or only spaces (field: password)."""
    if len(password) < MIN_LENGTH:
        raise UserError(f"password: use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise UserError(f"password: use at most {MAX_LENGTH} characters")
    if not password.strip():
        raise UserError("password: it cannot be only spaces")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def rehash(password: str) -> str:
    """A new hash of a password that was just verified, with today's parameters. No policy
    check: a password set under an older, shorter rule must not stop its owner signing in."""
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an empty or unknown hash costs the same time and fails."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
