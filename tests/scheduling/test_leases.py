"""Leases on sends: one holder at a time, expiry after a dead worker, real concurrent claims."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from newsletter.core.clock import utcnow
from newsletter.core.db import session_scope
from newsletter.core.errors import StateError
from newsletter.core.models import Issue, Send
from newsletter.scheduling import leases

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def make_send(engine: Engine, status: str = "running") -> int:
    with session_scope(engine) as s:
        issue = Issue(title="Aralık bülteni", status="sending")
        s.add(issue)
        s.flush()
        send = Send(issue_id=issue.id, lists=["ortaklar"], status=status)
        s.add(send)
        s.flush()
        return send.id


def claim(engine: Engine, send_id: int, owner: str, now: datetime, seconds: float = 60) -> bool:
    with session_scope(engine) as s:
        return leases.claim(s, send_id, owner, now, seconds)


def test_a_free_send_is_claimed_and_then_held(engine: Engine) -> None:
    send_id = make_send(engine)
    assert claim(engine, send_id, "a", T0)
    assert not claim(engine, send_id, "b", T0 + timedelta(seconds=59))
    with session_scope(engine) as s:
        assert leases.holder(s, send_id, T0 + timedelta(seconds=59)) == "a"
        assert leases.holder(s, send_id, T0 + timedelta(seconds=61)) is None
    # the holder may claim again (it extends its own lease)
    assert claim(engine, send_id, "a", T0 + timedelta(seconds=30))


def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_renew(engine: Engine) -> None:
    send_id = make_send(engine)
    assert claim(engine, send_id, "dead", T0, seconds=120)
    later = T0 + timedelta(seconds=121)
    assert claim(engine, send_id, "alive", later, seconds=120)
    with session_scope(engine) as s:
        assert not leases.renew(s, send_id, "dead", later, 120)
        assert leases.renew(s, send_id, "alive", later, 120)
        assert leases.holder(s, send_id, later) == "alive"


def test_renewal_keeps_a_lease_past_its_first_expiry(engine: Engine) -> None:
    send_id = make_send(engine)
    assert claim(engine, send_id, "a", T0, seconds=10)
    with session_scope(engine) as s:
        assert leases.renew(s, send_id, "a", T0 + timedelta(seconds=8), 10)
    assert not claim(engine, send_id, "b", T0 + timedelta(seconds=15))
    assert claim(engine, send_id, "b", T0 + timedelta(seconds=19))


def test_release_frees_the_send_only_for_its_holder(engine: Engine) -> None:
    send_id = make_send(engine)
    assert claim(engine, send_id, "a", T0)
    with session_scope(engine) as s:
        assert not leases.release(s, send_id, "b")
        assert leases.release(s, send_id, "a")
        assert leases.holder(s, send_id, T0) is None
    assert claim(engine, send_id, "b", T0)


def test_only_running_sends_can_be_claimed(engine: Engine) -> None:
    for status in ("paused", "done", "cancelled", "failed"):
        assert not claim(engine, make_send(engine, status), "a", T0)


def test_claim_next_takes_the_oldest_free_send(engine: Engine) -> None:
    first, second, third = make_send(engine), make_send(engine), make_send(engine)
    assert claim(engine, first, "other", T0)
    with session_scope(engine) as s:
        assert leases.claimable(s, "me", T0) == [second, third]
        assert leases.claim_next(s, "me", T0, 60) == second
        assert leases.claim_next(s, "me2", T0, 60) == third
        assert leases.claim_next(s, "me3", T0, 60) is None


def test_concurrent_claims_have_exactly_one_winner(engine: Engine) -> None:
    send_id = make_send(engine)
    start = threading.Barrier(8)
    winners: list[str] = []

    def contend(name: str) -> None:
        start.wait()
        if claim(engine, send_id, name, T0):
            winners.append(name)

    threads = [threading.Thread(target=contend, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    with session_scope(engine) as s:
        assert leases.holder(s, send_id, T0) == winners[0]


def test_owner_names_are_unique_per_process_and_call() -> None:
    a, b = leases.new_owner(), leases.new_owner()
    assert a != b
    assert a.split(":")[1] == b.split(":")[1]  # same pid


def test_held_claims_renews_and_gives_back(engine: Engine) -> None:
    send_id = make_send(engine)
    stop = threading.Event()
    with leases.held(engine, send_id, "w1", utcnow, 0.3, stop) as keeper:
        time.sleep(0.6)  # two lease lengths: only renewal keeps it
        with session_scope(engine) as s:
            assert leases.holder(s, send_id, utcnow()) == "w1"
        assert not claim(engine, send_id, "w2", utcnow())
    assert not keeper.lost and not stop.is_set()
    with session_scope(engine) as s:
        assert leases.holder(s, send_id, utcnow()) is None


def test_held_refuses_a_send_someone_else_is_running(engine: Engine) -> None:
    send_id = make_send(engine)
    assert claim(engine, send_id, "mail1:42:abc", utcnow(), 60)
    with (
        pytest.raises(StateError, match=f"send {send_id} is being sent by mail1:42:abc"),
        leases.held(engine, send_id, "me", utcnow, 60, threading.Event()),
    ):
        pass
    paused = make_send(engine, "paused")
    with (
        pytest.raises(StateError, match=f"send {paused} is not running"),
        leases.held(engine, paused, "me", utcnow, 60, threading.Event()),
    ):
        pass


def test_a_lost_lease_stops_the_run_at_once(engine: Engine) -> None:
    send_id = make_send(engine)
    assert claim(engine, send_id, "slow", T0, 10)
    # "slow" stalled past expiry and another worker took the send over
    assert claim(engine, send_id, "fast", T0 + timedelta(seconds=11), 10)
    stop = threading.Event()
    keeper = leases.LeaseKeeper(engine, send_id, "slow", lambda: T0, 10, stop)
    assert keeper.renew_once() is False
    assert keeper.lost and stop.is_set()


def test_a_dead_process_on_this_host_loses_its_lease_at_once(engine: Engine) -> None:
    host = socket.gethostname()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead, alive = f"{host}:{gone.stdout.strip()}:aa11", f"{host}:{os.getpid()}:bb22"
    assert leases.local_owner_dead(dead)
    assert not leases.local_owner_dead(alive)
    assert not leases.local_owner_dead(f"başka-makine:{gone.stdout.strip()}:cc33")
    for holder, taken in ((dead, True), (alive, False), ("mail9:1:dd44", False)):
        send_id = make_send(engine)
        assert claim(engine, send_id, holder, utcnow(), 120)
        with session_scope(engine) as s:
            assert leases.take_over(s, send_id, "me", utcnow(), 120) is taken
            assert leases.holder(s, send_id, utcnow()) == ("me" if taken else holder)
