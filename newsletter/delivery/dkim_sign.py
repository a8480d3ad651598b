"""DKIM signatures (dkimpy) with an explicit header list.

dkimpy's default list leaves out List-Unsubscribe-Post, and a one-click unsubscribe is only
trusted by the big mailbox providers when both List-Unsubscribe headers are signed. The
headers a reader or a mailbox provider acts on are over-signed (RFC 6376 section 8.15): each
is listed once more than it occurs, which signs "no further header of this name", so a second
Subject or List-Unsubscribe added on the way (above ours, where many readers look first)
breaks the signature instead of riding on it. The signer is built once per run
(``send_settings.signer``) and shared by the sender threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dkim
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

from newsletter.core.errors import UserError

SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"feedback-id",
)
# Each occurs at most once in our messages: listed twice, the second entry signs its absence.
OVERSIGNED = (
    b"from",
    b"subject",
    b"date",
    b"message-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)
INCLUDE_HEADERS = (*SIGNED_HEADERS, *OVERSIGNED)


@dataclass(frozen=True)
class DkimSigner:
    domain: str
    selector: str
    private_key: bytes

    def __post_init__(self) -> None:
        for field in ("domain", "selector"):
            if not getattr(self, field):
                raise UserError(f"dkim.{field} is empty but dkim.enabled is true")
        try:
            parse_pem_private_key(self.private_key)
        except (UnparsableKeyError, ValueError, IndexError) as exc:
            raise UserError(f"dkim.key_file: not a PEM RSA private key ({exc})") from None

    def signature(self, message: bytes) -> bytes:
        """The DKIM-Signature header line (CRLF-terminated) for ``message``."""
        return dkim.sign(
            message,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(INCLUDE_HEADERS),
        )

    def sign(self, message: bytes) -> bytes:
        """``message`` with its DKIM-Signature header in front."""
        return self.signature(message) + message


def read_signer(domain: str, selector: str, key_file: Path) -> DkimSigner:
    """A signer with the key read from ``key_file`` (``[dkim]``); a bad file is a UserError."""
    try:
        key = key_file.read_bytes()
    except OSError as exc:
        raise UserError(f"dkim.key_file: cannot read {key_file}: {exc.strerror}") from None
    return DkimSigner(domain, selector, key)
