"""Finding subscribers and building new ones: the lookups every audience service shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from newsletter.audience import search_text, tokens
from newsletter.audience.addresses import Address, lookup_keys
from newsletter.core.errors import NotFound
from newsletter.core.models import Subscriber, Subscription

assert search_text.fold  # imported for its listeners: they fill Subscriber.search_text on writes


def find(session: Session, email: str) -> Subscriber | None:
    """The subscriber with this address, also when stored under its earlier key (addresses)."""
    wanted = lookup_keys(email)
    if len(wanted) == 1:
        return session.exec(select(Subscriber).where(Subscriber.email == wanted[0])).first()
    found = session.exec(select(Subscriber).where(col(Subscriber.email).in_(wanted))).all()
    return min(found, key=lambda s: wanted.index(s.email), default=None)


def bring_up_to_date(person: Subscriber, address: Address, now: datetime) -> None:
    """Move a record found under an earlier key (addresses.earlier_keys) to today's form: its
    stored envelope may be a domain that does not exist ("xn--istanbul-o0e…"). Callers do this
    only for someone not suppressed: suppression under the old key is checked before."""
    if person.email == address.normalised:
        return
    person.email, person.email_ascii = address.normalised, address.envelope
    person.smtputf8, person.updated_at = address.smtputf8, now


def get(session: Session, email: str) -> Subscriber:
    """A subscriber by address, or by id given as a number."""
    value = email.strip()
    found = session.get(Subscriber, int(value)) if value.isdigit() else find(session, value)
    if found is None:
        raise NotFound(f"no subscriber {email!r}")
    return found


LINK_GONE = "this link is no longer valid"


def person_for_token(session: Session, data: tokens.TokenData) -> Subscriber:
    """The subscriber a checked token names, only while it is still the person it was made for.

    A token carries just the subscriber id and when it was made. Its owner may since have been
    erased or removed; and before migration 0007 SQLite gave the next new subscriber that same
    id. So the record must exist and be older than the token, else TokenError. Times compare
    to the second, the precision of the token's stamp.
    """
    person = session.get(Subscriber, data.subscriber_id)
    if person is None or _created_after(person, data.issued_at):
        raise tokens.TokenError(LINK_GONE)
    return person


def _created_after(person: Subscriber, issued_at: datetime) -> bool:
    created = person.created_at
    if created.tzinfo is None:  # an object not yet read back from the database
        created = created.replace(tzinfo=UTC)
    return created.replace(microsecond=0) > issued_at


def new_subscriber(
    address: Address, now: datetime, name: str = "", language: str = "en", **extra: Any
) -> Subscriber:
    return Subscriber(
        email=address.normalised,
        email_ascii=address.envelope,
        smtputf8=address.smtputf8,
        name=name.strip(),
        language=language,
        created_at=now,
        updated_at=now,
        **extra,
    )


def subscription(session: Session, subscriber_id: int, list_id: int) -> Subscription | None:
    query = select(Subscription).where(
        Subscription.subscriber_id == subscriber_id, Subscription.list_id == list_id
    )
    return session.exec(query).first()


def as_record(row: SQLModel, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row as plain data with its fields in the model's order (stable --json output)."""
    dumped = row.model_dump(exclude=set(exclude))
    return {name: dumped[name] for name in type(row).model_fields if name in dumped}
