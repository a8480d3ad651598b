"""Email addresses: validation (email-validator, no DNS), the normalised form and the SMTP form.

The normalised form is what email-validator returns (Unicode NFC, IDNA-normalised domain, so
``İSTANBUL.example`` and ``i̇stanbul.example`` are the same domain) with the local part
lowercased, so ``Ayşe@…`` and ``ayşe@…`` are one person. It is the key for deduplication and
for suppression hashes. Python's lower() turns the Turkish ``İ`` into ``i`` plus a combining
dot (U+0307), a letter no one types: "İPEK.YILDIZ@…" from a Turkish keyboard with Caps Lock
became a mailbox that does not exist. The local part drops that dot, so ``İPEK@…`` is
``ipek@…``. Versions before kept it; ``earlier_key`` gives that old key, so people stored or
suppressed under it are still found.

The ASCII form (punycode domain) goes on the SMTP envelope. An address whose local part is not
ASCII has no ASCII form: it is kept, and ``Address.smtputf8`` says the server must offer SMTPUTF8.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from unicodedata import is_normalized, normalize

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
    local = _lower(result.local_part)
    ascii_email = None
    if local.isascii() and result.ascii_domain:
        ascii_email = local + "@" + result.ascii_domain
    return Address(local + "@" + result.domain, ascii_email)


def _lower(local: str) -> str:
    """Lower case without the stray dot of a lowered İ ("İPEK" gives "ipek", not "i̇pek")."""
    return local.lower().replace("i\u0307", "i")


def _simple(value: str) -> Address:
    local, _, domain_part = value.rpartition("@")
    domain, ascii_domain = _domain(domain_part)
    info = validate_email_local_part(local, allow_smtputf8=True)
    local = _lower(info["local_part"])
    ascii_email = local + "@" + ascii_domain if local.isascii() else None
    if len(ascii_email or value.encode()) > EMAIL_MAX_LENGTH:
        validate_email(value, check_deliverability=False)  # raises its own "too long" message
    return Address(local + "@" + domain, ascii_email)


@lru_cache(maxsize=65536)
def _domain(domain_part: str) -> tuple[str, str]:
    result = validate_email("postmaster@" + domain_part, check_deliverability=False)
    return result.domain, result.ascii_domain


def earlier_key(email: str) -> str | None:
    """The normalised form older versions gave ``email``, when it differs from today's (its
    local part had an İ, lowered with the combining dot kept); None for every other address."""
    local = email.strip().rpartition("@")[0]
    if "İ" not in local and "\u0307" not in local:
        return None
    today = normalise(email).normalised
    before = normalize("NFC", local).lower() + "@" + today.rpartition("@")[2]
    return None if before == today else before


def lookup_keys(email: str) -> list[str]:
    """The normalised form, then the earlier one if there is one: what lookups look for."""
    earlier = earlier_key(email)
    return [normalise(email).normalised, *([earlier] if earlier else [])]


def is_valid(email: str) -> bool:
    try:
        normalise(email)
    except UserError:
        return False
    return True
