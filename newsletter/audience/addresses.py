"""Email addresses: validation (email-validator, no DNS), the normalised form and the SMTP form.

The normalised form is what email-validator returns (Unicode NFC, IDNA-normalised domain) with
the local part lowercased, so ``Ayşe@…`` and ``ayşe@…`` are one person. It is the key for
deduplication and for suppression hashes.

The Turkish capital ``İ`` is the one letter the usual rules get wrong. Python's lower() and
IDNA's UTS-46 mapping both turn it into ``i`` plus U+0307 COMBINING DOT ABOVE, a letter no one
types: "İPEK.YILDIZ@…" typed with Caps Lock on a Turkish keyboard became a mailbox that does
not exist, and "mehmet@İstanbul.example" (a capitalised city in a Turkish Excel export) became
the domain ``xn--istanbul-o0e.example`` instead of ``istanbul.example``. So both parts drop that
dot first: ``İ`` is ``i``, as a Turkish reader means it. No registry of Turkish names (.tr, the
Turkish tables of .com) allows U+0307, so no real domain is lost. Other letters (``ı``, ``ş``,
``ö``…) are letters of their own and stay as written.

Versions before kept the dot; ``earlier_keys`` gives the keys they stored, so people stored or
suppressed under them are still found (``lookups.bring_up_to_date`` then moves the record).

The ASCII form (punycode domain) goes on the SMTP envelope. An address whose local part is not
ASCII has no ASCII form: it is kept, and ``Address.smtputf8`` says the server must offer SMTPUTF8.
"""

from __future__ import annotations

import re
from contextlib import suppress
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
    value = _fold_domain(email.strip())
    if not value:
        raise InvalidAddress(email, "the address is empty")
    try:
        if _SIMPLE.match(value) and (value.isascii() or is_normalized("NFC", value)):
            return _simple(value)
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(email.strip(), str(exc)) from None  # as typed, not as folded
    local = _lower(result.local_part)
    ascii_email = None
    if local.isascii() and result.ascii_domain:
        ascii_email = local + "@" + result.ascii_domain
    return Address(local + "@" + result.domain, ascii_email)


def _fold_domain(value: str) -> str:
    """The address with a Turkish ``İ`` in its domain written ``i`` (see the module docstring)."""
    local, at, domain = value.rpartition("@")
    if not at or ("İ" not in domain and "\u0307" not in domain):
        return value
    # NFC first: "I" + U+0307 is İ; "i" + U+0307 (a lowered İ) has no composed form and stays.
    domain = normalize("NFC", domain).replace("İ", "i").replace("i\u0307", "i")
    return local + "@" + domain


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


def earlier_keys(email: str) -> list[str]:
    """The normalised forms older versions gave ``email``, newest first, where they differ from
    today's: an İ in the local part was lowered with its combining dot kept (until the release
    before this one), an İ in the domain too (until this one). Empty for every other address."""
    value = email.strip()
    local, _, domain = value.rpartition("@")
    dotted_local = "İ" in local or "\u0307" in local
    dotted_domain = "İ" in domain or "\u0307" in domain
    if not (dotted_local or dotted_domain):
        return []
    today = normalise(value).normalised
    today_local, _, today_domain = today.rpartition("@")
    old_domain = today_domain
    if dotted_domain:
        with suppress(EmailNotValidError):  # valid only once folded: never stored the old way
            old_domain = _domain(domain)[0]
    old_local = normalize("NFC", local).lower() if dotted_local else today_local
    forms = [today_local + "@" + old_domain, old_local + "@" + old_domain]
    return [f for f in dict.fromkeys(forms) if f != today]


def earlier_key(email: str) -> str | None:
    """The most recent of ``earlier_keys``, or None."""
    return next(iter(earlier_keys(email)), None)


def lookup_keys(email: str) -> list[str]:
    """The normalised form, then the earlier ones: what lookups look for."""
    return [normalise(email).normalised, *earlier_keys(email)]


def is_valid(email: str) -> bool:
    try:
        normalise(email)
    except UserError:
        return False
    return True
