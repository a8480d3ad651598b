"""One narrow interface for handing a message over: ``send`` → ``Outcome``, then ``close``.

The implementations are ``OutboxTransport`` (outbox_transport.py: ``.eml`` files, the default)
and ``SmtpTransport`` (smtp_transport.py: a real server); ``transport_factory`` picks one from
the settings. Everything here is pure: an Outcome says what became of one message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

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


def unusable_address(address: str) -> bool:
    """Characters that would break a MAIL/RCPT command line or an envelope header (addresses
    are validated earlier; this is the last guard before they reach the wire or a file)."""
    return any(c in address for c in "<>\r\n\t ") or "@" not in address
