"""One batch of an import, applied with bulk SQL: a few queries per thousand rows.

Each row has already been validated and deduplicated; here it is checked against the
suppression list and the existing subscribers, then inserted or updated, put on the list,
given its consent record and, on a double opt-in list, a queued confirmation mail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsletter.audience.addresses import Address
from newsletter.audience.csv_source import Row
from newsletter.audience.search_text import for_subscriber
from newsletter.core.bulk_insert import BulkInsert, json_with_line
from newsletter.core.models import (
    ConsentRecord,
    MailingList,
    MailJob,
    Subscriber,
    Subscription,
    Suppression,
)

S = Subscriber.__table__
SUB = Subscription.__table__


@dataclass(slots=True)
class Prepared:
    row: Row
    address: Address
    digest: str  # suppression hash
    # The keys (and their hashes) older versions gave the address, if different (addresses.py).
    earlier: tuple[str, ...] = ()
    earlier_digests: tuple[str, ...] = ()
    warning: str | None = None  # imported, but flagged in the report (csv_import)
    suspect: tuple[str, ...] = ()  # fields whose letters were lost: never overwrite a value


@dataclass
class Batch:
    mlist: MailingList
    options: Any  # csv_import.ImportOptions
    now: datetime
    source_name: str
    rows: list[Prepared] = field(default_factory=list)


@dataclass
class Outcome:
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[int, str, str, str]] = field(default_factory=list)


def apply_batch(conn: Connection, batch: Batch) -> Outcome:
    out = Outcome()
    rows = batch.rows
    suppressed = _suppressed(conn, [d for p in rows for d in (p.digest, *p.earlier_digests)])
    existing = _existing(conn, [k for p in rows for k in (p.address.normalised, *p.earlier)])
    held = _held(conn, batch.mlist.id, [r["id"] for r in existing.values()])
    inserts: list[Prepared] = []
    updates: list[dict[str, Any]] = []
    join: list[tuple[int, int | None, str]] = []  # (line, subscriber id or None if new, email)
    confirm: list[tuple[int, int]] = []
    for p in rows:
        old = next(filter(None, map(existing.get, (p.address.normalised, *p.earlier))), None)
        reason = _skip_reason(p, old, suppressed, held, batch.mlist.slug)
        if reason is not None:
            out.skipped.append((p.row.line, p.row.email, *reason))
            continue
        if old is None:
            inserts.append(p)
            join.append((p.row.line, None, p.address.normalised))
            continue
        change = _changes(old, p)
        if change:
            change["search_text"] = for_subscriber(
                change["email"], change["name"], change["organisation"]
            )
        out.counts["updated" if change else "unchanged"] += 1
        if change:
            updates.append({"b_id": old["id"], **change, "updated_at": batch.now})
        status = held.get(old["id"])
        if status is None:
            join.append((p.row.line, old["id"], p.address.normalised))
        elif status == "unconfirmed" and batch.options.confirmed:
            confirm.append((p.row.line, old["id"]))
    ids = _insert(conn, batch, inserts)
    out.counts["added"] += len(inserts)
    _update(conn, updates)
    _subscribe(conn, batch, [(line, sid or ids[email]) for line, sid, email in join], out)
    _confirm(conn, batch, confirm, out)
    return out


def _many(name: str) -> sa.BindParameter[Any]:
    """An IN list bound at execution, so the statement compiles once, not once per batch."""
    return sa.bindparam(name, expanding=True)


def _suppressed(conn: Connection, digests: list[str]) -> set[str]:
    table = Suppression.__table__
    query = sa.select(table.c.email_hash).where(table.c.email_hash.in_(_many("values")))
    return {row[0] for row in conn.execute(query, {"values": digests})}


def _existing(conn: Connection, emails: list[str]) -> dict[str, dict[str, Any]]:
    query = sa.select(S.c.id, S.c.status, *(S.c[k] for k in UPDATED)).where(
        S.c.email.in_(_many("values"))
    )
    return {row.email: dict(row._mapping) for row in conn.execute(query, {"values": emails})}


def _held(conn: Connection, list_id: int | None, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = sa.select(SUB.c.subscriber_id, SUB.c.status).where(
        SUB.c.list_id == list_id, SUB.c.subscriber_id.in_(ids)
    )
    return {sid: status for sid, status in conn.execute(query)}


def _skip_reason(
    p: Prepared,
    old: dict[str, Any] | None,
    suppressed: set[str],
    held: dict[int, str],
    slug: str,
) -> tuple[str, str] | None:
    if p.digest in suppressed or not suppressed.isdisjoint(p.earlier_digests):
        return "suppressed", "on the suppression list (unsubscribed, bounced, complained or erased)"
    if old is None:
        return None
    if old["status"] == "blocklisted":
        return "suppressed", "blocklisted by an admin"
    if held.get(old["id"]) == "unsubscribed":
        return "unsubscribed", f"unsubscribed from {slug} earlier: needs new consent"
    return None


# The columns an import may change on an existing subscriber.
UPDATED = ("email", "email_ascii", "smtputf8", "name", "language", "organisation", "attributes")
NEW_COLUMNS = ("email", "email_ascii", "smtputf8", "name", "language", "organisation",
               "attributes", "status", "created_at", "updated_at", "search_text")  # fmt: skip


def _new(raw: BulkInsert, p: Prepared, now: Any, language: str, flags: tuple[Any, Any]) -> tuple:
    row, address = p.row, p.address
    search = for_subscriber(address.normalised, row.name, row.organisation)
    return (address.normalised, address.envelope, flags[address.smtputf8], row.name,
            row.language or language, row.organisation, raw.value("attributes", row.attributes),
            "active", now, now, search)  # fmt: skip


def _changes(old: dict[str, Any], p: Prepared) -> dict[str, Any]:
    """Non-empty cells that differ; empty cells leave what is stored, and so do cells whose
    letters were lost ("???? ?????") where a value is stored. A record found under an earlier
    key (addresses.earlier_keys) moves to today's: the old envelope may not exist."""
    row, address = p.row, p.address
    change: dict[str, Any] = {}
    if old["email"] != address.normalised:
        change.update(email=address.normalised, email_ascii=address.envelope,
                      smtputf8=address.smtputf8)  # fmt: skip
    for key in ("name", "language", "organisation"):
        value = getattr(row, key)
        if key in p.suspect and old[key]:
            continue
        if value and value != old[key]:
            change[key] = value
    merged = {**old["attributes"], **row.attributes}
    if merged != old["attributes"]:
        change["attributes"] = merged
    if not change:
        return {}
    return {k: change.get(k, old[k]) for k in UPDATED}


