"""A person's data on request (GDPR art. 15, KVKK art. 11) and its erasure (art. 17 / art. 7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from newsletter.audience import consent, lists, suppression
from newsletter.audience.addresses import normalise
from newsletter.audience.lookups import as_record, find, get
from newsletter.core.models import (
    BounceEvent,
    ConsentRecord,
    Delivery,
    MailJob,
    Subscriber,
    Subscription,
)


def person_data(session: Session, email: str) -> dict[str, Any]:
    """Everything stored about a person (GDPR art. 15, KVKK art. 11), as plain data."""
    person = get(session, email)
    slugs = {m.id: m.slug for m in lists.all_lists(session)}
    subs = session.exec(select(Subscription).where(Subscription.subscriber_id == person.id))
    deliveries = session.exec(
        select(Delivery).where(Delivery.subscriber_id == person.id).order_by(Delivery.id)
    )
    jobs = session.exec(select(MailJob).where(MailJob.subscriber_id == person.id))
    bounces = session.exec(
        select(BounceEvent).where(BounceEvent.subscriber_id == person.id).order_by(BounceEvent.id)
    )
    return {
        "subscriber": as_record(person, frozenset({"search_text"})),
        "subscriptions": [as_record(s) | {"list": slugs.get(s.list_id)} for s in subs],
        "consent": [
            as_record(c) | {"list": slugs.get(c.list_id) if c.list_id else None}
            for c in consent.history(session, person.id or 0)
        ],
        "deliveries": [as_record(d) for d in deliveries],
        "mail_jobs": [as_record(j) for j in jobs],
        "bounces": [as_record(b) for b in bounces],
    }


def erase(
    session: Session, secret: str, email: str, now: datetime, source: str = "admin"
) -> dict[str, Any]:
    """Delete a person's data and keep only the suppression hash (GDPR art. 17, KVKK art. 7).

    Deliveries stay for the send statistics but lose their link to the person.
    """
    address = normalise(email)
    person = find(session, email)
    removed = {"subscriptions": 0, "consent_records": 0, "deliveries_unlinked": 0}
    if person is not None:
        removed = _delete_person(session, person)
    suppression.add_hash(
        session, suppression.hash_normalised(secret, address.normalised), "erased", now
    )
    consent.record(session, event="erased", now=now, subscriber_id=None, source=source)
    session.flush()
    return {"found": person is not None, **removed}


def _delete_person(session: Session, person: Subscriber) -> dict[str, int]:
    session.flush()
    conn = session.connection()
    sid = person.id

    def run(statement: Any) -> int:
        return int(conn.execute(statement).rowcount or 0)

    unlinked = run(
        sa.update(Delivery.__table__)
        .where(Delivery.__table__.c.subscriber_id == sid)
        .values(subscriber_id=None)
    )
    run(sa.delete(MailJob.__table__).where(MailJob.__table__.c.subscriber_id == sid))
    records = run(
        sa.delete(ConsentRecord.__table__).where(ConsentRecord.__table__.c.subscriber_id == sid)
    )
    subs = run(
        sa.delete(Subscription.__table__).where(Subscription.__table__.c.subscriber_id == sid)
    )
    session.delete(person)
    session.flush()
    return {"subscriptions": subs, "consent_records": records, "deliveries_unlinked": unlinked}
