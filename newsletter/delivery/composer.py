"""One recipient's complete message for a frozen issue: personal links, bodies, DKIM, envelope.

Built once per send from the issue's snapshots (one ``MessageTemplate`` and one
``Personaliser`` per language); ``compose`` is then called once per recipient. Pure: no
database, no network, time passed in.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

import dkim

from newsletter.audience.tokens import archive_key
from newsletter.core.errors import UserError
from newsletter.core.safe_text import problem
from newsletter.delivery.headers import list_id
from newsletter.delivery.link_tokens import TokenMaker
from newsletter.delivery.message import (
    MessageTemplate,
    QuotedPrintable,
    join_qp,
    message_id,
    qp,
    verp_address,
)
from newsletter.delivery.send_settings import MessageSettings
from newsletter.rendering import personalise

if TYPE_CHECKING:
    from newsletter.core.models import IssueSnapshot, MailingList

TEST_HEADER = ("X-Newsletter-Test", "proof: not sent to the list")
_SLOT = re.compile("\ue100(\\d)\ue101")
_PROBE = 'A&B <"x"> ‘ş’  ğ'
Variant = tuple[list[bytes], list[int], list[bytes], list[int]]
# What no message can carry in a name or an address: line breaks and other control characters,
# line separators, lone surrogates (a tab in a name is only a space). Bidi controls are refused
# where names are typed in (safe_text); in a person's own To header they break nothing.
_UNRENDERABLE_NAME = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_UNRENDERABLE_EMAIL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


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


def unusable(r: Recipient) -> str:
    """Why this person's stored name or address cannot go into a message ("" if it can).

    A line break or control character that slipped into the database (an old import, a direct
    edit) must fail this one recipient with the field named, never the whole send."""
    for field, value, pattern in (
        ("name", r.name, _UNRENDERABLE_NAME),
        ("email", r.email, _UNRENDERABLE_EMAIL),
        ("email", r.envelope, _UNRENDERABLE_EMAIL),
    ):
        found = pattern.search(value)
        if found:
            char = found.group()
            what = problem(char) or f"contains the character U+{ord(char):04X}"
            return (
                f"the subscriber's {field} {what}: correct it ('newsletter subscribers "
                "edit'), then 'newsletter issues retry-failed'"
            )
    return ""


class Composer:
    """Messages of one issue: shared parts prepared once, personal parts per recipient."""

    def __init__(
        self,
        settings: MessageSettings,
        issue_id: int,
        snapshots: list[IssueSnapshot],
        default_language: str,
        test: bool = False,
        lists: Iterable[MailingList] = (),
    ) -> None:
        """``lists``: the lists of the send, each of whose members gets that list's List-Id
        (RFC 2919); a recipient of no list given here (a proof) gets the configured one."""
        if not snapshots:
            raise UserError(f"issue {issue_id} has no rendered snapshot to send")
        self.issue_id = issue_id
        self.secret = settings.secret
        self.tokens = TokenMaker(self.secret)
        self.base = settings.base_url
        # One per edition, the same for all its readers: the key opens the web version even when
        # no public list got the issue, and ``lang`` keeps the reader's edition.
        key = archive_key(self.secret, issue_id)
        own = default_language
        self.view_urls = {
            snap.language: personalise.archive_url(
                self.base, issue_id, key, lang="" if snap.language == own else snap.language
            )
            for snap in snapshots
        }
        self.settings = settings.headers
        self.sender = settings.envelope_sender
        self.verp = settings.verp
        self.signer = settings.signer
        self.test = test
        self.list_ids = {
            m.id: list_id(self.settings.list_id, m.slug, m.name)
            for m in lists
            if m.id is not None and self.settings.list_id
        }
        extra = (TEST_HEADER,) if test else ()
        self.parts: dict[str, tuple[MessageTemplate, FastBodies]] = {}
        for snap in snapshots:
            subject = f"[TEST] {snap.subject}" if test else snap.subject
            template = MessageTemplate(self.settings, subject, extra, list_headers=True)
            bodies = FastBodies(personalise.compile_parts(snap.html, snap.text))
            self.parts[snap.language] = (template, bodies)
        self.default = default_language if default_language in self.parts else snapshots[0].language

    def fields(self, r: Recipient, now: datetime) -> personalise.PersonalFields:
        view = self.view_urls.get(r.language) or self.view_urls[self.default]
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
        """One recipient's message; a UserError (naming the field) when it cannot be built."""
        why = unusable(r)
        if why:
            raise UserError(why)
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
            list_id=self.list_ids.get(r.list_id, ""),
        )
        data = self._signed(built.data) if self.signer else built.data
        sender = self.sender
        if self.verp and r.delivery_id:
            sender = verp_address(self.sender, self.secret, r.delivery_id)
        return Composed(sender, r.envelope, data, mid)

    def _signed(self, data: bytes) -> bytes:
        assert self.signer is not None
        try:
            return self.signer.sign(data)
        except dkim.DKIMException as exc:  # a header dkimpy cannot parse: this message only
            raise UserError(f"DKIM signing failed: {exc}") from None
