"""Reading bounce and complaint reports: RFC 3464 delivery status notifications and RFC 5965
feedback reports (ARF), with the standard library's email parser. Pure: bytes in, data out.

A DSN's recipient is a hard bounce when its status is 5.x.x (or, without a status, its action is
"failed"), soft when the status is 4.x.x or the action "delayed"; "delivered", "relayed" and
"expanded" are not bounces and are left out. A feedback report is a complaint unless its type is
"not-spam". A message that is neither kind of report reads as kind "unknown": the caller keeps
it rather than dropping it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parsedate_to_datetime

# Headers that carry the address the report was sent to: our (VERP) envelope sender.
_ENVELOPE_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To", "Return-Path")
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
_TEXT_LIMIT = 500  # diagnostic texts are one line from a server; a page of one is noise


@dataclass(frozen=True)
class ReportedRecipient:
    address: str
    kind: str  # hard | soft | complaint
    code: str  # 5.1.1, or the feedback type
    action: str  # failed | delayed | feedback
    text: str


@dataclass(frozen=True)
class Report:
    key: str  # SHA-256 of the raw bytes: the same report imported twice has the same key
    kind: str  # dsn | arf | unknown
    envelope_to: list[str] = field(default_factory=list)
    original_message_id: str = ""
    original_to: list[str] = field(default_factory=list)
    recipients: list[ReportedRecipient] = field(default_factory=list)
    at: datetime | None = None  # the report's Date (aware UTC), if readable
    subject: str = ""


def parse(data: bytes) -> Report:
    """The report in ``data`` (a whole message, as read from an .eml or maildir file)."""
    key = hashlib.sha256(data).hexdigest()
    msg = message_from_bytes(data, policy=policy.compat32)
    at = _date(msg.get("Date"))
    envelope = _addresses(msg, _ENVELOPE_HEADERS)
    subject = _one_line(str(msg.get("Subject", "")))
    report_type = str(msg.get_param("report-type") or "").lower()
    parts = list(msg.walk())
    original = _original_headers(parts)
    mid = _one_line(str(original.get("Message-ID", ""))) if original is not None else ""
    original_to = _addresses(original, ("To",)) if original is not None else []
    common = {"key": key, "envelope_to": envelope, "original_message_id": mid,
              "original_to": original_to, "at": at, "subject": subject}  # fmt: skip
    if msg.get_content_type() == "multipart/report":
        status = _part(parts, "message/delivery-status")
        if report_type == "delivery-status" or status is not None:
            recipients = _dsn_recipients(status) if status is not None else []
            return Report(kind="dsn", recipients=recipients, **common)
        feedback = _part(parts, "message/feedback-report")
        if feedback is not None:
            return Report(kind="arf", recipients=_complaints(feedback, original_to), **common)
    return Report(kind="unknown", **common)


def _dsn_recipients(part: Message) -> list[ReportedRecipient]:
    found = []
    for block in _field_blocks(part)[1:]:  # the first block is about the whole message
        address = _typed_address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        action = str(block.get("Action", "")).strip().lower()
        status = _STATUS.search(str(block.get("Status", "")))
        code = status.group(0) if status else ""
        text = _one_line(str(block.get("Diagnostic-Code", "")))
        if ";" in text:  # "smtp; 550 5.1.1 ...": the type is ours to know, not to show
            text = text.partition(";")[2].strip()
        kind = _dsn_kind(action, code)
        if address and kind:
            found.append(ReportedRecipient(address, kind, code, action, text[:_TEXT_LIMIT]))
    return found


def _dsn_kind(action: str, code: str) -> str:
    if action in ("delivered", "relayed", "expanded"):
        return ""
    if code.startswith("5"):
        return "hard" if action in ("failed", "") else "soft"
    if code.startswith("4") or action == "delayed":
        return "soft"
    return "hard" if action == "failed" else ""


def _complaints(part: Message, original_to: list[str]) -> list[ReportedRecipient]:
    blocks = _field_blocks(part)
    fields = blocks[0] if blocks else Message()
    kind = str(fields.get("Feedback-Type", "")).strip().lower()
    if kind == "not-spam":
        return []
    named = [_typed_address(v) for v in fields.get_all("Original-Rcpt-To", [])]
    addresses = [a for a in named if a] or original_to
    text = _one_line(str(fields.get("User-Agent", "") or fields.get("Reported-Domain", "")))
    code = kind or "abuse"
    return [ReportedRecipient(a, "complaint", code, "feedback", text) for a in addresses]


def _field_blocks(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser split the blocks into messages
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    parser = HeaderParser(policy=policy.compat32)
    chunks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [parser.parsestr(chunk) for chunk in chunks if chunk.strip()]


def _original_headers(parts: list[Message]) -> Message | None:
    """The returned message's headers: a message/rfc822 part or a text/rfc822-headers part."""
    for part in parts:
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
            return HeaderParser(policy=policy.compat32).parsestr(text)
    return None


def _part(parts: list[Message], content_type: str) -> Message | None:
    return next((p for p in parts if p.get_content_type() == content_type), None)


def _typed_address(value: object) -> str:
    """``rfc822; someone@example.org`` -> ``someone@example.org``."""
    text = _one_line(str(value or ""))
    address = text.partition(";")[2] if ";" in text else text
    return address.strip().strip("<>").strip()


def _addresses(msg: Message, headers: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for name in headers:
        values = [_one_line(str(v)) for v in msg.get_all(name, [])]
        for _, address in getaddresses(values):
            if address and address not in found:
                found.append(address)
    return found


def _date(value: object) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def _one_line(value: str) -> str:
    """Folded header text on one line, control characters out (it is shown and stored)."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())
