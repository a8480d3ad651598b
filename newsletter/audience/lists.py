"""Mailing lists: create, find, edit, delete, and how many people are on each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import MailingList, Subscription
from newsletter.core.safe_text import one_line

OPT_INS = ("single", "double")
VISIBILITIES = ("public", "private")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")


@dataclass(frozen=True)
class ListCounts:
    unconfirmed: int = 0
    confirmed: int = 0
    unsubscribed: int = 0


def check_language(value: str, what: str = "language") -> str:
    value = value.strip()
    if not LANGUAGE.match(value):
        raise UserError(f"{what} {value!r} is not a language code such as 'tr', 'en' or 'ar'")
    return value


def _check(opt_in: str | None, visibility: str | None) -> None:
    if opt_in is not None and opt_in not in OPT_INS:
        raise UserError(f"opt-in {opt_in!r}: use 'single' or 'double'")
    if visibility is not None and visibility not in VISIBILITIES:
        raise UserError(f"visibility {visibility!r}: use 'public' or 'private'")


def create(
    session: Session,
    slug: str,
    name: str,
    now: datetime,
    description: str = "",
    opt_in: str = "double",
    visibility: str = "private",
    default_language: str = "en",
) -> MailingList:
    if not _SLUG.match(slug):
        raise UserError(
            f"list slug {slug!r}: use lowercase letters, digits and hyphens (e.g. 'monthly-tr')"
        )
    if not name.strip():
        raise UserError("a list needs a name")
    one_line("list name", name)  # it goes into the subject of confirmation mails
    _check(opt_in, visibility)
    check_language(default_language, "default language")
    if find(session, slug) is not None:
        raise StateError(f"a list with slug {slug!r} already exists")
    mlist = MailingList(
        slug=slug,
        name=name.strip(),
        description=description,
        opt_in=opt_in,
        visibility=visibility,
        default_language=default_language,
        created_at=now,
    )
    session.add(mlist)
    session.flush()
    return mlist


def find(session: Session, slug: str) -> MailingList | None:
    return session.exec(select(MailingList).where(MailingList.slug == slug)).first()


def get(session: Session, slug: str) -> MailingList:
    found = find(session, slug)
    if found is None:
        raise NotFound(f"no list with slug {slug!r} (see 'newsletter lists list')")
    return found


def get_many(session: Session, slugs: list[str]) -> list[MailingList]:
    return [get(session, slug) for slug in dict.fromkeys(slugs)]


def all_lists(session: Session, public_only: bool = False) -> list[MailingList]:
    query = select(MailingList).order_by(MailingList.slug)
    if public_only:
        query = query.where(MailingList.visibility == "public")
    return list(session.exec(query))


def counts(session: Session) -> dict[int, ListCounts]:
    """Members per list and subscription status, in one grouped query."""
    session.flush()
    table = Subscription.__table__
    rows = session.connection().execute(
        sa.select(table.c.list_id, table.c.status, sa.func.count()).group_by(
            table.c.list_id, table.c.status
        )
    )
    found: dict[int, dict[str, int]] = {}
    for list_id, status, number in rows:
        found.setdefault(list_id, {})[status] = number
    return {list_id: ListCounts(**values) for list_id, values in found.items()}


def edit(session: Session, slug: str, **changes: Any) -> MailingList:
    """Change name, description, opt_in, visibility or default_language (None: unchanged)."""
    mlist = get(session, slug)
    changes = {k: v for k, v in changes.items() if v is not None}
    _check(changes.get("opt_in"), changes.get("visibility"))
    if "default_language" in changes:
        check_language(changes["default_language"], "default language")
    if "name" in changes and not changes["name"].strip():
        raise UserError("a list needs a name")
    if "name" in changes:
        one_line("list name", changes["name"])
    for key, value in changes.items():
        if key not in ("name", "description", "opt_in", "visibility", "default_language"):
            raise UserError(f"a list has no field {key!r}")
        setattr(mlist, key, value)
    session.add(mlist)
    session.flush()
    return mlist


def delete(session: Session, slug: str, force: bool = False) -> int:
    """Delete a list; refuses one with members unless ``force``. Returns members removed."""
    mlist = get(session, slug)
    session.flush()
    table = Subscription.__table__
    members = session.connection().scalar(
        sa.select(sa.func.count()).where(table.c.list_id == mlist.id)
    )
    if members and not force:
        raise StateError(
            f"list {slug!r} has {members} subscriptions: use --force to delete them with the list"
        )
    session.connection().execute(sa.delete(table).where(table.c.list_id == mlist.id))
    session.delete(mlist)
    session.flush()
    return int(members or 0)


def as_dict(mlist: MailingList, count: ListCounts | None = None) -> dict[str, Any]:
    dumped = mlist.model_dump()
    data = {name: dumped[name] for name in MailingList.model_fields if name in dumped}
    if count is not None:
        data["counts"] = {
            "unconfirmed": count.unconfirmed,
            "confirmed": count.confirmed,
            "unsubscribed": count.unsubscribed,
        }
    return data
