"""Header lines built right: RFC 2047 encoding, folding within 78 characters, no injection.

Non-ASCII subjects and names become RFC 2047 encoded words of at most 75 characters, the first
sized to fit after the header name, so no header name is ever left alone on its line; ASCII
values are folded at their spaces. Addresses go through ``email.headerregistry`` (or a fast
path for dot-atom addresses that gives the same result). A CR, LF or NUL in any value is
refused with a UserError naming the header, so no value can add a header of its own.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from functools import lru_cache

from newsletter.core.errors import UserError

_LINE = 78  # RFC 5322's recommended limit, without the CRLF
_WORD = 75  # RFC 2047: an encoded word is at most 75 characters
_SMTPUTF8 = policy.SMTPUTF8.clone(max_line_length=_LINE)
_BEFORE_SPACE = re.compile(r"(?<=[^ \t])(?=[ \t])")  # where a fold may go: before whitespace
# RFC 2047 section 5 (3): what a Q-encoded word may carry as itself, also inside a phrase.
_Q_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/"
_Q_PLAIN = _Q_SAFE + b" "  # a space is one character too, "_"
_Q_MAP = [chr(b) if b in _Q_SAFE else "_" if b == 32 else f"={b:02X}" for b in range(256)]
_URL_CHARS = re.compile(r"[!#-;=?-Z_a-z~\[\]]+\Z")  # visible ASCII except < > " \ ^ ` { | }
_DOT_ATOM = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z"
)
_LIST_ID = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+\Z")
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


def fold(name: str, value: str) -> bytes:
    """An unstructured header (Subject, Feedback-ID...) folded within 78 characters.

    Plain ASCII is folded at its spaces, never right after the header name (a single word
    longer than a line stays whole: RFC 5322 allows 998). Anything else becomes RFC 2047
    encoded words of at most 75 characters, the first of them sized to fit after the name.
    """
    check_value(name, value)
    if value.isascii():
        line = _fold_words(name, value)
        if max(len(part) for part in line.split("\r\n")) <= 998:
            return line.encode("ascii")
    return _encoded_line(name, value, "")


def _fold_words(name: str, value: str) -> str:
    """``name: value`` folded before the whitespace that follows a word, greedily."""
    first = f"{name}: {value}"
    if len(first) <= _LINE:
        return first + "\r\n"
    tokens = _BEFORE_SPACE.split(value)
    lines = [f"{name}: {tokens[0]}"]
    for token in tokens[1:]:
        if token.isspace() or len(lines[-1]) + len(token) <= _LINE:
            lines[-1] += token  # trailing whitespace alone cannot be a line of its own
        else:
            lines.append(token)
    return "\r\n".join(lines) + "\r\n"


@lru_cache(maxsize=4096)
def _encoded_line(name: str, text: str, angle: str) -> bytes:
    """Encoded words (then ``<angle>`` when given) folded within 78 characters."""
    head = f"{name}:"
    lines = [head]
    for word in _encoded_words(text, _LINE - len(head) - 1):
        if len(lines[-1]) + 1 + len(word) > _LINE and lines[-1] != head:
            lines.append("")  # never right after the name: the first word is sized to fit
        lines[-1] += " " + word
    if angle:
        tail = f"<{angle}>"
        if len(lines[-1]) + 1 + len(tail) > _LINE:
            lines.append("")
        lines[-1] += " " + tail
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _encoded_words(text: str, first: int) -> list[str]:
    """RFC 2047 words for ``text``: each at most 75 characters (the first at most ``first``),
    split after a space where possible, never inside a character.

    The whitespace between two encoded words is not part of the text (RFC 2047 section 6.2),
    so each space stays inside the word before it. Q is used when it is shorter than B (text
    that is mostly ASCII, and stays readable in the raw message), as ``email.charset`` does.
    """
    data = text.encode("utf-8")
    q = len(data) + 2 * len(data.translate(None, _Q_PLAIN)) <= 4 * -(-len(data) // 3)
    size = _q_size if q else len
    tokens = [w + " " for w in text.split(" ")]
    tokens[-1] = tokens[-1][:-1]
    words: list[str] = []
    chunk: list[str] = []
    used, limit = 0, min(_WORD, max(first, 24))  # 24: any one character fits
    for token in tokens:
        need = size(token.encode("utf-8"))
        if chunk and not _fits(used + need, q, limit):
            words.append(_word("".join(chunk), q))  # split after a space
            chunk, used, limit = [], 0, _WORD
        if _fits(used + need, q, limit):
            chunk.append(token)
            used += need
            continue
        for char in token:  # one word alone is longer than an encoded word may be
            need = size(char.encode("utf-8"))
            if chunk and not _fits(used + need, q, limit):
                words.append(_word("".join(chunk), q))
                chunk, used, limit = [], 0, _WORD
            chunk.append(char)
            used += need
    if chunk or not words:
        words.append(_word("".join(chunk), q))
    return words


def _q_size(data: bytes) -> int:
    return len(data) + 2 * len(data.translate(None, _Q_PLAIN))


def _fits(used: int, q: bool, limit: int) -> bool:
    """Does an encoded word of ``used`` Q characters (or B bytes) fit in ``limit``?"""
    return 12 + (used if q else 4 * -(-used // 3)) <= limit


def _word(text: str, q: bool) -> str:
    data = text.encode("utf-8")
    if q:
        return "=?utf-8?q?" + "".join([_Q_MAP[b] for b in data]) + "?="
    return "=?utf-8?b?" + binascii.b2a_base64(data, newline=False).decode() + "?="


def phrase_header(name: str, phrase: str, angle: str) -> bytes:
    """``phrase <angle>`` (List-Id, From): the phrase encoded, the angle part left readable."""
    check_value(name, phrase)
    check_value(name, angle)
    if phrase.isascii():
        value = f"{_quote_phrase(phrase)} <{angle}>" if phrase else f"<{angle}>"
        return _fold_words(name, value).encode("ascii")
    return _encoded_line(name, phrase, angle)


def list_id(base: str, slug: str, name: str) -> str:
    """RFC 2919's List-Id of one list: ``name <slug.NAMESPACE>``, NAMESPACE being the angle
    part of the configured value (``sending.list_id``; by default ``lists.DOMAIN``)."""
    return f"{name} <{slug}.{list_namespace(base)}>"


def list_namespace(value: str) -> str:
    """``bulten.example.org`` of ``Bülten <bulten.example.org>`` (or of the bare id)."""
    return value.rpartition("<")[2].strip().removesuffix(">").strip()


def list_id_line(value: str) -> bytes:
    """The List-Id header of ``phrase <id>``; the id must be a dot-atom (RFC 2919)."""
    check_value("List-Id", value)
    phrase, _, angle = value.rpartition("<")
    angle = angle.strip().removesuffix(">").strip()
    if not _LIST_ID.match(angle):
        raise UserError(f"List-Id: {angle!r} is not a list id like 'monthly.lists.example.org'")
    return phrase_header("List-Id", phrase.strip(), angle)


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
        return _SMTPUTF8.fold(field, str(addr)).encode("utf-8")
    if name and not name.isascii():
        return phrase_header(field, name, addr.addr_spec)
    return _fold_words(field, str(addr)).encode("ascii")


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
