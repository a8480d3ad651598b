"""Who a send of an issue to some lists reaches, and who is left out and why.

Confirmed subscribers of the lists, once each (the first list given names their unsubscribe
link), minus blocklisted and suppressed people and whoever an earlier send of the issue already
reached or tried. The exception is a cancelled send's rows it never attempted (``skipped`` by
the cancel, or still ``queued``): those people are chosen again, and their row moves to the new
send (``ledger.requeue``). Delivered, failed and possibly sent rows stay excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from newsletter.audience import lists
from newsletter.core.errors import UserError
from newsletter.core.models import Delivery, Send, Subscriber, Subscription, Suppression
from newsletter.delivery.ledger_fast import Digester


@dataclass(frozen=True)
class Audience:
    """Who a send to these lists would reach, and who is left out and why."""

    recipients: list[tuple[int, int, str]]  # (subscriber id, list id, language)
    suppressed: int
    blocklisted: int
    already_sent: int
    # Recipients whose row from a cancelled send was never attempted: subscriber → row id.
    carried_over: dict[int, int] = field(default_factory=dict)


def _earlier_rows(conn: sa.Connection, issue_id: int) -> tuple[set[int], dict[int, int]]:
    """(people an earlier send of the issue reached or tried, rows a cancelled send never
    attempted by person). Sent, failed and possibly sent ("sending") rows stay excluded."""
    d, sends = Delivery.__table__, Send.__table__  # type: ignore[attr-defined]
    rows = conn.execute(
        sa.select(d.c.id, d.c.subscriber_id, d.c.status, sends.c.status)
        .join(sends, sends.c.id == d.c.send_id)
        .where(d.c.issue_id == issue_id, d.c.subscriber_id.is_not(None))
    ).all()
    done: set[int] = set()
    open_rows: dict[int, int] = {}
    for row_id, sub_id, status, send_status in rows:
        if send_status == "cancelled" and status in ("skipped", "queued"):
            open_rows[sub_id] = row_id
        else:
            done.add(sub_id)
    return done, open_rows


def audience(session: Session, secret: str, issue_id: int, list_slugs: list[str]) -> Audience:
    """Confirmed subscribers of the lists, once each, minus suppressed and blocklisted ones."""
    mlists = lists.get_many(session, list_slugs)
    if not mlists:
        raise UserError("choose at least one list (--list SLUG)")
    order = {m.id: i for i, m in enumerate(mlists)}
    sub, member = Subscriber.__table__, Subscription.__table__  # type: ignore[attr-defined]
    conn = session.connection()  # Core, not ORM objects: this reads every subscriber
    rows = conn.execute(
        sa.select(sub.c.id, sub.c.email, sub.c.status, sub.c.language, member.c.list_id)
        .join(member, member.c.subscriber_id == sub.c.id)
        .where(member.c.list_id.in_(list(order)), member.c.status == "confirmed")
        .order_by(sub.c.id)
    ).all()
    done, open_rows = _earlier_rows(conn, issue_id)
    hashes = set(conn.execute(sa.select(Suppression.__table__.c.email_hash)).scalars())
    digest = Digester(secret)
    chosen: dict[int, tuple[int, str]] = {}
    seen: set[int] = set()
    suppressed = blocked = already = 0
    for sub_id, email, status, language, list_id in rows:
        if sub_id in chosen:  # on several lists: the first list given names the link
            if order[list_id] < order[chosen[sub_id][0]]:
                chosen[sub_id] = (list_id, language)
            continue
        if sub_id in seen:
            continue
        seen.add(sub_id)
        if sub_id in done:
            already += 1
        elif status != "active":
            blocked += 1
        elif digest(email) in hashes:
            suppressed += 1
        else:
            chosen[sub_id] = (list_id, language)
    recipients = [(sid, lid, lang) for sid, (lid, lang) in chosen.items()]
    carried = {sid: open_rows[sid] for sid in chosen if sid in open_rows}
    return Audience(recipients, suppressed, blocked, already, carried)
