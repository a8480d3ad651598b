"""Worker heartbeats: each running worker keeps one row in ``workers`` fresh, so `status` can
tell a live worker from one that stopped answering."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsletter.core.db import session_scope
from newsletter.core.models import WorkerHeartbeat

STALE_AFTER = timedelta(days=1)  # rows of workers gone this long are deleted
_workers = WorkerHeartbeat.__table__  # type: ignore[attr-defined]


def beat(
    engine: Engine, owner: str, now: datetime, state: str = "running", send_id: int | None = None
) -> None:
    """Record that the worker ``owner`` is alive now (only that worker writes its row)."""
    values = {"state": state, "seen_at": now, "send_id": send_id}
    with session_scope(engine) as session:
        stmt = sa.update(_workers).where(_workers.c.owner == owner).values(**values)
        if not session.execute(stmt).rowcount:  # type: ignore[attr-defined]
            row = WorkerHeartbeat(owner=owner, hostname=socket.gethostname(), pid=os.getpid(),
                                  started_at=now, **values)  # fmt: skip
            session.add(row)
        session.execute(sa.delete(_workers).where(_workers.c.seen_at < now - STALE_AFTER))


def forget(engine: Engine, owner: str) -> None:
    """A worker that stops cleanly removes its row."""
    with session_scope(engine) as session:
        session.execute(sa.delete(_workers).where(_workers.c.owner == owner))
