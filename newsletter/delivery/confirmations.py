"""Confirmation emails for double opt-in, queued as MailJob rows, sent through the transport.

A job is marked ``sending`` (committed) before its message leaves, like a ledger row. Jobs
whose subscription no longer waits for confirmation are dropped; temporary failures are
retried with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from newsletter.audience import tokens
from newsletter.core.db import session_scope
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, MailJob, Subscriber, Subscription
from newsletter.delivery import ledger
from newsletter.delivery.composer import base_url, envelope_sender
from newsletter.delivery.dkim_sign import DkimSigner, load_signer
from newsletter.delivery.message import MessageTemplate, message_id, settings_from_config
from newsletter.delivery.transports import Outcome, Transport, make_transport

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


def confirm_url(config: Config, subscriber_id: int, list_id: int, now: datetime) -> str:
    token = tokens.make(config.secret_key, "confirm", subscriber_id, list_id, now=now)
    return f"{base_url(config)}/confirm/{token}"


def render(config: Config, job: Job, url: str) -> tuple[str, str, str]:
    """(subject, text, html) in the subscriber's language (English when not available)."""
    w = WORDS.get(job.language, WORDS["en"])
    org, days = config.organisation.name, config.subscribers.confirm_days
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
                job.status, job.last_error = "failed", "no longer waiting for confirmation"
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
                        mlist.name,
                    )
                )
            s.add(job)
    return jobs


def send_due(engine: Engine, config: Config, now: datetime) -> int:
    """Send every due confirmation email; returns how many were handed over."""
    signer = load_signer(config)  # settings errors surface before any job is claimed
    base_url(config)
    transport = make_transport(config)
    try:
        jobs = _due(engine, now)
        return sum(_send_one(engine, config, transport, signer, job, now) for job in jobs)
    finally:
        transport.close()


def _send_one(
    engine: Engine,
    config: Config,
    transport: Transport,
    signer: DkimSigner | None,
    job: Job,
    now: datetime,
) -> int:
    try:
        data = _message(config, job, now)
    except UserError as exc:  # e.g. a line break in the stored name: this job cannot go
        _record(engine, config, job, Outcome("permanent", None, str(exc)), now)
        return 0
    data = signer.sign(data) if signer else data
    outcome = transport.send(envelope_sender(config), job.envelope, data)
    _record(engine, config, job, outcome, now)
    return 1 if outcome.ok else 0


def _message(config: Config, job: Job, now: datetime) -> bytes:
    url = confirm_url(config, job.subscriber_id, job.list_id, now)
    subject, text, html = render(config, job, url)
    settings = settings_from_config(config)
    template = MessageTemplate(settings, subject, list_headers=False)
    return template.build(
        to_email=job.envelope if job.envelope.isascii() else job.email,
        to_name=job.name,
        message_id=message_id(settings.domain, "c", job.id),
        date=now,
        html=html,
        text=text,
    ).data


def _record(engine: Engine, config: Config, job: Job, outcome: Outcome, now: datetime) -> None:
    with session_scope(engine) as s:
        row = s.get(MailJob, job.id)
        if row is None:  # the person was erased meanwhile
            return
        row.attempts = job.attempts + 1
        if outcome.ok or outcome.status == "unknown":
            row.status, row.sent_at, row.last_error = "sent", now, ""
        elif outcome.status == "temporary" and row.attempts < config.sending.max_attempts:
            row.status, row.last_error = "queued", outcome.describe()
            row.due_at = now + ledger.backoff(row.attempts, config.sending.retry_base_seconds)
        else:
            row.status, row.last_error = "failed", outcome.describe()
        s.add(row)
