"""Mailing lists: create, find, edit, delete, and how many people are on each.

A list's name and description can be given per language (``translate``; ``localised`` reads
them, falling back to the list's own), and a list may name the edition its members get when an
issue has none in their language (``fallback_language``; ``edition_language`` decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import MailingList, Subscription
from newsletter.core.safe_text import one_line, problem

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


def _check_fallback(value: str | None) -> str | None:
    """A fallback language code, or None for "" (none: the issue's own language)."""
    if value is None or not value.strip():
        return None
    return check_language(value, "fallback language")


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
    fallback_language: str | None = None,
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
    fallback_language = _check_fallback(fallback_language)
    if find(session, slug) is not None:
        raise StateError(f"a list with slug {slug!r} already exists")
    mlist = MailingList(
        slug=slug,
        name=name.strip(),
        description=description,
        opt_in=opt_in,
        visibility=visibility,
        default_language=default_language,
        fallback_language=fallback_language,
        created_at=now,
    )
    session.add(mlist)
    session.flush()
    return mlist


def translate(
    session: Session,
    slug: str,
    language: str,
    *,
    name: str | None = None,
    description: str | None = None,
    remove: bool = False,
) -> MailingList:
    """Set the list's name and/or description in ``language`` ("" drops that one), or remove
    the language. The name goes into confirmation subjects: one line; a description may span
    lines (it is a paragraph on the public pages)."""
    mlist = get(session, slug)
    language = check_language(language)
    translations = dict(mlist.translations or {})
    if remove:
        if language not in translations:
            raise UserError(f"list {slug!r} has no {language!r} translation")
        translations.pop(language)
    else:
        if name is None and description is None:
            raise UserError("nothing to change: give --name, --description or --remove")
        entry = dict(translations.get(language, {}))
        for field, value in (("name", name), ("description", description)):
            if value is None:
                continue
            text = value.strip().replace("\r\n", "\n")
            found = problem(text) if field == "name" else problem(text.replace("\n", " "))
            if found:
                raise UserError(f"{language} list {field} {found}")
            entry[field] = text
        translations[language] = {k: v for k, v in entry.items() if v}
        translations = {k: v for k, v in translations.items() if v}
    mlist.translations = translations  # a new dict: the JSON column sees the change
    session.add(mlist)
    session.flush()
    return mlist


def localised(mlist: MailingList, lang: str) -> tuple[str, str]:
    """The list's name and description in ``lang``, each falling back to the list's own."""
    entry = (mlist.translations or {}).get(lang) or {}
    return (entry.get("name") or mlist.name, entry.get("description") or mlist.description)


def edition_language(
    mlist: MailingList | None, language: str, available: set[str] | frozenset[str], default: str
) -> str:
    """The edition a member of ``mlist`` whose language is ``language`` gets, of the issue's
    ``available`` editions: their own, else the list's fallback, else ``default`` (the issue's
    own language)."""
    if language in available:
        return language
    fallback = mlist.fallback_language if mlist is not None else None
    return fallback if fallback in available else default


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


EDITABLE = ("name", "description", "opt_in", "visibility", "default_language", "fallback_language")


def edit(session: Session, slug: str, **changes: Any) -> MailingList:
    """Change the fields of EDITABLE given (None: unchanged; fallback_language "": none)."""
    mlist = get(session, slug)
    changes = {k: v for k, v in changes.items() if v is not None}
    _check(changes.get("opt_in"), changes.get("visibility"))
    if "default_language" in changes:
        check_language(changes["default_language"], "default language")
    if "fallback_language" in changes:
        changes["fallback_language"] = _check_fallback(changes["fallback_language"])
    if "name" in changes and not changes["name"].strip():
        raise UserError("a list needs a name")
    if "name" in changes:
        one_line("list name", changes["name"])
    for key, value in changes.items():
        if key not in EDITABLE:
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
