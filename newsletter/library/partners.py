"""The organisations table: partners and donors the importer recognises, kept by admins.

One row per organisation: its full name in English (unique), acronym, Turkish name and acronym,
other names (aliases) and a kind. No two organisations may share a way of being written, so a
name found in a story always means one of them. Every function takes the session first and
never commits.

Names in ``library.partners`` of the config, when the config sets that key, are recognised too,
each as an organisation of its own; the table is where acronyms and Turkish names live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import NotFound, UserError
from newsletter.core.models import Organisation
from newsletter.core.safe_text import one_line
from newsletter.core.textmatch import unique
from newsletter.library.organisations import Org, PartnerIndex, key

KINDS = ("partner", "donor", "government", "un", "ngo")
FIELDS = ("name", "acronym", "name_tr", "acronym_tr", "aliases", "kind")


def listing(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))))


def as_org(row: Organisation) -> Org:
    return Org(row.name, row.acronym, row.name_tr, row.acronym_tr, tuple(row.aliases), row.kind)


def to_json(row: Organisation) -> dict[str, Any]:
    return {"id": row.id, **{f: getattr(row, f) for f in FIELDS}}


def forms(row: Organisation) -> list[str]:
    return [f for f, _ in as_org(row).forms()]


def get(session: Session, ref: str) -> Organisation:
    """An organisation by id, or by any of its names or acronyms (ignoring case)."""
    rows = listing(session)
    if ref.strip().isdigit():
        found = next((r for r in rows if r.id == int(ref)), None)
    else:
        wanted = key(ref)
        found = next((r for r in rows if wanted in {key(f) for f in forms(r)}), None)
    if found is None:
        raise NotFound(f"no partner '{ref}' (see 'newsletter blocks partners list')")
    return found


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in FIELDS:
            raise UserError(f"unknown partner field '{name}' (fields: {', '.join(FIELDS)})")
        if name == "aliases":
            items = value.split(",") if isinstance(value, str) else list(value or [])
            out[name] = unique(one_line("aliases", " ".join(str(a).split())) for a in items
                               if str(a).strip())  # fmt: skip
        elif name == "kind":
            kind = str(value).strip().lower()
            if kind not in KINDS:
                raise UserError(f"kind: unknown kind {value!r} (choose one of: {', '.join(KINDS)})")
            out[name] = kind
        else:
            out[name] = one_line(name, " ".join(str(value or "").split()))
    if "name" in out and not out["name"]:
        raise UserError("name: a partner needs its full name")
    return out


def _check_unique(session: Session, row: Organisation) -> None:
    """No name or acronym may also name another organisation."""
    mine = {key(f): f for f in forms(row)}
    for other in listing(session):
        if other.id == row.id:
            continue
        for form in forms(other):
            if key(form) in mine:
                raise UserError(
                    f"'{mine[key(form)]}' already names {other.name} (id {other.id}): "
                    "edit that partner or choose another name"
                )


def add(session: Session, fields: dict[str, Any], now: datetime) -> Organisation:
    values = _clean(fields)
    if not values.get("name"):
        raise UserError("name: a partner needs its full name (--name)")
    row = Organisation(**values, created_at=now, updated_at=now)
    _check_unique(session, row)
    session.add(row)
    session.flush()
    return row


def edit(session: Session, ref: str, changes: dict[str, Any], now: datetime) -> Organisation:
    row = get(session, ref)
    values = _clean(changes)
    for name, value in values.items():
        setattr(row, name, value)
    _check_unique(session, row)
    row.updated_at = now
    session.add(row)
    session.flush()
    return row


def remove(session: Session, ref: str) -> Organisation:
    row = get(session, ref)
    session.delete(row)
    session.flush()
    return row


def index(session: Session, library: LibraryConfig) -> PartnerIndex:
    """Everything the importer recognises: the table, and names the config adds."""
    orgs = [as_org(r) for r in listing(session)]
    known = {key(f) for o in orgs for f, _ in o.forms()}
    if "partners" in library.model_fields_set:
        extra = PartnerIndex.from_names(n for n in library.partners if key(n) not in known)
        orgs += extra.orgs
    return PartnerIndex(orgs)
