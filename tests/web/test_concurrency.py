"""The pages keep answering while another process holds the database's write lock.

An import or the start of a send holds SQLite's write lock for seconds. Pages that only read
must not wait for it, and a page that writes must wait without holding up anyone else.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.core.db import session_scope
from newsletter.core.models import Subscriber
from tests.plugins.web import csrf_from

HOLD = 5.0
FAST = 0.2


@contextmanager
def write_lock(engine: Engine, seconds: float) -> Iterator[threading.Thread]:
    """Another connection takes the write lock (BEGIN IMMEDIATE and an insert) for ``seconds``."""
    taken = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(engine.url.database or "", isolation_level=None, timeout=5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO rate_limit_hits (key, at) VALUES ('import', '2026-11-22 09:00:00')"
            )
            taken.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(5), "the lock holder did not start"
    try:
        yield holder
    finally:
        holder.join(seconds + 5)


def _timed_get(client: httpx.Client, path: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.get(path)
    return response.status_code, time.monotonic() - started


def test_pages_answer_at_once_while_the_write_lock_is_held(
    web_server, web: httpx.Client, engine: Engine, public_lists
) -> None:
    paths = ["/healthz", "/archive", "/archive/feed.atom", "/subscribe"]
    for path in paths:  # warm up: templates compiled, connections pooled
        assert web.get(path).status_code == 200
    writer = httpx.Client(base_url=web_server.url, timeout=30)
    fields = {"csrf_token": csrf_from(writer.get("/subscribe").text), "email": "ece@example.org",
              "name": "Ece", "language": "tr", "lists": "aylik-bulten",
              "consent": "yes"}  # fmt: skip
    with write_lock(engine, HOLD) as holder, ThreadPoolExecutor(1) as pool:
        # A subscription must wait for the lock; while it waits, nothing else may.
        waiting = pool.submit(writer.post, "/subscribe", data=fields)
        time.sleep(0.5)
        assert not waiting.done()
        timings = {path: _timed_get(web, path) for path in paths}
        measured_under_lock = holder.is_alive()
        posted = waiting.result(HOLD + 10)
    writer.close()
    assert {path: code for path, (code, _s) in timings.items()} == dict.fromkeys(paths, 200)
    slow = {path: round(s, 3) for path, (_c, s) in timings.items() if s >= FAST}
    assert slow == {}
    assert measured_under_lock, "the lock was released before the pages were measured"
    # Once the lock was free, the waiting subscription went through.
    assert posted.status_code == 200
    with session_scope(engine) as session:
        assert [p.email for p in session.exec(select(Subscriber))] == ["ece@example.org"]
