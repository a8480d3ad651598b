"""One narrow interface for handing a message over: ``send`` → ``Outcome``, then ``close``.

``OutboxTransport`` (the default) writes each message as an ``.eml`` file, so everything can be
tried without a mail server; ``SmtpTransport`` (smtp_transport.py) talks to a real server.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from newsletter.core.errors import UserError

if TYPE_CHECKING:
    from newsletter.core.config import Config

Status = Literal["sent", "temporary", "permanent", "unknown"]
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")


@dataclass(frozen=True)
class Outcome:
    """What became of one message. ``unknown``: it may have been delivered (no final reply)."""

    status: Status
    code: int | None = None
    text: str = ""
    # The server is unreachable or keeps dropping us: retrying at once would not help.
    connection_failed: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "sent"

    @property
    def enhanced(self) -> str:
        """The RFC 3463 enhanced status code (``5.1.1``), or ``""``."""
        match = _ENHANCED.match(self.text)
        return ".".join(match.groups()) if match else ""

    @property
    def hard_bounce(self) -> bool:
        """5.1.x: the address does not exist; suppress it."""
        return self.status == "permanent" and self.enhanced.startswith("5.1.")

    @property
    def policy_rejection(self) -> bool:
        """5.7.x: refused by policy (reputation, authentication); many in a row pause the send."""
        return self.status == "permanent" and self.enhanced.startswith("5.7.")

    def describe(self) -> str:
        return f"{self.code} {self.text}".strip() if self.code else self.text


def classify(code: int, text: str) -> Outcome:
    """An SMTP reply as an Outcome: 2xx sent, 4xx temporary, 5xx permanent."""
    text = " ".join(text.split())
    if 200 <= code < 300:
        return Outcome("sent", code, text)
    if 400 <= code < 500:
        return Outcome("temporary", code, text, connection_failed=code == 421)
    return Outcome("permanent", code, text)


class Transport(Protocol):
    #: How many messages may be handed over at the same time (one per connection).
    connections: int

    def send(self, envelope_from: str, recipient: str, message_bytes: bytes) -> Outcome: ...

    def close(self) -> None: ...


class OutboxTransport:
    """Writes ``<UTC time>-<run>-<n>.eml`` files (complete messages, CRLF) into a folder."""

    connections = 1

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"sending.outbox_dir: cannot create {folder}: {exc.strerror}") from None
        self._lock = threading.Lock()
        self._count = 0
        self._prefix = secrets.token_hex(4)

    def send(self, envelope_from: str, recipient: str, message_bytes: bytes) -> Outcome:
        with self._lock:
            self._count += 1
            # Named by time first, so a folder listing shows the messages in the order sent.
            stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
            name = f"{stamp}-{self._prefix}-{self._count:07d}.eml"
        for address in (envelope_from, recipient):
            if unusable_address(address):
                return Outcome("permanent", None, f"not a usable address: {address!r}")
        path = self.folder / name
        tmp = path.with_suffix(".tmp")
        # The envelope is kept in a Return-Path / X-Envelope-To pair, as a local MTA would.
        head = f"Return-Path: <{envelope_from}>\r\nX-Envelope-To: <{recipient}>\r\n"
        try:
            with open(tmp, "wb") as f:
                f.write(head.encode("utf-8") + message_bytes)
            os.replace(tmp, path)
        except OSError as exc:
            return Outcome("temporary", None, f"cannot write {path}: {exc.strerror}")
        return Outcome("sent", 250, f"written to {path}")

    def close(self) -> None:
        pass


def unusable_address(address: str) -> bool:
    """Characters that would break a MAIL/RCPT command line or an envelope header (addresses
    are validated earlier; this is the last guard before they reach the wire or a file)."""
    return any(c in address for c in "<>\r\n\t ") or "@" not in address


def make_transport(config: Config) -> Transport:
    """The transport chosen by ``sending.transport``."""
    if config.sending.transport == "smtp":
        from newsletter.delivery.smtp_transport import SmtpTransport

        return SmtpTransport.from_config(config)
    return OutboxTransport(config.resolve_path(config.sending.outbox_dir))
