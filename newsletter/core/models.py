"""Every table of the application, in one place.

Times are stored as naive UTC in the database and returned as aware UTC datetimes
(``UTCDateTime``), so SQLite and PostgreSQL behave the same. Lists and free attributes are JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from newsletter.core.clock import utcnow
from newsletter.core.dbtypes import UTCDateTime
from newsletter.core.textmatch import fold

# Named constraints let Alembic alter SQLite tables (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _time(**kw: Any) -> Any:
    nullable = kw.pop("nullable", True)
    index = kw.pop("index", False)
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index), **kw)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=sa.Column(sa.JSON(), nullable=False))


def _text(nullable: bool = False, default: str | None = "") -> Any:
    return Field(default=default, sa_column=sa.Column(sa.Text(), nullable=nullable))


# --- The block library -------------------------------------------------------------------------

BLOCK_KINDS = ("story", "highlight", "event", "announcement", "quote")
BLOCK_STATUSES = ("draft", "ready", "archived")


class Block(SQLModel, table=True):
    __tablename__ = "blocks"
    __table_args__ = (sa.Index("ix_blocks_status_date", "status", "event_date"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    body: str = _text()
    summary: str = _text()
    kind: str = Field(default="story")
    area: str | None = Field(default=None, index=True)
    tags: list[str] = _json(list)
    places: list[str] = _json(list)
    partners: list[str] = _json(list)
    event_date: date | None = Field(default=None)
    event_date_end: date | None = Field(default=None)
    image_url: str | None = None
    image_alt: str | None = None
    image_credit: str | None = None
    link_url: str | None = None
    link_label: str | None = None
    language: str = Field(default="en", index=True)
    translation_group: str | None = Field(default=None, index=True)
    status: str = Field(default="draft")
    author: str = ""
    source_file: str | None = None
    source_position: int | None = None
    content_hash: str | None = Field(default=None, index=True)
    # Fields the importer inferred (a year from the document, a suggested area) until an officer
    # confirms them by editing the field, `blocks edit ID --confirm` or `blocks ready` (0008).
    guessed: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(sa.JSON(), nullable=False, server_default="[]"),
    )
    # Title, summary and body folded (lower case, Turkish letters to ASCII) for search (issue 2).
    search_text: str = _text()
    created_at: datetime = _created()
    updated_at: datetime = _created()


@sa.event.listens_for(Block, "before_insert")
@sa.event.listens_for(Block, "before_update")
def _block_search_text(_mapper: Any, _connection: Any, block: Block) -> None:
    # Kept here so every writer of blocks (CLI, web, compose) keeps search in step.
    block.search_text = fold("\n".join([block.title or "", block.summary or "", block.body or ""]))


class Organisation(SQLModel, table=True):
    """A partner or donor the importer recognises by acronym or full name, in English or Turkish
    (0008; filled from library_defaults.DEFAULT_ORGANISATIONS, edited with `blocks partners`)."""

    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # the full name in English
    acronym: str = Field(default="", sa_column_kwargs={"server_default": ""})
    name_tr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    acronym_tr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    aliases: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(sa.JSON(), nullable=False, server_default="[]"),
    )
    kind: str = Field(default="partner", sa_column_kwargs={"server_default": "partner"})
    created_at: datetime = _created()
    updated_at: datetime = _created()


# --- Issues ------------------------------------------------------------------------------------

ISSUE_STATUSES = (
    "draft",
    "in_review",
    "approved",
    "scheduled",
    "sending",
    "sent",
    "paused",
    "cancelled",
    "failed",
    "missed",
)


class Issue(SQLModel, table=True):
    __tablename__ = "issues"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    subject: str = ""
    preheader: str = ""
    intro: str = _text()
    issue_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    language: str = "en"
    theme: str = "monthly"
    # Other language editions (issue 3): {"tr": {"title", "subject", "preheader", "intro"}};
    # "allow_fallback": true lets that edition show source-language blocks (a warning, not an
    # error, in the checks).
    translations: dict[str, Any] = _json(dict)
    status: str = Field(default="draft", index=True)
    author: str = ""
    # Schedule (issue 6): the UTC instant, the zone it was given in, and the target list slugs.
    scheduled_at: datetime | None = _time(index=True)
    schedule_tz: str | None = None
    schedule_lists: list[str] = _json(list)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class IssueEvent(SQLModel, table=True):
    """Who moved an issue from one status to another, and when."""

    __tablename__ = "issue_events"

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id", index=True, ondelete="CASCADE")
    from_status: str
    to_status: str
    actor: str = ""
    note: str = ""
    at: datetime = _created()


class Section(SQLModel, table=True):
    __tablename__ = "sections"

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id", index=True, ondelete="CASCADE")
    position: int = 0
    heading: str = ""
    area: str | None = None


class Placement(SQLModel, table=True):
    """A block placed in a section, with per-issue overrides that leave the library alone."""

    __tablename__ = "placements"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="sections.id", index=True, ondelete="CASCADE")
    block_id: int = Field(foreign_key="blocks.id", index=True)
    position: int = 0
    title_override: str | None = None
    summary_override: str | None = None
    hide_image: bool = False


class IssueSnapshot(SQLModel, table=True):
    """What was rendered when the issue was frozen: the archive and the sender read only this."""

    __tablename__ = "issue_snapshots"
    __table_args__ = (sa.UniqueConstraint("issue_id", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id", index=True, ondelete="CASCADE")
    language: str
    subject: str
    preheader: str = ""
    html: str = _text()
    text: str = _text()
    content: dict[str, Any] = _json(dict)
    created_at: datetime = _created()


# --- Audience ----------------------------------------------------------------------------------


class Subscriber(SQLModel, table=True):
    __tablename__ = "subscribers"
    # Ids are never reused (migration 0007): links carry only the id, and a new subscriber given
    # an erased person's id would receive whatever that person's old links open.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)  # normalised form
    email_ascii: str = Field(index=True)  # the form used on the SMTP envelope
    # The local part is not ASCII: email_ascii holds the Unicode form; the server needs SMTPUTF8.
    smtputf8: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Address, name and organisation folded for search (search_text.py keeps it up to date).
    search_text: str = Field(default="", sa_column_kwargs={"server_default": ""})
    name: str = ""
    language: str = Field(default="en", index=True)
    organisation: str = ""
    attributes: dict[str, Any] = _json(dict)
    status: str = Field(default="active", index=True)  # active|blocklisted|bounced|complained
    created_at: datetime = _created()
    updated_at: datetime = _created()


class MailingList(SQLModel, table=True):
    __tablename__ = "lists"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    name: str
    description: str = ""
    opt_in: str = "double"  # single | double
    visibility: str = "private"  # public | private
    default_language: str = "en"
    # Name and description per language (0009): {"ar": {"name": "…", "description": "…"}};
    # lists.localised() falls back to the fields above.
    translations: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(sa.JSON(), nullable=False, server_default="{}"),
    )
    # The edition sent to a subscriber when the issue has none in their language (0009);
    # None: the issue's own language.
    fallback_language: str | None = None
    created_at: datetime = _created()


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("subscriber_id", "list_id"),
        sa.Index("ix_subscriptions_list_status", "list_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscribers.id", index=True, ondelete="CASCADE")
    list_id: int = Field(foreign_key="lists.id", ondelete="CASCADE")
    status: str = "unconfirmed"  # unconfirmed | confirmed | unsubscribed
    created_at: datetime = _created()
    confirmed_at: datetime | None = _time()
    unsubscribed_at: datetime | None = _time()


class ConsentRecord(SQLModel, table=True):
    """Append-only proof of consent: never updated, deleted only when the person is erased."""

    __tablename__ = "consent_records"

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int | None = Field(
        default=None, foreign_key="subscribers.id", index=True, ondelete="CASCADE"
    )
    list_id: int | None = Field(default=None, foreign_key="lists.id", ondelete="SET NULL")
    event: str  # subscribed | confirmed | imported | unsubscribed | preferences_changed | erased
    source: str = ""  # form URL, import file, "admin", "api"
    ip: str | None = None
    user_agent: str | None = None
    consent_text: str | None = _text(nullable=True, default=None)
    consent_version: str | None = None
    details: dict[str, Any] = _json(dict)
    at: datetime = _created()


class Suppression(SQLModel, table=True):
    """Addresses never to mail again without new consent, kept only as keyed hashes."""

    __tablename__ = "suppressions"

    id: int | None = Field(default=None, primary_key=True)
    email_hash: str = Field(unique=True)
    reason: str  # unsubscribed | hard_bounce | complaint | erased | admin
    note: str = ""
    created_at: datetime = _created()


# --- Delivery ----------------------------------------------------------------------------------


class Send(SQLModel, table=True):
    """One send of an issue to one or more lists; workers claim it through the lease columns."""

    __tablename__ = "sends"

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id", index=True)
    lists: list[str] = _json(list)
    status: str = Field(default="running", index=True)  # running|paused|cancelled|done|failed
    pause_reason: str = ""
    last_error: str = ""
    lease_owner: str | None = None
    lease_expires_at: datetime | None = _time()
    created_at: datetime = _created()
    started_at: datetime | None = _time()
    finished_at: datetime | None = _time()


class Delivery(SQLModel, table=True):
    """One row per recipient of an issue: the ledger that never loses or double-sends."""

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("issue_id", "subscriber_id"),
        sa.Index("ix_deliveries_claim", "send_id", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    send_id: int = Field(foreign_key="sends.id")
    subscriber_id: int | None = Field(
        default=None, foreign_key="subscribers.id", index=True, ondelete="SET NULL"
    )
    list_id: int | None = Field(default=None, foreign_key="lists.id", ondelete="SET NULL")
    language: str = "en"
    status: str = "queued"  # queued | sending | sent | failed | skipped
    attempts: int = 0
    last_code: int | None = None
    last_text: str = ""
    message_id: str | None = None
    claimed_by: str | None = None
    queued_at: datetime = _created()
    claimed_at: datetime | None = _time()
    next_attempt_at: datetime | None = _time()
    sent_at: datetime | None = _time()
    updated_at: datetime = _created()


class MailJob(SQLModel, table=True):
    """Transactional mail waiting in the database (confirmation emails), sent by the worker."""

    __tablename__ = "mail_jobs"
    __table_args__ = (sa.Index("ix_mail_jobs_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = "confirmation"
    subscriber_id: int | None = Field(
        default=None, foreign_key="subscribers.id", index=True, ondelete="CASCADE"
    )
    list_id: int | None = Field(default=None, foreign_key="lists.id", ondelete="CASCADE")
    status: str = "queued"  # queued | sending | sent | failed | dropped (no longer waiting)
    attempts: int = 0
    last_error: str = ""
    created_at: datetime = _created()
    due_at: datetime = _created()
    sent_at: datetime | None = _time()


class BounceEvent(SQLModel, table=True):
    """A bounce or complaint matched to a person (0010): what the report said and what it did.

    Deleted with the person (erasure); ``report_key`` (the report's SHA-256 and the recipient's
    place in it) makes a second import of the same report record nothing.
    """

    __tablename__ = "bounce_events"

    id: int | None = Field(default=None, primary_key=True)
    report_key: str = Field(unique=True)
    subscriber_id: int = Field(foreign_key="subscribers.id", index=True, ondelete="CASCADE")
    delivery_id: int | None = Field(default=None, foreign_key="deliveries.id", ondelete="SET NULL")
    issue_id: int | None = None
    kind: str  # hard | soft | complaint
    code: str = ""  # the enhanced status code (5.1.1) or the feedback type (abuse)
    action: str = ""  # the DSN's Action (failed, delayed) or "feedback"
    text: str = _text()  # the diagnostic code or the report's own words
    recipient: str = ""  # the address the report names
    matched_by: str = ""  # verp | message_id | recipient
    source: str = ""  # the file it was read from
    effect: str = ""  # what the rules did: "bounced, suppressed", "soft 2 of 3", ...
    at: datetime = _created()  # when the report says it happened
    created_at: datetime = _created()


class UnmatchedReport(SQLModel, table=True):
    """A bounce or complaint that names no delivery or subscriber of ours (0010): kept, listed
    by `bounces list --unmatched`, never dropped."""

    __tablename__ = "unmatched_reports"

    id: int | None = Field(default=None, primary_key=True)
    report_key: str = Field(unique=True)
    kind: str  # hard | soft | complaint | unknown (not a report we can read)
    code: str = ""
    action: str = ""
    text: str = _text()
    recipient: str = ""
    original_message_id: str = ""
    source: str = ""
    at: datetime = _created()
    created_at: datetime = _created()


# --- Operations --------------------------------------------------------------------------------


class EventLog(SQLModel, table=True):
    """Notable events and errors, shown by `newsletter status`."""

    __tablename__ = "event_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )
    level: str = "info"
    issue_id: int | None = Field(default=None, index=True)
    event: str
    message: str = _text()


class WorkerHeartbeat(SQLModel, table=True):
    """A running `newsletter worker`, refreshed on every wake-up; shown by `newsletter status`."""

    __tablename__ = "workers"

    owner: str = Field(primary_key=True)  # hostname:pid:random, also the lease owner name
    hostname: str = ""
    pid: int = 0
    state: str = "running"  # running | stopping | stopped
    send_id: int | None = None  # the send it is working on, if any
    started_at: datetime = _created()
    seen_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )


class RateLimitHit(SQLModel, table=True):
    """One counted request for a rate-limit key (per IP, per address); old rows are pruned."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (sa.Index("ix_rate_limit_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str
    at: datetime = _created()
