"""Subscribing, confirming, unsubscribing, preferences, and a person's data: export and erase.

These are the services the web pages and the CLI share. None of them commits; the caller's
session_scope does, so a failure leaves nothing half-written. Time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.audience import consent, lists, suppression
from newsletter.audience.addresses import normalise
from newsletter.audience.lookups import bring_up_to_date, find, get, new_subscriber, subscription
from newsletter.audience.preferences import activate, list_changes, profile_changes
from newsletter.audience.privacy import erase, person_data
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import (
    MailingList,
    MailJob,
    Subscriber,
    Subscription,
    Suppression,
)
from newsletter.core.safe_text import fold_line

__all__ = [  # lookups and privacy services are re-exported: callers use subscribers.erase, ...
    "SubscribeResult", "subscribe", "confirm", "unsubscribe", "update_preferences",
    "queue_confirmation", "find", "get", "new_subscriber", "subscription", "person_data", "erase",
]  # fmt: skip

# Someone may press "subscribe" again; they get at most one confirmation mail per list an hour.
CONFIRMATION_INTERVAL = timedelta(hours=1)
# Reasons after which a new, confirmed subscription may lift the suppression (the person's own
# new consent). Bounces, complaints and admin blocks stay.
LIFTABLE = ("unsubscribed", "erased")


@dataclass
class SubscribeResult:
    """What happened. Public pages must show the same message whatever it says."""

    subscriber_id: int | None
    pending: list[int] = field(default_factory=list)  # lists awaiting confirmation
    confirmed: list[int] = field(default_factory=list)  # single opt-in lists, active now
    already: list[int] = field(default_factory=list)  # lists the person was already on
    queued_jobs: list[int] = field(default_factory=list)  # confirmation MailJob ids
    suppressed: bool = False  # refused: bounced, complained or blocked by an admin


def queue_confirmation(
    session: Session, subscriber_id: int, list_id: int, now: datetime
) -> MailJob | None:
    """Queue a confirmation mail unless one is waiting or one was queued in the last hour."""
    recent = session.exec(
        select(MailJob.id).where(
            MailJob.kind == "confirmation",
            MailJob.subscriber_id == subscriber_id,
            MailJob.list_id == list_id,
            sa.or_(MailJob.status == "queued", MailJob.created_at > now - CONFIRMATION_INTERVAL),
        )
    ).first()
    if recent is not None:
        return None
    job = MailJob(subscriber_id=subscriber_id, list_id=list_id, created_at=now, due_at=now)
    session.add(job)
    session.flush()
    return job


def subscribe(
    session: Session,
    secret: str,
    email: str,
    name: str,
    language: str,
    list_slugs: list[str],
    source: str,
    ip: str | None,
    user_agent: str | None,
    consent_text: str,
    consent_version: str | None,
    now: datetime,
) -> SubscribeResult:
    """A person asks to join lists (form, API): record consent and ask them to confirm."""
    address = normalise(email)
    name = fold_line(name)  # the To: header: one line, and a form is not refused for a break
    mlists = lists.get_many(session, list_slugs)
    if not mlists:
        raise UserError("choose at least one list")
    language = lists.check_language(language or mlists[0].default_language)
    digests = suppression.email_hashes(secret, email)
    blocked = suppression.suppressed_hashes(session, digests)
    reason = _reason(session, digests) if blocked else None
    if reason is not None and reason not in LIFTABLE:
        return SubscribeResult(subscriber_id=None, suppressed=True)
    person = find(session, email)
    if person is None:
        person = new_subscriber(address, now, name=name, language=language)
        session.add(person)
        session.flush()
    elif person.status == "blocklisted":
        return SubscribeResult(subscriber_id=person.id, suppressed=True)
    else:
        if not blocked:
            bring_up_to_date(person, address, now)
        if name.strip() and not person.name:
            person.name, person.updated_at = name.strip(), now
    result = SubscribeResult(subscriber_id=person.id)
    proof = {"source": source, "ip": ip, "user_agent": user_agent}
    proof |= {"consent_text": consent_text, "consent_version": consent_version}
    for mlist in mlists:
        # Someone once suppressed must prove the address is theirs again, even on single opt-in.
        _join(session, person, mlist, reason is not None, proof, now, result)
    return result


def _reason(session: Session, digests: list[str]) -> str | None:
    """The strongest reason among the address's suppressions: one that cannot be lifted wins."""
    found = session.exec(select(Suppression).where(col(Suppression.email_hash).in_(digests)))
    reasons = [s.reason for s in found]
    return next((r for r in reasons if r not in LIFTABLE), reasons[0] if reasons else None)


def _join(
    session: Session,
    person: Subscriber,
    mlist: MailingList,
    must_confirm: bool,
    proof: dict[str, Any],
    now: datetime,
    result: SubscribeResult,
) -> None:
    assert person.id is not None and mlist.id is not None
    sub = subscription(session, person.id, mlist.id)
    if sub is not None and sub.status == "confirmed":
        result.already.append(mlist.id)
        return
    double = must_confirm or mlist.opt_in == "double"
    if sub is None:
        sub = Subscription(subscriber_id=person.id, list_id=mlist.id, created_at=now)
    sub.status = "unconfirmed" if double else "confirmed"
    sub.confirmed_at = None if double else now
    session.add(sub)
    consent.record(
        session, event="subscribed", now=now, subscriber_id=person.id, list_id=mlist.id,
        details={"opt_in": "double" if double else "single"}, **proof,
    )  # fmt: skip
    if not double:
        result.confirmed.append(mlist.id)
        return
    result.pending.append(mlist.id)
    job = queue_confirmation(session, person.id, mlist.id, now)
    if job is not None and job.id is not None:
        result.queued_jobs.append(job.id)