def _insert(conn: Connection, batch: Batch, rows: list[Prepared]) -> dict[str, int]:
    if not rows:
        return {}
    raw = BulkInsert(conn, S)
    now, language = raw.value("created_at", batch.now), batch.mlist.default_language
    flags = (raw.value("smtputf8", False), raw.value("smtputf8", True))
    raw.insert(NEW_COLUMNS, [_new(raw, p, now, language, flags) for p in rows])
    emails = [p.address.normalised for p in rows]
    return {email: sid for sid, email in conn.execute(
        sa.select(S.c.id, S.c.email).where(S.c.email.in_(_many("values"))), {"values": emails}
    )}  # fmt: skip


def _update(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    values = {k: sa.bindparam(k) for k in (*UPDATED, "search_text")}
    statement = (
        sa.update(S)
        .where(S.c.id == sa.bindparam("b_id"))
        .values(**values, updated_at=sa.bindparam("updated_at"))
    )
    conn.execute(statement, rows)


def _subscribe(
    conn: Connection, batch: Batch, members: list[tuple[int, int]], out: Outcome
) -> None:
    if not members:
        return
    list_id = batch.mlist.id
    confirmed = batch.options.confirmed or batch.mlist.opt_in == "single"
    status = "confirmed" if confirmed else "unconfirmed"
    raw = BulkInsert(conn, SUB)
    now = raw.value("created_at", batch.now)
    when = now if confirmed else None
    raw.insert(
        ("subscriber_id", "list_id", "status", "created_at", "confirmed_at", "unsubscribed_at"),
        [(sid, list_id, status, now, when, None) for _, sid in members],
    )
    _consent(conn, batch, members, confirmed)
    out.counts["subscribed"] += len(members)
    if confirmed:
        out.counts["confirmed"] += len(members)
        return
    BulkInsert(conn, MailJob.__table__).insert(
        ("kind", "subscriber_id", "list_id", "status", "attempts", "last_error", "created_at",
         "due_at", "sent_at"),
        [("confirmation", sid, list_id, "queued", 0, "", now, now, None) for _, sid in members],
    )  # fmt: skip
    out.counts["confirmations_queued"] += len(members)


def _confirm(conn: Connection, batch: Batch, members: list[tuple[int, int]], out: Outcome) -> None:
    if not members:
        return
    ids = [sid for _, sid in members]
    list_id = batch.mlist.id
    conn.execute(
        sa.update(SUB)
        .where(SUB.c.list_id == list_id, SUB.c.subscriber_id.in_(ids))
        .values(status="confirmed", confirmed_at=batch.now)
    )
    jobs = MailJob.__table__
    conn.execute(
        sa.delete(jobs).where(
            jobs.c.list_id == list_id, jobs.c.subscriber_id.in_(ids), jobs.c.status == "queued"
        )
    )
    _consent(conn, batch, members, True)
    out.counts["confirmed"] += len(members)


def _consent(
    conn: Connection, batch: Batch, members: list[tuple[int, int]], confirmed: bool
) -> None:
    options = batch.options
    text = options.consent_source if options.confirmed else None
    raw = BulkInsert(conn, ConsentRecord.__table__)
    now = raw.value("at", batch.now)
    source = f"import {batch.source_name}"
    list_id = batch.mlist.id
    details = json_with_line(raw, {"line": 0, "confirmed": confirmed, "opt_in": batch.mlist.opt_in})
    raw.insert(
        ("subscriber_id", "list_id", "event", "source", "consent_text", "at", "details"),
        [(sid, list_id, "imported", source, text, now, details(line)) for line, sid in members],
    )
