"""Leases on sends: at most one worker runs a send at a time, and a dead worker's claim expires.

A lease is two columns on ``sends`` (``lease_owner``, ``lease_expires_at``). Every change is a
single conditional UPDATE whose WHERE clause says who may take it, so the database decides the
race: on SQLite the write lock (BEGIN IMMEDIATE) serialises them, on PostgreSQL the row lock and
the re-checked WHERE of READ COMMITTED do. The winner sees one updated row, the loser none.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from newsletter.models import Send

_sends = Send.__table__  # type: ignore[attr-defined]


def new_owner() -> str:
    """A name for this process that no other worker, here or on another host, will share."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _free_or_mine(owner: str, now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        _sends.c.lease_owner.is_(None),
        _sends.c.lease_expires_at < now,
        _sends.c.lease_owner == owner,
    )


def claim(session: Session, send_id: int, owner: str, now: datetime, seconds: float) -> bool:
    """Take the lease on a running send if nobody holds a live one; True if this owner has it."""
    stmt = (
        sa.update(_sends)
        .where(_sends.c.id == send_id, _sends.c.status == "running", _free_or_mine(owner, now))
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds))
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def renew(session: Session, send_id: int, owner: str, now: datetime, seconds: float) -> bool:
    """Extend a lease this owner still holds; False means it was lost (expired and taken)."""
    stmt = (
        sa.update(_sends)
        .where(_sends.c.id == send_id, _sends.c.lease_owner == owner)
        .values(lease_expires_at=now + timedelta(seconds=seconds))
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def release(session: Session, send_id: int, owner: str) -> bool:
    """Give the lease back so another worker may resume the send at once."""
    stmt = (
        sa.update(_sends)
        .where(_sends.c.id == send_id, _sends.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def claimable(session: Session, owner: str, now: datetime) -> list[int]:
    """Running sends whose lease is free, expired or already ours, oldest first."""
    stmt = (
        sa.select(_sends.c.id)
        .where(_sends.c.status == "running", _free_or_mine(owner, now))
        .order_by(_sends.c.id)
    )
    return list(session.execute(stmt).scalars())


def claim_next(session: Session, owner: str, now: datetime, seconds: float) -> int | None:
    """Claim the oldest running send nobody holds; None when there is none to take."""
    for send_id in claimable(session, owner, now):
        if claim(session, send_id, owner, now, seconds):
            return send_id
    return None


def holder(session: Session, send_id: int, now: datetime) -> str | None:
    """Who holds a live lease on the send, if anyone."""
    row = session.execute(
        sa.select(_sends.c.lease_owner, _sends.c.lease_expires_at).where(_sends.c.id == send_id)
    ).one_or_none()
    if row is None or row.lease_owner is None or row.lease_expires_at < now:
        return None
    return row.lease_owner
