"""Confirmation emails for double opt-in, queued as MailJob rows, sent through the transport.

A job is marked ``sending`` (committed) before its message leaves, like a ledger row. Jobs
whose subscription no longer waits for confirmation are ``dropped``; temporary failures are
retried with backoff, permanent ones (and the last retry) are ``failed``. Every job a round
could not hand over is in its ``ConfirmationRun`` with the reason, for the exit code of
`confirmations send` and the worker's log; `newsletter status` lists the ones still failing
(``failing``).

``run_due`` is the edge: it builds ``ConfirmationSettings`` and the transport from the
configuration once per round; below it nothing reads the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.audience import lists, tokens
from newsletter.core.db import session_scope
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, MailJob, Subscriber, Subscription
from newsletter.delivery.message import MessageTemplate, message_id
from newsletter.delivery.retry import backoff
from newsletter.delivery.send_settings import MessageSettings, message_settings
from newsletter.delivery.transport import Outcome, Transport
from newsletter.delivery.transport_factory import make_transport

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from newsletter.core.config import Config

BATCH = 200
STALE = timedelta(minutes=10)

WORDS = {
    "en": {
        "subject": "Please confirm your subscription to {list}",
        "hello": "Hello {name},",
        "hello_anon": "Hello,",
        "ask": "Please confirm that you want to receive “{list}” from {org}:",
        "button": "Confirm my subscription",
        "valid": "The link is valid for {days} days.",
        "ignore": "If you did not ask for this, ignore this email: you will not be subscribed.",
    },
    "tr": {
        "subject": "Lütfen {list} aboneliğinizi onaylayın",
        "hello": "Merhaba {name},",
        "hello_anon": "Merhaba,",
        "ask": "{org} tarafından gönderilen “{list}” bültenini almak istediğinizi onaylayın:",
        "button": "Aboneliğimi onaylıyorum",
        "valid": "Bağlantı {days} gün geçerlidir.",
        "ignore": "Bu isteği siz yapmadıysanız bu e-postayı yok sayın: abone olmazsınız.",
    },
}


@dataclass(frozen=True)
class Job:
    id: int
    attempts: int
    subscriber_id: int
    list_id: int
    email: str
    envelope: str
    name: str
    language: str
    list_name: str


@dataclass(frozen=True)
class ConfirmationSettings:
    """What confirmation emails need, built once per round from the configuration."""

    message: MessageSettings
    organisation: str
    confirm_days: int
    max_attempts: int
    retry_base_seconds: float

    @classmethod
    def from_config(cls, config: Config) -> ConfirmationSettings:
        return cls(
            message=message_settings(config),
            organisation=config.organisation.name,
            confirm_days=config.subscribers.confirm_days,
            max_attempts=config.sending.max_attempts,
            retry_base_seconds=config.sending.retry_base_seconds,
        )


@dataclass(frozen=True)
class NotSent:
    """A job this round could not hand over, and why."""

    email: str
    list_name: str
    reason: str
    retrying: bool  # a temporary failure: it goes again later


@dataclass
class ConfirmationRun:
    sent: int = 0
    not_sent: list[NotSent] = field(default_factory=list)

    @property
    def failed(self) -> list[NotSent]:
        return [n for n in self.not_sent if not n.retrying]

    @property
    def retrying(self) -> list[NotSent]:
        return [n for n in self.not_sent if n.retrying]


def confirm_url(settings: MessageSettings, subscriber_id: int, list_id: int, now: datetime) -> str:
    token = tokens.make(settings.secret, "confirm", subscriber_id, list_id, now=now)
    return f"{settings.base_url}/confirm/{token}"


def render(settings: ConfirmationSettings, job: Job, url: str) -> tuple[str, str, str]:
    """(subject, text, html) in the subscriber's language (English when not available)."""
    w = WORDS.get(job.language, WORDS["en"])
    org, days = settings.organisation, settings.confirm_days
    hello = w["hello"].format(name=job.name) if job.name else w["hello_anon"]
    ask = w["ask"].format(list=job.list_name, org=org)
    valid, ignore = w["valid"].format(days=days), w["ignore"]
    text = f"{hello}\n\n{ask}\n\n{url}\n\n{valid}\n{ignore}\n\n-- \n{org}\n"
    e = escape
    html = (
        f'<!doctype html><html lang="{e(job.language)}"><body style="font-family:sans-serif">\n'
        f"<p>{e(hello)}</p>\n<p>{e(ask)}</p>\n"
        f'<p><a href="{e(url)}" style="font-weight:bold">{e(w["button"])}</a></p>\n'
        f"<p>{e(valid)}<br>{e(ignore)}</p>\n<p>{e(org)}</p>\n</body></html>\n"
    )
    return w["subject"].format(list=job.list_name), text, html


def _due(engine: Engine, now: datetime) -> list[Job]:
    """Claim due jobs: each is marked sending (committed) before anything is sent."""
    with session_scope(engine) as s:
        table = MailJob.__table__  # type: ignore[attr-defined]
        s.connection().execute(  # a run killed mid-job: confirmation mail may safely go again
            sa.update(table)
            .where(table.c.status == "sending", table.c.due_at < now - STALE)
            .values(status="queued")
        )
        rows = s.exec(
            select(MailJob, Subscriber, MailingList, Subscription.status)
            .join(Subscriber, col(Subscriber.id) == col(MailJob.subscriber_id))
            .join(MailingList, col(MailingList.id) == col(MailJob.list_id))
            .join(
                Subscription,
                sa.and_(
                    col(Subscription.subscriber_id) == col(Subscriber.id),
                    col(Subscription.list_id) == col(MailingList.id),
                ),
            )
            .where(
                MailJob.kind == "confirmation",
                MailJob.status == "queued",
                col(MailJob.due_at) <= now,
            )
            .order_by(col(MailJob.due_at))
            .limit(BATCH)
        ).all()
        jobs = []
        for job, person, mlist, sub_status in rows:
            if sub_status != "unconfirmed" or person.status != "active":
                job.status, job.last_error = "dropped", "no longer waiting for confirmation"
            else:
                job.status, job.due_at = "sending", now
                jobs.append(
                    Job(
                        job.id or 0,
                        job.attempts,
                        person.id or 0,
                        mlist.id or 0,
                        person.email,
                        person.email_ascii,
                        person.name,
                        person.language,
                        lists.localised(mlist, person.language)[0],  # in the reader's language
                    )
                )
            s.add(job)
    return jobs


