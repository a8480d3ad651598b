"""The suppression list: addresses never to mail again without new consent.

Only a keyed hash (HMAC-SHA256 with the signing secret over the normalised address) is stored,
so the list proves "do not mail this address" without keeping the address itself.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.audience.addresses import lookup_keys, normalise
from newsletter.core.errors import UserError
from newsletter.core.models import Suppression

REASONS = ("unsubscribed", "hard_bounce", "complaint", "erased", "admin")


def hash_normalised(secret: str, normalised: str) -> str:
    return hmac.digest(secret.encode(), normalised.encode(), "sha256").hex()


def email_hash(secret: str, email: str) -> str:
    """The keyed hash of an address (validated and normalised first)."""
    return hash_normalised(secret, normalise(email).normalised)


def email_hashes(secret: str, email: str) -> list[str]:
    """The hash of the address and, where older versions keyed it differently, of that key
    (addresses.earlier_key): what a check for suppression must look for."""
    return [hash_normalised(secret, key) for key in lookup_keys(email)]


def is_suppressed(session: Session, secret: str, email: str) -> bool:
    return find(session, secret, email) is not None


def find(session: Session, secret: str, email: str) -> Suppression | None:
    digests = email_hashes(secret, email)
    query = select(Suppression).where(col(Suppression.email_hash).in_(digests))
    return session.exec(query.order_by(Suppression.id)).first()


def suppressed_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    """Which of ``hashes`` are suppressed (one query; for bulk work such as imports)."""
    wanted = list(hashes)
    if not wanted:
        return set()
    session.flush()
    table = Suppression.__table__
    rows = session.connection().execute(
        sa.select(table.c.email_hash).where(table.c.email_hash.in_(wanted))
    )
    return {row[0] for row in rows}


def add(
    session: Session, secret: str, email: str, reason: str, now: datetime, note: str = ""
) -> Suppression:
    """Suppress an address; an existing entry keeps its first reason (it is the stronger fact)."""
    return add_hash(session, email_hash(secret, email), reason, now, note)


def add_hash(
    session: Session, digest: str, reason: str, now: datetime, note: str = ""
) -> Suppression:
    if reason not in REASONS:
        raise UserError(f"unknown suppression reason {reason!r}: use one of {', '.join(REASONS)}")
    found = session.exec(select(Suppression).where(Suppression.email_hash == digest)).first()
    if found is not None:
        return found
    entry = Suppression(email_hash=digest, reason=reason, note=note, created_at=now)
    session.add(entry)
    session.flush()
    return entry


def remove(session: Session, secret: str, email: str) -> bool:
    """Lift a suppression (new consent was given). True if there was one."""
    found = find(session, secret, email)
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


def listing(session: Session, reason: str | None = None) -> list[Suppression]:
    query = select(Suppression).order_by(Suppression.created_at, Suppression.id)
    if reason is not None and reason not in REASONS:
        raise UserError(f"unknown suppression reason {reason!r}: use one of {', '.join(REASONS)}")
    if reason:
        query = query.where(Suppression.reason == reason)
    return list(session.exec(query))
