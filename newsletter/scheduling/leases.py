"""Leases on sends: at most one worker runs a send at a time, and a dead worker's claim expires.

A lease is two columns on ``sends`` (``lease_owner``, ``lease_expires_at``). Every change is a
single conditional UPDATE whose WHERE clause says who may take it, so the database decides the
race: on SQLite the write lock (BEGIN IMMEDIATE) serialises them, on PostgreSQL the row lock and
the re-checked WHERE of READ COMMITTED do. The winner sees one updated row, the loser none.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from newsletter.core.clock import Clock
from newsletter.core.db import session_scope
from newsletter.core.errors import StateError
from newsletter.core.models import Send

logger = logging.getLogger("newsletter.leases")

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


def claimable(
    session: Session, owner: str, now: datetime, exclude: Collection[int] = ()
) -> list[int]:
    """Running sends whose lease is free, expired or already ours, oldest first."""
    stmt = (
        sa.select(_sends.c.id)
        .where(_sends.c.status == "running", _free_or_mine(owner, now))
        .order_by(_sends.c.id)
    )
    if exclude:
        stmt = stmt.where(_sends.c.id.not_in(list(exclude)))
    return list(session.execute(stmt).scalars())


def claim_next(
    session: Session, owner: str, now: datetime, seconds: float, exclude: Collection[int] = ()
) -> int | None:
    """Claim the oldest running send nobody holds (other than ``exclude``); None if none."""
    for send_id in claimable(session, owner, now, exclude):
        if claim(session, send_id, owner, now, seconds):
            return send_id
    return None


def local_owner_dead(owner: str) -> bool:
    """True if ``owner`` names a process on this host that no longer exists (killed, crashed).

    Its lease need not be waited out. Another host's process, or a live pid, is never dead
    here (a reused pid errs on the safe side: the lease is left alone)."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by another user
        return False
    return False


def take_over(session: Session, send_id: int, owner: str, now: datetime, seconds: float) -> bool:
    """Claim the lease, also from a dead process on this host (after ``kill -9`` of a
    foreground send, ``issues resume`` need not wait for the lease to run out)."""
    if claim(session, send_id, owner, now, seconds):
        return True
    other = holder(session, send_id, now)
    if other is None or not local_owner_dead(other):
        return False
    stmt = (
        sa.update(_sends)
        .where(_sends.c.id == send_id, _sends.c.status == "running", _sends.c.lease_owner == other)
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds))
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def refuse(session: Session, send_id: int, now: datetime) -> StateError:
    """The error for a send this process could not claim: who holds it, or that it is idle."""
    other = holder(session, send_id, now)
    if other:
        return StateError(
            f"send {send_id} is being sent by {other} (a worker or another 'issues' command); "
            "wait for it to finish, or stop that process first"
        )
    return StateError(f"send {send_id} is not running (see 'newsletter issues report')")


def holder(session: Session, send_id: int, now: datetime) -> str | None:
    """Who holds a live lease on the send, if anyone."""
    row = session.execute(
        sa.select(_sends.c.lease_owner, _sends.c.lease_expires_at).where(_sends.c.id == send_id)
    ).one_or_none()
    if row is None or row.lease_owner is None or row.lease_expires_at < now:
        return None
    return row.lease_owner


class LeaseKeeper(threading.Thread):
    """Renews a lease every third of its length while a send runs, from a background thread.

    If the lease was lost (this process stalled past expiry and another worker took the send),
    ``stop`` is set at once so the two never send side by side for longer than a renewal.
    """

    def __init__(
        self,
        engine: Engine,
        send_id: int,
        owner: str,
        clock: Clock,
        seconds: float,
        stop: threading.Event,
        on_renew: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(name=f"lease-{send_id}", daemon=True)
        self.engine, self.send_id, self.owner = engine, send_id, owner
        self.clock, self.seconds, self.stop = clock, seconds, stop
        self.on_renew = on_renew
        self.done = threading.Event()
        self.lost = False

    def run(self) -> None:
        while not self.done.wait(max(self.seconds / 3, 0.05)):
            try:
                self.renew_once()
            except Exception:  # a busy or unreachable database: try again next time
                logger.warning("lease renewal failed", exc_info=True,
                               extra={"event": "lease.renew_failed", "issue": None})  # fmt: skip

    def renew_once(self) -> bool:
        with session_scope(self.engine) as session:
            kept = renew(session, self.send_id, self.owner, self.clock(), self.seconds)
        if not kept:
            self.lost = True
            self.stop.set()
            self.done.set()
        else:
            logger.debug("lease renewed for %gs", self.seconds,
                         extra={"event": "lease.renewed", "issue": None,
                                "fields": {"send": self.send_id}})  # fmt: skip
            if self.on_renew is not None:
                self.on_renew()
        return kept

    def finish(self) -> None:
        self.done.set()
        if self.is_alive():
            self.join(timeout=10)


@contextmanager
def held(
    engine: Engine,
    send_id: int,
    owner: str,
    clock: Clock,
    seconds: float,
    stop: threading.Event,
    on_renew: Callable[[], None] | None = None,
) -> Iterator[LeaseKeeper]:
    """Hold the lease on a send while the block runs: claim it (StateError if another process
    holds it), renew it in the background, give it back at the end. For anything that runs a
    send, a worker or ``issues send`` in the foreground, so the two never run it side by side.
    ``stop`` is set if the lease is lost."""
    with session_scope(engine) as session:
        if not take_over(session, send_id, owner, clock(), seconds):
            raise refuse(session, send_id, clock())
    keeper = LeaseKeeper(engine, send_id, owner, clock, seconds, stop, on_renew)
    keeper.start()
    try:
        yield keeper
    finally:
        keeper.finish()
        with session_scope(engine) as session:
            release(session, send_id, owner)
