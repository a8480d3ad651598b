"""Test fixtures of the web capability: the app served by uvicorn on a loopback port, over HTTP.

``web_server`` runs ``create_app(config, clock)`` in a thread (a real server, so requests really
run concurrently); tests move ``web_server.clock`` to expire links. ``web`` is an httpx client
for it; ``public_lists`` seeds three lists.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine

from newsletter.audience import lists
from newsletter.core.clock import FixedClock
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.web.app import create_app
from tests.plugins.smtp import free_port

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@dataclass
class WebServer:
    url: str
    clock: FixedClock
    server: uvicorn.Server


def serve(config: Config, clock: FixedClock, port: int | None = None) -> Iterator[WebServer]:
    """Start uvicorn with the app in a thread; stop it when the generator closes."""
    port = port or free_port()
    app = create_app(config, clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield WebServer(f"http://127.0.0.1:{port}", clock, server)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def web_server(config: Config, engine: Engine) -> Iterator[WebServer]:
    yield from serve(config, FixedClock(START))


@pytest.fixture
def web(web_server: WebServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_server.url, follow_redirects=False, timeout=10) as client:
        yield client


@pytest.fixture
def public_lists(engine: Engine) -> dict[str, int]:
    """Two public lists (double and single opt-in) and a private one: slug -> id."""
    with session_scope(engine) as session:
        made = [
            lists.create(session, "aylik-bulten", "Aylık Bülten", START,
                         description="Gaziantep ve Şanlıurfa’dan haberler, ayda bir.",
                         visibility="public"),
            lists.create(session, "etkinlikler", "Etkinlikler", START, opt_in="single",
                         visibility="public", default_language="tr"),
            lists.create(session, "ortaklar", "Ortaklar (iç liste)", START),
        ]  # fmt: skip
        return {m.slug: m.id for m in made}  # type: ignore[misc]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return unescape(found.group(1))


# Directional isolates (U+2066-U+2069) around values on right-to-left pages: nobody sees them.
ISOLATES = re.compile("[\u2066-\u2069]")


def text_of(html: str) -> str:
    """A page's visible text in one line, for assertions about what a person reads."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(ISOLATES.sub("", unescape(re.sub(r"<[^>]+>", " ", body))).split())


def html_tag(html: str) -> str:
    """The page's opening <html …> tag, with its lang and dir."""
    found = re.search(r"<html\b[^>]*>", html)
    assert found, "the page has no <html> tag"
    return found.group(0)
