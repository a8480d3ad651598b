"""The default transport: each message becomes an ``.eml`` file in a folder, so everything can
be tried (and inspected) without a mail server."""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

from newsletter.core.errors import UserError
from newsletter.delivery.transport import Outcome, unusable_address


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
