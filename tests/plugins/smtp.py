"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

``smtp_server.replies`` lets a test script answers: a list of (code, text) used in order for
RCPT or DATA; see RecordingHandler.
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
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
            f'[smtp]\nhost = "{self.host}"\nport = {self.port}\nsecurity = "none"\n'
            'pool_size = 1\n'
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
