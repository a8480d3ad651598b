"""Email addresses: validation (email-validator, no DNS), the normalised form and the SMTP form.

The normalised form is what email-validator returns (Unicode NFC, IDNA-normalised domain, so
``İSTANBUL.example`` and ``i̇stanbul.example`` are the same domain) with the local part
lowercased the same way, so ``Ayşe@…`` and ``ayşe@…`` are one person. It is the key for
deduplication and for suppression hashes.

The ASCII form (punycode domain) goes on the SMTP envelope. An address whose local part is not
ASCII has no ASCII form: it is kept, and ``Address.smtputf8`` says the server must offer SMTPUTF8.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from unicodedata import is_normalized

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import EMAIL_MAX_LENGTH
from email_validator.syntax import validate_email_local_part

from newsletter.core.errors import UserError

# Common addresses take a fast path: the domain check (IDNA, the costly part) is cached per
# domain and the local part checked by email-validator's own function. Anything unusual (quotes,
# display names, input not in Unicode NFC, very long input) goes through validate_email whole.
_SIMPLE = re.compile(r"[^\s\"<>()\[\]\\,;:@]{1,64}@[^\s\"<>()\[\]\\,;:@]{1,128}\Z")


class Address(NamedTuple):
    normalised: str
    ascii: str | None  # None when the local part is not ASCII (needs SMTPUTF8)

    @property
    def smtputf8(self) -> bool:
        return self.ascii is None

    @property
    def envelope(self) -> str:
        """The form to give the SMTP server: ASCII when there is one, else the Unicode form."""
        return self.ascii or self.normalised


class InvalidAddress(UserError):
    """An address email-validator refuses; the message names the value and the reason."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"invalid email address {value!r}: {reason}")
        self.value = value
        self.reason = reason


def normalise(email: str) -> Address:
    """Validate ``email`` (syntax only, no DNS) and return its normalised and ASCII forms."""
    value = email.strip()
    if not value:
        raise InvalidAddress(email, "the address is empty")
    try:
        if _SIMPLE.match(value) and (value.isascii() or is_normalized("NFC", value)):
            return _simple(value)
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(value, str(exc)) from None
    local = result.local_part.lower()
    ascii_email = None
    if result.ascii_email is not None:
        ascii_email = result.ascii_local_part.lower() + "@" + result.ascii_domain
    return Address(local + "@" + result.domain, ascii_email)


def _simple(value: str) -> Address:
    local, _, domain_part = value.rpartition("@")
    domain, ascii_domain = _domain(domain_part)
    info = validate_email_local_part(local, allow_smtputf8=True)
    local = info["local_part"].lower()
    ascii_local = info["ascii_local_part"]
    ascii_email = None if ascii_local is None else ascii_local.lower() + "@" + ascii_domain
    if len(ascii_email or value.encode()) > EMAIL_MAX_LENGTH:
        validate_email(value, check_deliverability=False)  # raises its own "too long" message
    return Address(local + "@" + domain, ascii_email)


@lru_cache(maxsize=65536)
def _domain(domain_part: str) -> tuple[str, str]:
    result = validate_email("postmaster@" + domain_part, check_deliverability=False)
    return result.domain, result.ascii_domain


def is_valid(email: str) -> bool:
    try:
        normalise(email)
    except UserError:
        return False
    return True
