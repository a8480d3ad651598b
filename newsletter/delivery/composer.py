"""One recipient's complete message for a frozen issue: personal links, bodies, DKIM, envelope.

Built once per send from the issue's snapshots (one ``MessageTemplate`` and one
``Personaliser`` per language); ``compose`` is then called once per recipient. Pure: no
database, no network, time passed in.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import astuple, dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from newsletter.audience.tokens import archive_key
from newsletter.core.errors import UserError
from newsletter.delivery.dkim_sign import DkimSigner, load_signer
from newsletter.delivery.headers import mailbox
from newsletter.delivery.link_tokens import TokenMaker
from newsletter.delivery.message import (
    MessageTemplate,
    QuotedPrintable,
    check_value,
    join_qp,
    message_id,
    qp,
    settings_from_config,
    verp_address,
)
from newsletter.rendering import personalise

if TYPE_CHECKING:
    from newsletter.core.config import Config
    from newsletter.core.models import IssueSnapshot

TEST_HEADER = ("X-Newsletter-Test", "proof: not sent to the list")
_SLOT = re.compile("\ue100(\\d)\ue101")
_PROBE = 'A&B <"x"> ‘ş’  ğ'
Variant = tuple[list[bytes], list[int], list[bytes], list[int]]


class FastBodies:
    """Both parts of one language as quoted-printable, encoding only personal values per person.

    For each combination of empty and non-empty fields (the personaliser's variants), the
    parts are filled once with placeholders and their shared pieces encoded once; a recipient
    costs the encoding of a few short values. Each variant is checked against the
    personaliser's own output first and, should they ever differ, that variant is filled
    and encoded in full instead.
    """

    def __init__(self, personaliser: personalise.Personaliser) -> None:
        self.personaliser = personaliser
        self.variants: dict[tuple[bool, ...], Variant | None] = {}
        self.text_qp, self.html_qp = QuotedPrintable(), QuotedPrintable()

    def encode(self, fields: personalise.PersonalFields) -> tuple[bytes, bytes]:
        """(text, html) quoted-printable for one recipient."""
        values = _fields(fields)
        present = tuple(bool(v) for v in values)
        if present not in self.variants:
            self.variants[present] = self._compile(present)
        variant = self.variants[present]
        if variant is None:
            html, text = self.personaliser.fill(fields)
            return self.text_qp.encode(text), self.html_qp.encode(html)
        text_parts, text_slots, html_parts, html_slots = variant
        escaped = [escape(v) for v in values]
        return _join(text_parts, text_slots, values), _join(html_parts, html_slots, escaped)

    def _compile(self, present: tuple[bool, ...]) -> Variant | None:
        holders = [f"\ue100{i}\ue101" if on else "" for i, on in enumerate(present)]
        html, text = self.personaliser.fill(personalise.PersonalFields(*holders))
        text_parts, text_slots = _split(text)
        html_parts, html_slots = _split(html)
        variant = (text_parts, text_slots, html_parts, html_slots)
        probe = personalise.PersonalFields(*[_PROBE if on else "" for on in present])
        real_html, real_text = self.personaliser.fill(probe)
        values = _fields(probe)
        fast_text = _join(text_parts, text_slots, values)
        fast_html = _join(html_parts, html_slots, [escape(v) for v in values])
        same = _decoded(fast_text) == _crlf(real_text) and _decoded(fast_html) == _crlf(real_html)
        return variant if same else None


def _fields(fields: personalise.PersonalFields) -> list[str]:
    values = (
        fields.name,
        fields.email,
        fields.unsubscribe_url,
        fields.preferences_url,
        fields.view_online_url,
    )
    if len(values) != len(personalise.FIELDS):
        values = astuple(fields)
    return [" ".join(v.split()) for v in values]


def _split(filled: str) -> tuple[list[bytes], list[int]]:
    pieces = _SLOT.split(filled)
    return [qp(p) for p in pieces[0::2]], [int(i) for i in pieces[1::2]]


def _join(parts: list[bytes], slots: list[int], values: list[str]) -> bytes:
    pieces = [parts[0]]
    for n, field in enumerate(slots):
        pieces.append(qp(values[field]))
        pieces.append(parts[n + 1])
    return join_qp(pieces)


def _decoded(data: bytes) -> str:
    return quopri.decodestring(data).decode("utf-8")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    subscriber_id: int | None
    list_id: int | None
    email: str  # normalised: shown in the To header and the text
    envelope: str  # ASCII form when there is one
    name: str
    language: str
    attempts: int = 0


@dataclass(frozen=True)
class Composed:
    envelope_from: str
    recipient: str
    data: bytes
    message_id: str


def base_url(config: Config) -> str:
    url = config.public.base_url.rstrip("/")
    check_value("public.base_url", url)
    if not url.startswith(("https://", "http://")):
        raise UserError(f"public.base_url: not an http(s) URL: {url!r}")
    return url


def envelope_sender(config: Config) -> str:
    """The Return-Path address, checked: a bad one would only show up as bounces lost."""
    key = "sending.envelope_sender" if config.sending.envelope_sender else "sending.from_address"
    address = config.sending.envelope_sender or config.sending.from_address
    try:
        return mailbox(key, address).addr_spec
    except ValueError as exc:  # the email package's own refusal of a malformed part
        raise UserError(f"{key}: not an email address: {address!r} ({exc})") from None


class Composer:
    """Messages of one issue: shared parts prepared once, personal parts per recipient."""

    def __init__(
        self,
        config: Config,
        issue_id: int,
        snapshots: list[IssueSnapshot],
        default_language: str,
        test: bool = False,
    ) -> None:
        if not snapshots:
            raise UserError(f"issue {issue_id} has no rendered snapshot to send")
        self.issue_id = issue_id
        self.secret = config.secret_key
        self.tokens = TokenMaker(self.secret)
        # The same for everyone: opens the web version even when no public list got the issue.
        self.view_url = personalise.archive_url(
            base_url(config), issue_id, archive_key(self.secret, issue_id)
        )
        self.base = base_url(config)
        self.settings = settings_from_config(config)
        self.sender = envelope_sender(config)
        self.verp = config.sending.verp
        self.signer: DkimSigner | None = load_signer(config)
        self.test = test
        extra = (TEST_HEADER,) if test else ()
        self.parts: dict[str, tuple[MessageTemplate, FastBodies]] = {}
        for snap in snapshots:
            subject = f"[TEST] {snap.subject}" if test else snap.subject
            template = MessageTemplate(self.settings, subject, extra, list_headers=True)
            bodies = FastBodies(personalise.compile_parts(snap.html, snap.text))
            self.parts[snap.language] = (template, bodies)
        self.default = default_language if default_language in self.parts else snapshots[0].language

    def fields(self, r: Recipient, now: datetime) -> personalise.PersonalFields:
        view = self.view_url
        if r.subscriber_id is None:  # a proof: no personal links that could unsubscribe anyone
            return personalise.PersonalFields(
                name=r.name,
                email=r.email,
                unsubscribe_url=f"{self.base}/unsubscribe/TEST",
                preferences_url=f"{self.base}/preferences/TEST",
                view_online_url=view,
            )
        unsub = self.tokens.make("unsubscribe", r.subscriber_id, r.list_id, now)
        prefs = self.tokens.make("preferences", r.subscriber_id, None, now)
        return personalise.PersonalFields(
            name=r.name,
            email=r.email,
            unsubscribe_url=f"{self.base}/unsubscribe/{unsub}",
            preferences_url=f"{self.base}/preferences/{prefs}",
            view_online_url=view,
        )

    def message_id(self, r: Recipient) -> str:
        return message_id(self.settings.domain, self.issue_id, r.delivery_id)

    def compose(self, r: Recipient, now: datetime, mid: str | None = None) -> Composed:
        template, bodies = self.parts.get(r.language) or self.parts[self.default]
        fields = self.fields(r, now)
        text_qp, html_qp = bodies.encode(fields)
        mid = mid or self.message_id(r)
        built = template.build_encoded(
            to_email=r.envelope if r.envelope.isascii() else r.email,
            to_name=r.name,
            message_id=mid,
            date=now,
            text_qp=text_qp,
            html_qp=html_qp,
            unsubscribe_url="" if self.test else fields.unsubscribe_url,
        )
        data = self.signer.sign(built.data) if self.signer else built.data
        sender = self.sender
        if self.verp and r.delivery_id:
            sender = verp_address(self.sender, self.secret, r.delivery_id)
        return Composed(sender, r.envelope, data, mid)
