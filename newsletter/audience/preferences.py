"""What the preferences page changes: profile fields and the set of lists a person is on.

``subscribers.update_preferences`` records consent around these; they only change rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from newsletter.audience import lists
from newsletter.audience.lookups import subscription
from newsletter.core.errors import UserError
from newsletter.core.models import Subscriber, Subscription
from newsletter.core.safe_text import fold_line


def profile_changes(
    person: Subscriber, name: str | None, language: str | None, now: datetime
) -> list[str]:
    """Apply a new name or language; the names of the fields that really changed."""
    changed = []
    name = None if name is None else fold_line(name.strip())  # the To: header: one line
    if name is not None and name != person.name:
        person.name = name
        changed.append("name")
    if language is not None and language != person.language:
        person.language = lists.check_language(language)
        changed.append("language")
    if changed:
        person.updated_at = now
    return changed


def list_changes(
    session: Session, person: Subscriber, wanted: list[int]
) -> tuple[list[int], list[int]]:
    """The lists to join and to leave so that the person is on exactly ``wanted``.

    Only public lists, or lists the person already holds, may be chosen.
    """
    held = {
        sub.list_id: sub.status
        for sub in session.exec(select(Subscription).where(Subscription.subscriber_id == person.id))
    }
    active = {lid for lid, status in held.items() if status != "unsubscribed"}
    offered = {m.id for m in lists.all_lists(session, public_only=True)} | set(held)
    unknown = set(wanted) - offered
    if unknown:
        raise UserError(f"no such public list: {sorted(unknown)[0]}")
    return sorted(set(wanted) - active), sorted(active - set(wanted))


def activate(session: Session, subscriber_id: int, list_id: int, now: datetime) -> None:
    """Confirmed on the list now (the preferences link came by email: no further step)."""
    sub = subscription(session, subscriber_id, list_id) or Subscription(
        subscriber_id=subscriber_id, list_id=list_id, created_at=now
    )
    sub.status, sub.confirmed_at = "confirmed", now
    session.add(sub)
