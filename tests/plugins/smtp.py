"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

``smtp_server.replies`` lets a test script answers: a list of (code, text) used in order for
RCPT or DATA; see RecordingHandler.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    messages: list[Received] = field(default_factory=list)
    # Scripted answers: address -> list of replies for successive RCPTs to it ("250 OK" when empty).
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        scripted = self.rcpt_replies.get(address)
        if scripted:
            reply = scripted.pop(0)
            if not reply.startswith("2"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data_replies:
            reply = self.data_replies.pop(0)
            if not reply.startswith("2"):
                return reply
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def config_toml(self) -> str:
        """The [smtp] and [sending] lines that point the app at this server."""
        return (
            f'[smtp]\nhost = "{self.host}"\nport = {self.port}\nsecurity = "none"\npool_size = 1\n'
        )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


# --- Servers that misbehave on purpose ---------------------------------------------------------


@dataclass
class FaultHandler(RecordingHandler):
    """Records what it accepts; ``hang_data`` seconds of silence after the data (then a 451, so
    nothing hung is ever delivered); a 4xx on every RCPT until ``outage_until`` (monotonic)."""

    hang_data: float = 0.0
    outage_until: float = 0.0
    outage_reply: str = "452 4.3.1 Insufficient system storage"
    hung: int = 0  # how many messages the server sat on
    refused: int = 0  # how many RCPTs the outage refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if time.monotonic() < self.outage_until:
            self.refused += 1
            return self.outage_reply
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.hang_data:
            self.hung += 1
            await asyncio.sleep(self.hang_data)
            return "451 4.3.0 sat on it"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def fault_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server with a FaultHandler (``.handler``) to script the fault at run time."""
    handler = FaultHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        handler.hang_data = 0.0
        controller.stop()


class TrickleServer(threading.Thread):
    """A raw SMTP server that answers every command correctly but trickles one reply one byte
    every ``gap`` seconds: ``slow`` is "greeting" or "data" (the reply after the message)."""

    def __init__(self, slow: str, gap: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.slow, self.gap = slow, gap
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.message_read = threading.Event()  # the whole message arrived; the reply is next
        self.ended_at: float | None = None  # when the client hung up

    def _trickle(self, conn: socket.socket, reply: bytes) -> None:
        for i in range(len(reply)):
            if self.done.wait(self.gap):
                return
            conn.sendall(reply[i : i + 1])

    def run(self) -> None:
        self.sock.settimeout(0.2)
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                with contextlib.suppress(OSError):  # the client hung up: what the tests do
                    self._serve(conn)
                self.ended_at = time.monotonic()

    def _serve(self, conn: socket.socket) -> None:
        greeting = b"220 trickle ESMTP at your service, eventually\r\n"
        if self.slow == "greeting":
            self._trickle(conn, greeting)
            return
        conn.sendall(greeting)
        reader = conn.makefile("rb")
        while line := reader.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                while reader.readline() not in (b".\r\n", b""):
                    pass
                self.message_read.set()
                self._trickle(conn, b"250 2.0.0 queued as a long, long reply\r\n")
                return
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return

    def stop(self) -> None:
        self.done.set()
        self.join(5)
        self.sock.close()


@pytest.fixture
def trickle_server() -> Iterator[Callable[..., TrickleServer]]:
    started: list[TrickleServer] = []

    def start(slow: str, gap: float = 0.2) -> TrickleServer:
        server = TrickleServer(slow, gap)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
