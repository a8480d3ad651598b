"""The workspace's tables (0011): people who sign in, their sessions and API tokens, sign-in
attempts for the throttle, the audit trail and the media library.

Kept beside ``models`` (which holds the content and audience tables) so neither grows past one
screenful of responsibilities; the migration environment imports both.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from newsletter.core.models import _created, _json, _text, _time

ROLES = ("editor", "approver", "admin")


class User(SQLModel, table=True):
    """Someone who signs in to the workspace: an editor, an approver or an admin."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)  # lower case: sign-in is case-insensitive
    name: str = ""
    role: str = "editor"
    password_hash: str = ""
    disabled: bool = False
    language: str = ""  # the workspace language they chose ("" follows the browser)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    password_changed_at: datetime = _created()


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie's value is stored: a copy of the
    database signs nobody in."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = _created()
    last_seen_at: datetime = _created()
    ip: str = ""
    user_agent: str = ""


class ApiToken(SQLModel, table=True):
    """A token for scripts, acting as its user with the user's role; stored hashed."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = ""
    created_at: datetime = _created()
    last_used_at: datetime | None = _time()
    revoked_at: datetime | None = _time()


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt, counted per account and per address by the throttle; pruned."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_account_at", "account", "at"),
        sa.Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str  # the e-mail as typed, folded to lower case
    ip: str
    ok: bool = False
    at: datetime = _created()


class AuditEvent(SQLModel, table=True):
    """Who did what to which thing, when: shown on each block, issue and user."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_subject", "subject", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor: str = ""  # the user's e-mail, or "cli:<login>" for the terminal
    action: str  # created, changed, submitted, approved, sent back, scheduled, sent, ...
    subject: str  # block | issue | media | user | list | subscriber
    subject_id: int = 0
    note: str = _text()
    details: dict[str, object] = _json(dict)


class MediaItem(SQLModel, table=True):
    """An uploaded photo, re-encoded at the email widths and served under /media/."""

    __tablename__ = "media"

    id: int | None = Field(default=None, primary_key=True)
    stem: str = Field(unique=True)  # random file-name stem; files are <stem>-<width>.<ext>
    original_name: str = ""
    extension: str = "jpg"  # jpg | png
    width: int = 0  # of the largest stored version
    height: int = 0
    widths: list[int] = _json(list)
    bytes: int = 0
    alt: str = _text()
    credit: str = ""
    uploaded_by: str = ""
    created_at: datetime = _created()
