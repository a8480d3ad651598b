"""smtplib connections with total deadlines, not per-read timeouts.

A socket timeout bounds each ``recv``: a server trickling one byte every few seconds never
trips it and holds a message (and a SIGTERM) for minutes. Here every reply (the greeting and
each command's) must be complete within ``timeout`` seconds, and every message, from MAIL FROM
to the reply after the data, within its own ``message_deadline``, however slowly bytes arrive.
``abort`` shuts the socket down from another thread, so a blocked reader returns at once.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import time

_MAXLINE = 8192  # smtplib's limit on a reply line


class _DeadlineReader:
    """The part of a binary file smtplib uses (``readline``, ``close``), over the socket,
    with the owner's deadline applied to the whole line."""

    def __init__(self, owner: DeadlineMixin) -> None:
        self.owner = owner
        self.buffer = b""

    def readline(self, limit: int = _MAXLINE + 1) -> bytes:
        while b"\n" not in self.buffer and len(self.buffer) < limit:
            sock = self.owner.sock
            if sock is None:
                break
            left = self.owner.reply_deadline - time.monotonic()
            late = TimeoutError(f"no complete reply within {self.owner.reply_limit:g}s")
            if left <= 0:
                raise late
            sock.settimeout(left)
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                raise late from None
            if not chunk:
                break  # closed: smtplib reports the empty line as a disconnect
            self.buffer += chunk
        end = self.buffer.find(b"\n")
        cut = min(end + 1 if end >= 0 else len(self.buffer), limit)
        line, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return line

    def close(self) -> None:
        self.buffer = b""


class DeadlineMixin:
    """Overrides ``getreply`` and ``send`` of smtplib.SMTP (and SMTP_SSL)."""

    sock: socket.socket | None
    file: object
    timeout: float
    reply_limit: float = 30.0
    reply_deadline: float = 0.0
    message_deadline: float | None = None  # monotonic time, while a message is in progress

    def _limit(self, seconds: float) -> float:
        end = time.monotonic() + seconds
        if self.message_deadline is not None:
            end = min(end, self.message_deadline)
        return end

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = _DeadlineReader(self)
        self.reply_deadline = self._limit(self.timeout)
        self.reply_limit = round(self.reply_deadline - time.monotonic(), 1)
        return super().getreply()  # type: ignore[misc]

    def send(self, s: bytes | str) -> None:
        if self.sock is not None:
            left = self._limit(self.timeout) - time.monotonic()
            if left <= 0:
                raise TimeoutError("the message took longer than smtp.message_deadline_seconds")
            # sendall's timeout bounds the whole call (Python 3.5+), not each chunk.
            self.sock.settimeout(left)
        super().send(s)  # type: ignore[misc]

    def start_message(self, seconds: float) -> None:
        self.message_deadline = time.monotonic() + seconds

    def end_message(self) -> None:
        self.message_deadline = None

    def abort(self) -> None:
        """From another thread: make any blocked read or write on this connection fail now."""
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


class DeadlineSMTP(DeadlineMixin, smtplib.SMTP):
    pass


class DeadlineSMTPSSL(DeadlineMixin, smtplib.SMTP_SSL):
    pass
