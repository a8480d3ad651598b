"""Header lines built right: RFC 2047 encoding, folding within 78 characters, no injection.

Values always go through ``email.header`` / ``email.policy`` / ``email.headerregistry`` (or a
fast path for plain ASCII words and dot-atom addresses that gives the same result); a CR, LF or
NUL in any value is refused with a UserError naming the header, so no value can add a header
of its own.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.headerregistry import Address
from functools import lru_cache

from newsletter.core.errors import UserError

_SMTP = policy.SMTP.clone(max_line_length=78)
_SMTPUTF8 = policy.SMTPUTF8.clone(max_line_length=78)
_URL_CHARS = re.compile(r"[!#-;=?-Z_a-z~\[\]]+\Z")  # visible ASCII except < > " \ ^ ` { | }
_DOT_ATOM = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z"
)
# What ends a header line for a mail reader or Python's email package, and lone surrogates.
_UNSAFE = re.compile("[\r\n\x00\x0b\x0c\x1c-\x1e\x85\u2028\u2029\ud800-\udfff]")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+\Z")  # atoms: no quoting needed


@dataclass(frozen=True)
class HeaderSettings:
    """What every message of this installation carries (``send_settings.header_settings`` builds
    it from [sending] and [organisation])."""

    from_address: str
    from_name: str = ""
    reply_to: str = ""
    list_id: str = ""
    feedback_id: str = ""
    unsubscribe_mailto: str = ""
    message_id_domain: str = ""

    @property
    def domain(self) -> str:
        return self.message_id_domain or self.from_address.rpartition("@")[2]


def check_value(field: str, value: str) -> str:
    """Refuse CR, LF and NUL: they would end the header and let the value add its own. The other
    characters Python's email package splits lines at (VT, FF, U+0085, U+2028...) are refused
    too, and lone surrogates, which cannot be encoded: each would break the message for one
    recipient halfway through building it."""
    found = _UNSAFE.search(value)
    if found is None:
        return value
    char = found.group()
    if char in "\r\n\x00":
        raise UserError(f"{field}: line breaks are not allowed in a header value ({value!r})")
    raise UserError(
        f"{field}: the character U+{ord(char):04X} is not allowed in a header value ({value!r})"
    )


def fold(name: str, value: str, utf8: bool = False) -> bytes:
    """One header, RFC 2047-encoded where needed and folded within 78 characters.

    Non-ASCII text goes through ``email.header.Header``: the policy folder of Python 3.11
    leaves short non-ASCII values unencoded.
    """
    check_value(name, value)
    if value.isascii() or utf8:
        return (_SMTPUTF8 if utf8 else _SMTP).fold(name, value).encode("utf-8")
    return f"{name}: {_encoded(name, value)}\r\n".encode("ascii")


@lru_cache(maxsize=4096)
def _encoded(name: str, value: str) -> str:
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n", maxlinelen=78)


def phrase_header(name: str, phrase: str, angle: str) -> bytes:
    """``phrase <angle>`` (List-Id, From): the phrase encoded, the angle part left readable."""
    check_value(name, phrase)
    check_value(name, angle)
    if phrase.isascii():
        return fold(name, f"{_quote_phrase(phrase)} <{angle}>" if phrase else f"<{angle}>")
    return _phrase_line(name, phrase, angle)


@lru_cache(maxsize=4096)
def _phrase_line(name: str, phrase: str, angle: str) -> bytes:
    lines = [f"{name}:"]
    for word in [*_phrase_words(phrase), f"<{angle}>"]:
        if len(lines[-1]) + 1 + len(word) > 78:
            lines.append("")
        lines[-1] += " " + word
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _phrase_words(phrase: str) -> list[str]:
    """Encoded words for a display name, split after its spaces where it can be.

    A space between two encoded words is dropped by RFC 2047 decoders, so each space stays
    inside the word before it; a split is needed inside a word only when one word alone is
    longer than an encoded word may be (75 characters).
    """
    tokens = [w + " " for w in phrase.split(" ")]
    tokens[-1] = tokens[-1][:-1]
    words: list[str] = []
    chunk = ""
    for token in tokens:
        if chunk and len(_b_word(chunk + token)) > 75:
            words.append(_b_word(chunk))  # split after a space
            chunk = ""
        for char in token:
            if chunk and len(_b_word(chunk + char)) > 75:
                words.append(_b_word(chunk))  # one word alone is too long
                chunk = ""
            chunk += char
    if chunk:
        words.append(_b_word(chunk))
    return words


def _b_word(text: str) -> str:
    return "=?utf-8?b?" + binascii.b2a_base64(text.encode("utf-8"), newline=False).decode() + "?="


def _quote_phrase(phrase: str) -> str:
    return str(Address(display_name=phrase, username="x", domain="y")).rpartition(" <")[0]


def _address(field: str, name: str, email: str) -> Address:
    check_value(field, name)
    check_value(field, email)
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or " " in email:
        raise UserError(f"{field}: not an email address: {email!r}")
    try:
        domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError as exc:
        raise UserError(f"{field}: domain {domain!r} cannot be encoded ({exc})") from None
    return Address(display_name=name, username=local, domain=domain)


def mailbox(field: str, email: str) -> Address:
    """An address alone (no display name), its domain in ASCII form; refused when malformed."""
    return _address(field, "", email)


def address_header(field: str, name: str, email: str) -> bytes:
    """From/To/Reply-To with the display name RFC 2047-encoded, the address in ASCII form.

    The name is always given to the folder as an encoded word when it is not plain ASCII:
    Python's folder leaves non-ASCII inside quoted strings unencoded.
    """
    check_value(field, name)
    name = " ".join(name.split())  # runs of spaces and tabs mean nothing in a display name
    fast = _plain_address_header(field, name, email)
    if fast is not None:
        return fast
    addr = _address(field, name, email)
    if not addr.username.isascii():
        return fold(field, str(addr), utf8=True)
    if name and not name.isascii():
        return phrase_header(field, name, addr.addr_spec)
    return fold(field, str(addr))


def _plain_address_header(field: str, name: str, email: str) -> bytes | None:
    """The common case without the email package's parser: a dot-atom address and a name
    of plain words (or a name that is encoded anyway). None: take the general path."""
    if not _DOT_ATOM.match(email):
        return None
    if not name:
        line = f"{field}: {email}\r\n"
    elif _PLAIN_NAME.match(name) and name.strip() == name:
        line = f"{field}: {name} <{email}>\r\n"
    elif not name.isascii():
        return phrase_header(field, name, email)
    else:
        return None
    return line.encode("ascii") if len(line) <= 80 else None


def needs_smtputf8(email: str) -> bool:
    return not email.rpartition("@")[0].isascii()


def check_url(field: str, url: str) -> str:
    if not _URL_CHARS.match(url):
        raise UserError(f"{field}: not a usable URL in a header: {url!r}")
    return url
