"""Users of the workspace: add, find, list, edit, disable, set a password.

E-mail addresses are the sign-in names, stored lower case. There is always at least one enabled
admin once the first exists: the last one cannot be disabled or given a lower role, so an office
never locks itself out of its own settings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from newsletter.accounts import passwords, throttle
from newsletter.accounts.roles import check_role
from newsletter.core import audit
from newsletter.core.account_models import AuditEvent, User, UserSession
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.safe_text import problem

# A workspace language the person chose: a language code, or "" to follow the browser.
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})?")


def normalise_email(value: str) -> str:
    """The sign-in form of an address (checked, lower case); UserError naming the field."""
    text = (value or "").strip()
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise UserError(f"email: {text!r} is not an e-mail address ({exc})") from None
    return checked.normalized.lower()


def lookup_key(email: str) -> str:
    """The stored form of an address as typed: normalised when it is one (so "A@B.ORG", an
    address in another Unicode normal form or a punycode domain find their account), else
    folded to lower case (so a mistyped one finds nobody rather than raising)."""
    try:
        return normalise_email(email)
    except UserError:
        return throttle.account_key(email)


def find(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == lookup_key(email))).first()


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def by_email(session: Session, email: str) -> User:
    user = find(session, email)
    if user is None:
        raise NotFound(f"user {email!r} not found (see `newsletter users list`)")
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(User.email)).all()


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(User)).one())


def _name(value: str) -> str:
    # "name: …" so that a form shows the refusal beside its name field.
    found = problem(value or "")
    if found:
        raise UserError(f"name: it {found}; write it on one line without control characters")
    name = (value or "").strip()
    if len(name) > 200:
        raise UserError("name: use at most 200 characters")
    return name


def add(
    session: Session,
    email: str,
    role: str,
    password: str,
    now: datetime,
    name: str = "",
    actor: str = "",
) -> User:
    key = normalise_email(email)
    check_role(role)
    if find(session, key) is not None:
        raise UserError(f"email: a user {key} already exists")
    user = User(
        email=key,
        name=_name(name),
        role=role,
        password_hash=passwords.hash_password(password),
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same address added at the same moment by someone else
        raise UserError(f"email: a user {key} already exists") from None
    audit.record(session, actor, "created", "user", user.id, now, role=role)
    return user


def _enabled_admins(session: Session) -> int:
    query = select(func.count()).select_from(User)
    query = query.where(User.role == "admin", ~col(User.disabled))
    return int(session.exec(query).one())


def _keep_an_admin(session: Session, user: User, new_role: str, disabled: bool) -> None:
    losing = user.role == "admin" and not user.disabled and (new_role != "admin" or disabled)
    if losing and _enabled_admins(session) <= 1:
        raise StateError(f"{user.email} is the last admin: add another admin first")


def edit(
    session: Session,
    user_id: int,
    now: datetime,
    actor: str = "",
    name: str | None = None,
    role: str | None = None,
    language: str | None = None,
) -> User:
    user = get(session, user_id)
    changes: dict[str, Any] = {}
    if role is not None and role != user.role:
        check_role(role)
        _keep_an_admin(session, user, role, user.disabled)
        changes["role"] = [user.role, role]
        user.role = role
    if name is not None and _name(name) != user.name:
        changes["name"] = [user.name, _name(name)]
        user.name = _name(name)
    if language is not None and language != user.language:
        if language and not LANGUAGE.fullmatch(language):
            raise UserError(f"language: {language!r} is not a language code (e.g. tr, or '')")
        user.language = language
        changes["language"] = language
    if changes:
        user.updated_at = now
        session.add(user)
        audit.record(session, actor, "changed", "user", user.id, now, **changes)
    return user


def set_disabled(
    session: Session, user_id: int, disabled: bool, now: datetime, actor: str = ""
) -> User:
    user = get(session, user_id)
    if disabled == user.disabled:
        return user  # nothing happens, so nothing is recorded
    if disabled:
        _keep_an_admin(session, user, user.role, True)
        end_sessions(session, user.id or 0)
    user.disabled = disabled
    user.updated_at = now
    session.add(user)
    action = "disabled" if disabled else "enabled"
    audit.record(session, actor, action, "user", user.id, now)
    return user


def set_password(
    session: Session, user_id: int, password: str, now: datetime, actor: str = ""
) -> User:
    """A new password; every session of the user ends (a stolen cookie stops working) and
    the sign-in lock of their account lifts (the lock message says to ask for a reset)."""
    user = get(session, user_id)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    user.updated_at = now
    session.add(user)
    end_sessions(session, user.id or 0)
    throttle.clear(session, user.email)
    audit.record(session, actor, "password changed", "user", user.id, now)
    return user


def end_sessions(session: Session, user_id: int) -> int:
    rows = session.exec(select(UserSession).where(UserSession.user_id == user_id)).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def history(session: Session, limit: int = 100) -> Sequence[AuditEvent]:
    """What was done to users (added, changed, disabled, passwords), newest first."""
    query = select(AuditEvent).where(AuditEvent.subject == "user")
    return session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()


def label(user: User) -> str:
    """How the workspace names a person: "Name <email>" or the address alone."""
    return f"{user.name} <{user.email}>" if user.name else user.email


def to_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "language": user.language,
        "created_at": user.created_at.isoformat(),
        "password_changed_at": user.password_changed_at.isoformat(),
    }
