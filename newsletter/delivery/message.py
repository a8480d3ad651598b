"""Per-recipient message bytes, fast: shared parts are built once per issue and language.

``MessageTemplate`` folds and encodes everything every recipient shares (From, Subject,
List-Id, Reply-To, the MIME skeleton) once. ``build`` then adds only what is personal (To,
Message-ID, Date, List-Unsubscribe, the two bodies). Bodies are quoted-printable: each body line
is encoded once and cached, so the lines every recipient shares cost a dict lookup, not an
encoding pass (``join_qp`` lets a caller encode the shared pieces once and only the personal
values per recipient). Header lines come from ``headers``, which refuses CR or LF in any value.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from newsletter.delivery.headers import (
    HeaderSettings,
    address_header,
    check_url,
    check_value,
    fold,
    list_id_line,
    mailbox,
    needs_smtputf8,
)

__all__ = [
    "Built",
    "HeaderSettings",
    "MessageTemplate",
    "QuotedPrintable",
    "address_header",
    "check_value",
    "join_qp",
    "message_id",
    "needs_smtputf8",
    "qp",
    "read_verp",
    "verp_address",
]

_CRLF = b"\r\n"
_CACHE_LIMIT = 5000  # lines kept per template
_CACHE_LINE = 2000  # longer lines are rarely shared: not worth the memory
SOFT_BREAK = b"=\r\n"  # a quoted-printable soft line break: decodes to nothing
_QP_LINE = 76  # RFC 2045: quoted-printable lines of at most 76 characters


_ID_PREFIX = secrets.token_hex(6)  # per process: with the counter, unique without a syscall
_ID_COUNTER = itertools.count(1)


def message_id(domain: str, *parts: int | str) -> str:
    """A globally unique Message-ID on our own domain; ``parts`` make it readable in logs."""
    left = ".".join(str(p) for p in parts) + f".{_ID_PREFIX}{next(_ID_COUNTER):x}"
    return f"<{left}@{domain}>"


def verp_address(envelope_sender: str, secret: str, delivery_id: int) -> str:
    """``bounces+ID.SIG@domain``: a bounce to it names the delivery and cannot be forged."""
    local, _, domain = envelope_sender.rpartition("@")
    return f"{local}+{delivery_id}.{_verp_sig(secret, delivery_id)}@{domain}"


def read_verp(address: str, secret: str) -> int | None:
    """The delivery id in a VERP address, or None when it is not one of ours."""
    local = address.rpartition("@")[0]
    tag = local.rpartition("+")[2]
    ident, _, sig = tag.partition(".")
    if not ident.isdigit() or not hmac.compare_digest(sig, _verp_sig(secret, int(ident))):
        return None
    return int(ident)


def _verp_sig(secret: str, delivery_id: int) -> str:
    digest = hmac.new(secret.encode(), f"verp:{delivery_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def qp(text: str) -> bytes:
    """Quoted-printable of one piece of text (CRLF line breaks, lines within 76 characters)."""
    lines = text.replace("\r\n", "\n").split("\n")
    return _CRLF.join(_qp_line(line) for line in lines)


def _qp_line(line: str) -> bytes:
    return binascii.b2a_qp(line.encode("utf-8"), istext=False).replace(b"=\n", b"=\r\n")


def join_qp(pieces: list[bytes]) -> bytes:
    """Encoded pieces joined by soft line breaks: each starts a line, so each is encoded alone.

    This is what lets the shared parts of a body be encoded once per issue and only the
    personal values per recipient. The ``=`` of a soft break ends the last line of the piece
    before it, so a piece whose last line is already 76 characters has one more break put in.
    """
    joined = pieces
    for n in range(len(pieces) - 1):
        piece = pieces[n]
        if len(piece) - piece.rfind(b"\n") - 1 > _QP_LINE - 1:
            if joined is pieces:
                joined = list(pieces)  # the caller's list stays as it was
            joined[n] = _shorten_last_line(piece)
    return SOFT_BREAK.join(joined)


def _shorten_last_line(piece: bytes) -> bytes:
    """The piece with its last line (76 characters) split before its last character: an
    ``=XX`` escape is one character and moves whole (a literal ``=`` never occurs in QP)."""
    cut = 3 if piece[-3:-2] == b"=" else 1
    return piece[:-cut] + SOFT_BREAK + piece[-cut:]


class QuotedPrintable:
    """Quoted-printable with a per-line cache: shared lines are encoded once per template."""

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}

    def encode(self, body: str) -> bytes:
        cache = self._cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        out = []
        for line in body.replace("\r\n", "\n").split("\n"):
            enc = cache.get(line)
            if enc is None:
                enc = _qp_line(line)
                if len(line) <= _CACHE_LINE:
                    cache[line] = enc
            out.append(enc)
        return _CRLF.join(out)


@dataclass(frozen=True)
class Built:
    data: bytes
    message_id: str
    smtputf8: bool


class MessageTemplate:
    """The shared parts of one issue in one language; ``build`` makes one recipient's bytes."""

    def __init__(
        self,
        settings: HeaderSettings,
        subject: str,
        extra_headers: tuple[tuple[str, str], ...] = (),
        list_headers: bool = True,
    ) -> None:
        self.settings = settings
        self.list_headers = list_headers
        boundary = "=_nl_" + secrets.token_hex(12)  # "=_" never occurs in QP output
        head = [
            address_header("From", settings.from_name, settings.from_address),
            fold("Subject", subject),
            b"MIME-Version: 1.0\r\n",
        ]
        if settings.reply_to:
            head.append(address_header("Reply-To", "", settings.reply_to))
        self._top = b"".join(head)
        # One List-Id line per list (RFC 2919), made on first use; "" is the configured one.
        self._list_lines: dict[str, bytes] = {"": b""}
        if list_headers and settings.list_id:
            self._list_lines[""] = list_id_line(settings.list_id)
        rest = []
        if settings.feedback_id:
            rest.append(fold("Feedback-ID", settings.feedback_id))
        for name, value in extra_headers:
            rest.append(fold(name, value))
        self._rest = b"".join(rest)
        self._mailto = ""
        if settings.unsubscribe_mailto:
            addr = mailbox("List-Unsubscribe", settings.unsubscribe_mailto)
            self._mailto = f"<mailto:{addr.addr_spec}?subject=unsubscribe>"
            check_url("List-Unsubscribe", self._mailto[1:-1])
        self._mime = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode("ascii")
        self._between = (
            f"\r\n--{boundary}\r\n"
            'Content-Type: text/html; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode("ascii")
        self._end = f"\r\n--{boundary}--\r\n".encode("ascii")
        self._qp_text = QuotedPrintable()
        self._qp_html = QuotedPrintable()

    def build(
        self,
        *,
        to_email: str,
        to_name: str,
        message_id: str,
        date: datetime,
        html: str,
        text: str,
        unsubscribe_url: str = "",
        list_id: str = "",
    ) -> Built:
        """One recipient's message as CRLF bytes, ready for SMTP or an .eml file."""
        return self.build_encoded(
            to_email=to_email,
            to_name=to_name,
            message_id=message_id,
            date=date,
            text_qp=self._qp_text.encode(text),
            html_qp=self._qp_html.encode(html),
            unsubscribe_url=unsubscribe_url,
            list_id=list_id,
        )

    def build_encoded(
        self,
        *,
        to_email: str,
        to_name: str,
        message_id: str,
        date: datetime,
        text_qp: bytes,
        html_qp: bytes,
        unsubscribe_url: str = "",
        list_id: str = "",
    ) -> Built:
        """``build`` with bodies already quoted-printable (see ``join_qp``); ``list_id`` is the
        List-Id of the list the person is reached through (``headers.list_id``), "" for the
        configured one."""
        lines = self._list_lines
        list_line = lines.get(list_id)
        if list_line is None:
            list_line = lines[list_id] = list_id_line(list_id) if self.list_headers else b""
        per = [
            address_header("To", to_name, to_email),
            b"Date: " + format_datetime(date).encode("ascii") + _CRLF,
            b"Message-ID: " + check_value("Message-ID", message_id).encode("ascii") + _CRLF,
        ]
        if self.list_headers and unsubscribe_url:
            link = "<" + check_url("List-Unsubscribe", unsubscribe_url) + ">"
            value = link + (",\r\n " + self._mailto if self._mailto else "")
            per.append(b"List-Unsubscribe: " + value.encode("ascii") + _CRLF)
            per.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
        head = (self._top, list_line, self._rest, *per)
        parts = (*head, self._mime, text_qp, self._between, html_qp, self._end)
        return Built(b"".join(parts), message_id, needs_smtputf8(to_email))
