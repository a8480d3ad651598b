"""Finding subscribers and building new ones: the lookups every audience service shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, select

from newsletter.audience import search_text
from newsletter.audience.addresses import Address, normalise
from newsletter.core.errors import NotFound
from newsletter.core.models import Subscriber, Subscription

assert search_text.fold  # imported for its listeners: they fill Subscriber.search_text on writes


def find(session: Session, email: str) -> Subscriber | None:
    address = normalise(email)
    query = select(Subscriber).where(Subscriber.email == address.normalised)
    return session.exec(query).first()


def get(session: Session, email: str) -> Subscriber:
    """A subscriber by address, or by id given as a number."""
    value = email.strip()
    found = session.get(Subscriber, int(value)) if value.isdigit() else find(session, value)
    if found is None:
        raise NotFound(f"no subscriber {email!r}")
    return found


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
