"""Rate limits: counted in the database, per IP and per address, shared by every process."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from newsletter.core.clock import FixedClock
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import MailJob, RateLimitHit
from newsletter.web import ratelimit
from newsletter.web.ratelimit import Limit, RateLimited
from tests.conftest import write_config
from tests.plugins.web import START, csrf_from, serve, text_of


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(
        tmp_path, "[web]\nrate_limit_per_ip_per_hour = 4\nrate_limit_per_address_per_hour = 2\n"
    )


def _subscribe(client: httpx.Client, email: str) -> httpx.Response:
    token = csrf_from(client.get("/subscribe").text)
    fields = {"csrf_token": token, "email": email, "name": "", "language": "tr",
              "lists": "aylik-bulten", "consent": "yes"}  # fmt: skip
    return client.post("/subscribe", data=fields)


def test_hits_are_counted_in_a_sliding_window(engine) -> None:
    limits = [Limit("test-ip:10.0.0.1", 2)]
    with session_scope(engine) as session:
        ratelimit.hit(session, limits, START)
        ratelimit.hit(session, limits, START + timedelta(minutes=10))
    with session_scope(engine) as session, pytest.raises(RateLimited) as caught:
        ratelimit.hit(session, limits, START + timedelta(minutes=30))
    # The oldest hit ages out an hour after it was made: 30 minutes (and a second) from then.
    assert caught.value.retry_after == 30 * 60 + 1
    with session_scope(engine) as session:
        ratelimit.hit(session, limits, START + timedelta(minutes=61))
        count = len(session.exec(select(RateLimitHit)).all())
    assert count == 2  # the expired hit was pruned, the new one counted


def test_a_refused_request_counts_against_no_limit(engine) -> None:
    ip, address = Limit("t-ip:1", 5), Limit("t-address:x", 1)
    with session_scope(engine) as session:
        ratelimit.hit(session, [ip, address], START)
    with session_scope(engine) as session, pytest.raises(RateLimited):
        ratelimit.hit(session, [ip, address], START)
    with session_scope(engine) as session:
        keys = [h.key for h in session.exec(select(RateLimitHit))]
    assert keys.count("t-ip:1") == 1


def test_address_keys_hold_no_address(config: Config) -> None:
    limits = ratelimit.form_limits(config.web, "s" * 40, "subscribe", "10.0.0.9", "Ayşe@Örnek.org")
    assert limits[0] == Limit("subscribe-ip:10.0.0.9", config.web.rate_limit_per_ip_per_hour)
    assert "ayşe" not in limits[1].key.lower() and "örnek" not in limits[1].key.lower()
    same = ratelimit.form_limits(config.web, "s" * 40, "subscribe", "x", " ayşe@örnek.org ")
    assert same[1].key == limits[1].key


SPELLINGS = [
    "ayşe@örnek.org",
    unicodedata.normalize("NFD", "ayşe@örnek.org"),  # "s" + combining cedilla, "o" + diaeresis
    "ayşe@xn--rnek-4qa.org",  # the domain in its ASCII (IDNA) form
    " AYŞE@Örnek.ORG ",
]


def test_every_spelling_of_an_address_has_one_key(config: Config) -> None:
    keys = {
        ratelimit.form_limits(config.web, "s" * 40, "subscribe", "10.0.0.9", email)[1].key
        for email in SPELLINGS
    }
    assert len(keys) == 1


def test_per_address_limit_counts_every_spelling_over_http(
    web: httpx.Client, engine, public_lists
) -> None:
    assert _subscribe(web, SPELLINGS[0]).status_code == 200
    assert _subscribe(web, SPELLINGS[1]).status_code == 200
    for other in SPELLINGS:  # a third try, however it is written, is one too many
        assert _subscribe(web, other).status_code == 429, repr(other)
    with session_scope(engine) as session:
        assert len(session.exec(select(MailJob)).all()) == 1


def test_prune_deletes_old_hits(engine) -> None:
    with session_scope(engine) as session:
        ratelimit.hit(session, [Limit("a", 9), Limit("b", 9)], START)
    with session_scope(engine) as session:
        assert ratelimit.prune(session, START + timedelta(hours=2)) == 2


def test_per_address_limit_over_http(web: httpx.Client, engine, public_lists) -> None:
    assert _subscribe(web, "zeynep@example.org").status_code == 200
    assert _subscribe(web, "ZEYNEP@example.org").status_code == 200
    third = _subscribe(web, "zeynep@example.org")
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) > 0
    assert "Too many requests" in text_of(third.text)
    # Another address from the same IP is still welcome.
    assert _subscribe(web, "mehmet@example.org").status_code == 200
    with session_scope(engine) as session:
        assert len(session.exec(select(MailJob)).all()) == 2


def test_per_ip_limit_over_http(web: httpx.Client, public_lists) -> None:
    codes = [_subscribe(web, f"kisi{i}@example.org").status_code for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]


def test_limit_reopens_after_an_hour(web_server, web: httpx.Client, public_lists) -> None:
    for _ in range(2):
        _subscribe(web, "elif@example.org")
    assert _subscribe(web, "elif@example.org").status_code == 429
    web_server.clock.advance(minutes=61)
    assert _subscribe(web, "elif@example.org").status_code == 200


def test_two_processes_share_the_counts(config: Config, web: httpx.Client, public_lists) -> None:
    second = serve(config, FixedClock(START))
    other = next(second)
    try:
        with httpx.Client(base_url=other.url) as client:
            assert _subscribe(web, "deniz@example.org").status_code == 200
            assert _subscribe(client, "deniz@example.org").status_code == 200
            assert _subscribe(client, "deniz@example.org").status_code == 429
    finally:
        second.close()