def confirm(
    session: Session,
    subscriber_id: int,
    list_id: int,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
    secret: str | None = None,
) -> Subscription:
    """The person clicked the confirmation link. Pass ``secret`` to lift an old unsubscribe."""
    sub = subscription(session, subscriber_id, list_id)
    if sub is None:
        raise NotFound("this subscription no longer exists: please subscribe again")
    if sub.status == "unsubscribed":
        raise StateError("you unsubscribed from this list since: please subscribe again")
    if sub.status == "confirmed":
        return sub
    sub.status, sub.confirmed_at = "confirmed", now
    session.add(sub)
    consent.record(
        session, event="confirmed", now=now, subscriber_id=subscriber_id, list_id=list_id,
        source="confirmation link", ip=ip, user_agent=user_agent,
    )  # fmt: skip
    _drop_queued_jobs(session, subscriber_id, [list_id])
    person = session.get(Subscriber, subscriber_id)
    if secret and person is not None:
        _lift_suppression(session, secret, person)
    session.flush()
    return sub


def _lift_suppression(session: Session, secret: str, person: Subscriber) -> None:
    """A person who joins a list anew by their own action is mailable again.

    Only suppressions they caused themselves (unsubscribing, erasure) are lifted; bounces,
    complaints and an admin's block stay.
    """
    found = suppression.find(session, secret, person.email)
    if found is not None and found.reason in LIFTABLE:
        session.delete(found)


def _drop_queued_jobs(session: Session, subscriber_id: int, list_ids: list[int]) -> None:
    session.flush()
    table = MailJob.__table__
    session.connection().execute(
        sa.delete(table).where(
            table.c.subscriber_id == subscriber_id,
            table.c.list_id.in_(list_ids),
            table.c.status == "queued",
        )
    )


def unsubscribe(
    session: Session,
    secret: str,
    subscriber_id: int,
    list_id: int | None,
    source: str,
    now: datetime,
    ip: str | None = None,
    user_agent: str | None = None,
) -> list[int]:
    """Leave one list, or every list (``list_id`` None: also suppresses the address).

    Returns the ids of lists actually left; calling it twice is harmless.
    """
    person = session.get(Subscriber, subscriber_id)
    if person is None:
        raise NotFound("this subscriber no longer exists (the data may have been erased)")
    query = select(Subscription).where(
        Subscription.subscriber_id == subscriber_id, Subscription.status != "unsubscribed"
    )
    if list_id is not None:
        query = query.where(Subscription.list_id == list_id)
    left: list[int] = []
    for sub in session.exec(query):
        sub.status, sub.unsubscribed_at = "unsubscribed", now
        session.add(sub)
        left.append(sub.list_id)
        consent.record(
            session, event="unsubscribed", now=now, subscriber_id=subscriber_id,
            list_id=sub.list_id, source=source, ip=ip, user_agent=user_agent,
            details={"all": list_id is None},
        )  # fmt: skip
    if left:
        _drop_queued_jobs(session, subscriber_id, left)
    if list_id is None:
        digest = suppression.hash_normalised(secret, person.email)
        suppression.add_hash(session, digest, "unsubscribed", now)
    session.flush()
    return left


def update_preferences(
    session: Session,
    secret: str,
    subscriber_id: int,
    *,
    now: datetime,
    source: str,
    name: str | None = None,
    language: str | None = None,
    list_ids: list[int] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    consent_text: str | None = None,
    consent_version: str | None = None,
) -> dict[str, Any]:
    """The preferences page: name, language and which lists (public ones, or ones held).

    The link came by email, so joining a list here needs no further confirmation.
    """
    person = session.get(Subscriber, subscriber_id)
    if person is None:
        raise NotFound("this subscriber no longer exists (the data may have been erased)")
    changed = profile_changes(person, name, language, now)
    joined, left = ([], []) if list_ids is None else list_changes(session, person, list_ids)
    meta = {"source": source, "ip": ip, "user_agent": user_agent}
    if joined:
        _lift_suppression(session, secret, person)
    for list_id in joined:
        activate(session, subscriber_id, list_id, now)
        consent.record(
            session, event="subscribed", now=now, subscriber_id=subscriber_id, list_id=list_id,
            consent_text=consent_text, consent_version=consent_version,
            details={"via": "preferences"}, **meta,
        )  # fmt: skip
    for list_id in left:
        unsubscribe(session, secret, subscriber_id, list_id, source, now, ip, user_agent)
    if changed:
        consent.record(
            session, event="preferences_changed", now=now, subscriber_id=subscriber_id,
            details={"fields": changed}, **meta,
        )  # fmt: skip
    session.flush()
    return {"changed": changed, "joined": joined, "left": left}
