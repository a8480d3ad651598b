"""Matching bounce and complaint reports to our deliveries and people, and recording them.

Three ways, in this order: the VERP envelope sender the report was returned to (``bounces+ID.
SIG@…``, signed, so it cannot be forged: ``sending.verp``), the original Message-ID quoted in the
report (deliveries store the one they were sent with), and the reported recipient's address. A
report matching none of them is kept in ``unmatched_reports``. Every record carries the report's
key, so a report imported twice records nothing new. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from newsletter.audience import bounce_rules, lookups
from newsletter.core.errors import UserError
from newsletter.core.models import BounceEvent, Delivery, Subscriber, UnmatchedReport
from newsletter.delivery.bounce_reports import Report, ReportedRecipient
from newsletter.delivery.message import read_verp


@dataclass(frozen=True)
class Outcome:
    """One line of `bounces import`: what a recipient of a report became."""

    source: str
    recipient: str
    kind: str
    code: str
    status: str  # recorded | unmatched | already imported
    matched_by: str = ""
    subscriber: str = ""
    effect: str = ""


def record(
    session: Session, report: Report, source: str, secret: str, rules: bounce_rules.Rules,
    now: datetime,
) -> list[Outcome]:  # fmt: skip
    """Record every recipient of ``report``; a report naming no recipient is kept unmatched."""
    at = report.at or now
    delivery, how = _delivery(session, report, secret)
    recipients = report.recipients or [ReportedRecipient("", _kind(report), "", "", "")]
    outcomes = []
    for index, rcpt in enumerate(recipients):
        key = f"{report.key}:{index}"
        if _seen(session, key):
            outcomes.append(Outcome(source, rcpt.address, rcpt.kind, rcpt.code, "already imported"))
            continue
        person, by, linked = _person(session, rcpt, delivery, how, len(recipients))
        if person is None:
            session.add(UnmatchedReport(
                report_key=key, kind=rcpt.kind, code=rcpt.code, action=rcpt.action,
                text=rcpt.text or report.subject, recipient=rcpt.address,
                original_message_id=report.original_message_id, source=source, at=at,
                created_at=now,
            ))  # fmt: skip
            session.flush()
            outcomes.append(Outcome(source, rcpt.address, rcpt.kind, rcpt.code, "unmatched"))
            continue
        event = BounceEvent(
            report_key=key, subscriber_id=person.id or 0, kind=rcpt.kind, code=rcpt.code,
            delivery_id=linked.id if linked else None,
            issue_id=linked.issue_id if linked else None, action=rcpt.action, text=rcpt.text,
            recipient=rcpt.address, matched_by=by, source=source, at=at, created_at=now,
        )  # fmt: skip
        session.add(event)
        event.effect = bounce_rules.apply(session, secret, person, event, rules)
        session.add(event)
        session.flush()
        outcomes.append(Outcome(source, rcpt.address, rcpt.kind, rcpt.code, "recorded", by,
                                person.email, event.effect))  # fmt: skip
    return outcomes


def _kind(report: Report) -> str:
    return {"dsn": "hard", "arf": "complaint"}.get(report.kind, "unknown")


def _seen(session: Session, key: str) -> bool:
    for model in (BounceEvent, UnmatchedReport):
        if session.exec(select(model.id).where(model.report_key == key)).first() is not None:
            return True
    return False


def _delivery(session: Session, report: Report, secret: str) -> tuple[Delivery | None, str]:
    """The delivery the whole report is about, by VERP address or original Message-ID."""
    for address in report.envelope_to:
        ident = read_verp(address, secret) if "+" in address else None
        found = session.get(Delivery, ident) if ident else None
        if found is not None:
            return found, "verp"
    if report.original_message_id:
        query = select(Delivery).where(Delivery.message_id == report.original_message_id)
        found = session.exec(query).first()
        if found is not None:
            return found, "message_id"
    return None, ""


def _person(
    session: Session, rcpt: ReportedRecipient, delivery: Delivery | None, how: str, count: int
) -> tuple[Subscriber | None, str, Delivery | None]:
    """The person a recipient line is about, how we know, and their delivery if known."""
    by_address = _by_address(session, rcpt.address)
    if delivery is not None and delivery.subscriber_id is not None:
        person = session.get(Subscriber, delivery.subscriber_id)
        # We send one recipient per message, so the delivery names the person; a report listing
        # several recipients is trusted for the one whose address is the delivery's.
        if person is not None and (count == 1 or by_address is None or by_address.id == person.id):
            return person, how, delivery
    if by_address is None:
        return None, "", None
    same = delivery is not None and delivery.subscriber_id == by_address.id
    return by_address, "recipient", delivery if same else None


def _by_address(session: Session, address: str) -> Subscriber | None:
    if not address:
        return None
    try:
        return lookups.find(session, address)
    except UserError:  # not an address we could ever have stored
        return None