def run_due(engine: Engine, config: Config, now: datetime) -> ConfirmationRun:
    """Send every due confirmation email (the edge: settings and transport built here)."""
    settings = ConfirmationSettings.from_config(config)  # errors surface before any claim
    transport = make_transport(config)
    try:
        return send_jobs(engine, settings, transport, now)
    finally:
        transport.close()


def send_due(engine: Engine, config: Config, now: datetime) -> int:
    """``run_due``, for callers that only count: how many were handed over."""
    return run_due(engine, config, now).sent


def send_jobs(
    engine: Engine, settings: ConfirmationSettings, transport: Transport, now: datetime
) -> ConfirmationRun:
    """Claim the due jobs and send each; what went and what did not, with the reasons."""
    run = ConfirmationRun()
    for job in _due(engine, now):
        outcome = _send_one(settings, transport, job, now)
        retrying = _record(engine, settings, job, outcome, now)
        if outcome.ok or outcome.status == "unknown":
            run.sent += 1
        else:
            run.not_sent.append(NotSent(job.email, job.list_name, outcome.describe(), retrying))
    return run


def _send_one(
    settings: ConfirmationSettings, transport: Transport, job: Job, now: datetime
) -> Outcome:
    try:
        data = _message(settings, job, now)
    except UserError as exc:  # e.g. a line break in the stored name: this job cannot go
        return Outcome("permanent", None, str(exc))
    return transport.send(settings.message.envelope_sender, job.envelope, data)


def _message(settings: ConfirmationSettings, job: Job, now: datetime) -> bytes:
    url = confirm_url(settings.message, job.subscriber_id, job.list_id, now)
    subject, text, html = render(settings, job, url)
    headers = settings.message.headers
    template = MessageTemplate(headers, subject, list_headers=False)
    data = template.build(
        to_email=job.envelope if job.envelope.isascii() else job.email,
        to_name=job.name,
        message_id=message_id(headers.domain, "c", job.id),
        date=now,
        html=html,
        text=text,
    ).data
    signer = settings.message.signer
    return signer.sign(data) if signer else data


def _record(
    engine: Engine, settings: ConfirmationSettings, job: Job, outcome: Outcome, now: datetime
) -> bool:
    """Keep the outcome on the job; True when it goes again later."""
    with session_scope(engine) as s:
        row = s.get(MailJob, job.id)
        if row is None:  # the person was erased meanwhile
            return False
        row.attempts = job.attempts + 1
        retrying = False
        if outcome.ok or outcome.status == "unknown":
            row.status, row.sent_at, row.last_error = "sent", now, ""
        elif outcome.status == "temporary" and row.attempts < settings.max_attempts:
            row.status, row.last_error, retrying = "queued", outcome.describe(), True
            row.due_at = now + backoff(row.attempts, settings.retry_base_seconds)
        else:
            row.status, row.last_error = "failed", outcome.describe()
        s.add(row)
    return retrying


def failing(session: Session, limit: int = 20) -> dict[str, Any]:
    """For `newsletter status`: how many wait, and the latest job of each person and list that
    failed or is being retried while the person still waits to confirm (newest first)."""
    jobs = MailJob.__table__  # type: ignore[attr-defined]
    newer = jobs.alias("newer")
    queued = (
        session.connection()
        .execute(sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status == "queued"))
        .scalar_one()
    )
    rows = session.exec(
        select(MailJob, Subscriber.email, MailingList.name)
        .join(Subscriber, col(Subscriber.id) == col(MailJob.subscriber_id))
        .join(MailingList, col(MailingList.id) == col(MailJob.list_id))
        .join(
            Subscription,
            sa.and_(
                col(Subscription.subscriber_id) == col(MailJob.subscriber_id),
                col(Subscription.list_id) == col(MailJob.list_id),
            ),
        )
        .where(
            sa.or_(
                MailJob.status == "failed",
                sa.and_(MailJob.status == "queued", col(MailJob.attempts) > 0),
            ),
            Subscription.status == "unconfirmed",
            ~sa.exists().where(
                newer.c.subscriber_id == MailJob.subscriber_id,
                newer.c.list_id == MailJob.list_id,
                newer.c.id > MailJob.id,
            ),
        )
        .order_by(col(MailJob.due_at).desc(), col(MailJob.id).desc())
        .limit(limit)
    ).all()
    return {
        "queued": int(queued),
        "failing": [
            {
                "email": email,
                "list": list_name,
                "status": "retrying" if job.status == "queued" else "failed",
                "attempts": job.attempts,
                "reason": job.last_error,
                # A failed job was last tried when it was claimed; a retried one goes again then.
                "tried_at": job.due_at if job.status == "failed" else None,
                "next_attempt_at": job.due_at if job.status == "queued" else None,
            }
            for job, email, list_name in rows
        ],
    }
