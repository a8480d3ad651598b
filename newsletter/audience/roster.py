"""Admin work on subscribers: add, edit, remove, and the filtered listing.

The listing is a single SQL query (plus one for the page's list memberships) so it answers
quickly on a hundred thousand subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.audience import consent, lists, suppression
from newsletter.audience.addresses import normalise
from newsletter.audience.lookups import as_record, bring_up_to_date
from newsletter.audience.search_text import fold
from newsletter.audience.subscriptions import (
    find,
    get,
    new_subscriber,
    queue_confirmation,
    subscription,
)
from newsletter.core.errors import StateError, UserError
from newsletter.core.models import BounceEvent, MailingList, Subscriber, Subscription
from newsletter.core.safe_text import one_line

SUBSCRIBER_STATUSES = ("active", "blocklisted", "bounced", "complained")  # bounce_rules: last two
SUBSCRIPTION_STATUSES = ("unconfirmed", "confirmed", "unsubscribed")


@dataclass(frozen=True)
class Filters:
    list_slug: str | None = None
    status: str | None = None
    language: str | None = None
    search: str | None = None


def add(
    session: Session,
    secret: str,
    email: str,
    now: datetime,
    *,
    name: str = "",
    language: str | None = None,
    organisation: str = "",
    attributes: dict[str, Any] | None = None,
    list_slugs: list[str] = (),  # type: ignore[assignment]
    consent_source: str | None = None,
) -> tuple[Subscriber, dict[str, str]]:
    """Add a person (or put an existing one on more lists). Returns them and list -> status.

    Double opt-in lists leave them unconfirmed with a confirmation mail queued, unless
    ``consent_source`` records how they already agreed.
    """
    one_line("name", name)  # the name goes into the To: header; typed, so refused, not folded
    one_line("organisation", organisation)
    address = normalise(email)
    found = suppression.find(session, secret, email)
    if found is not None:
        raise StateError(
            f"{address.normalised} is on the suppression list ({found.reason}): add it only with "
            "new consent, after 'newsletter subscribers unsuppress'"
        )
    mlists = lists.get_many(session, list(list_slugs))
    person = find(session, email)
    if person is None:
        lang = lists.check_language(language or (mlists[0].default_language if mlists else "en"))
        person = new_subscriber(
            address, now, name=name, language=lang, organisation=organisation.strip(),
            attributes=attributes or {},
        )  # fmt: skip
        session.add(person)
        session.flush()
    elif not mlists:
        raise StateError(f"{address.normalised} is already a subscriber: use 'subscribers edit'")
    else:
        bring_up_to_date(person, address, now)  # not suppressed: refused above
    return person, {m.slug: _add_to(session, person, m, consent_source, now) for m in mlists}


def _add_to(
    session: Session,
    person: Subscriber,
    mlist: MailingList,
    consent_source: str | None,
    now: datetime,
) -> str:
    assert person.id is not None and mlist.id is not None
    sub = subscription(session, person.id, mlist.id)
    if sub is not None and sub.status != "unsubscribed":
        return sub.status
    double = mlist.opt_in == "double" and not consent_source
    sub = sub or Subscription(subscriber_id=person.id, list_id=mlist.id, created_at=now)
    sub.status = "unconfirmed" if double else "confirmed"
    sub.confirmed_at = None if double else now
    session.add(sub)
    consent.record(
        session, event="subscribed", now=now, subscriber_id=person.id, list_id=mlist.id,
        source="admin", consent_text=consent_source,
        details={"confirmed_by_admin": bool(consent_source)},
    )  # fmt: skip
    if double:
        queue_confirmation(session, person.id, mlist.id, now)
    return sub.status


def edit(
    session: Session,
    email: str,
    now: datetime,
    *,
    new_email: str | None = None,
    name: str | None = None,
    language: str | None = None,
    organisation: str | None = None,
    status: str | None = None,
    set_attributes: dict[str, str] | None = None,
    unset_attributes: list[str] = (),  # type: ignore[assignment]
) -> Subscriber:
    person = get(session, email)
    for field, value in (("name", name), ("organisation", organisation)):
        if value is not None:
            one_line(field, value)
    if all(v is None for v in (new_email, name, language, organisation, status)) and not (
        set_attributes or unset_attributes
    ):
        raise UserError("nothing to change: give at least one option (see --help)")
    if new_email is not None:
        address = normalise(new_email)
        other = find(session, new_email)
        if other is not None and other.id != person.id:
            raise StateError(f"another subscriber already has the address {address.normalised}")
        person.email, person.email_ascii = address.normalised, address.envelope
        person.smtputf8 = address.smtputf8
    if status is not None and status not in SUBSCRIBER_STATUSES:
        raise UserError(f"status {status!r}: use one of {', '.join(SUBSCRIBER_STATUSES)}")
    if language is not None:
        lists.check_language(language)
    for key, value in (("name", name), ("language", language), ("organisation", organisation)):
        if value is not None:
            setattr(person, key, value.strip())
    person.status = status or person.status
    attributes = {**person.attributes, **(set_attributes or {})}
    for key in unset_attributes:
        if key not in attributes:
            known = ", ".join(attributes) or "none"
            raise UserError(f"--unset {key!r}: the subscriber has no such attribute ({known})")
        attributes.pop(key)
    person.attributes, person.updated_at = attributes, now
    session.add(person)
    session.flush()
    return person


def remove(session: Session, email: str, list_slug: str | None = None) -> str:
    """Delete a membership (with a list) or the whole subscriber, without suppressing them."""
    person = get(session, email)
    if list_slug is not None:
        mlist = lists.get(session, list_slug)
        sub = subscription(session, person.id or 0, mlist.id or 0)
        if sub is None:
            raise UserError(f"{person.email} is not on list {list_slug!r}")
        session.delete(sub)
        return f"removed {person.email} from {list_slug}"
    session.flush()
    table = Subscription.__table__
    session.connection().execute(sa.delete(table).where(table.c.subscriber_id == person.id))
    session.delete(person)
    session.flush()
    return f"removed {person.email} and their subscriptions"


COUNT_LIMIT = 10_000


def _filtered(filters: Filters, list_id: int | None) -> sa.Select[Any]:
    """Subscribers in id order; the list condition is an EXISTS probe of the unique
    (subscriber, list) index, so a page stops after its rows instead of sorting every match."""
    s, sub = Subscriber.__table__, Subscription.__table__
    query = sa.select(s)
    status = filters.status
    if status is not None and status not in SUBSCRIBER_STATUSES + SUBSCRIPTION_STATUSES:
        choices = ", ".join(SUBSCRIBER_STATUSES + SUBSCRIPTION_STATUSES)
        raise UserError(f"status {status!r}: use one of {choices}")
    member = sa.select(sa.literal(1)).where(sub.c.subscriber_id == s.c.id)
    if list_id is not None:
        member = member.where(sub.c.list_id == list_id)
        if status not in SUBSCRIPTION_STATUSES:
            member = member.where(sub.c.status != "unsubscribed")
    if status in SUBSCRIPTION_STATUSES:
        member = member.where(sub.c.status == status)
    if list_id is not None or status in SUBSCRIPTION_STATUSES:
        query = query.where(member.exists())
    if status in SUBSCRIBER_STATUSES:
        query = query.where(s.c.status == status)
    if filters.language:
        query = query.where(s.c.language == filters.language)
    if filters.search and filters.search.strip():
        term = fold(filters.search.strip())
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(s.c.search_text.like(f"%{escaped}%", escape="\\"))
    return query


def listing(
    session: Session, filters: Filters, limit: int = 50, offset: int = 0, exact: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """One page of subscribers matching ``filters`` and how many match.

    The count stops at COUNT_LIMIT + 1 unless ``exact``, so a page stays fast on large lists;
    a total above COUNT_LIMIT means "more than that".
    """
    list_id = lists.get(session, filters.list_slug).id if filters.list_slug else None
    query = _filtered(filters, list_id)
    session.flush()
    conn = session.connection()
    s = Subscriber.__table__
    counted = query.with_only_columns(s.c.id)
    if not exact:
        counted = counted.limit(COUNT_LIMIT + 1)
    total = conn.scalar(sa.select(sa.func.count()).select_from(counted.subquery())) or 0
    page = query.order_by(s.c.id).limit(limit).offset(offset)
    rows = [dict(r._mapping) for r in conn.execute(page)]
    memberships = _memberships(session, [r["id"] for r in rows])
    for row in rows:
        row.pop("search_text", None)
        row["lists"] = memberships.get(row["id"], {})
    return rows, int(total)


def _memberships(session: Session, ids: list[int]) -> dict[int, dict[str, str]]:
    if not ids:
        return {}
    session.flush()
    sub, ml = Subscription.__table__, MailingList.__table__
    rows = session.connection().execute(
        sa.select(sub.c.subscriber_id, ml.c.slug, sub.c.status)
        .join(ml, ml.c.id == sub.c.list_id)
        .where(sub.c.subscriber_id.in_(ids))
    )
    found: dict[int, dict[str, str]] = {}
    for subscriber_id, slug, status in rows:
        found.setdefault(subscriber_id, {})[slug] = status
    return found


def details(session: Session, person: Subscriber) -> dict[str, Any]:
    data = as_record(person, frozenset({"search_text"}))
    data["lists"] = _memberships(session, [person.id or 0]).get(person.id or 0, {})
    query = select(BounceEvent).where(BounceEvent.subscriber_id == person.id)
    events = session.exec(query.order_by(col(BounceEvent.id)))
    data["bounces"] = [as_record(e, frozenset({"report_key"})) for e in events]  # bounce_rules
    return data
