"""What the review panel's sending forms need besides the services: who a test goes to, how
many people a send now reaches per list, whether a worker is there to send it, and which field
of the panel a service's message is about.

A "proof list" is an ordinary mailing list (say, a private ``proofs`` list of colleagues): a
test goes to its confirmed members, minus suppressed and blocked addresses, as a real send
would choose them. A list longer than ``PROOF_LIST_MAX`` is refused: that is a send, not a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from newsletter.audience import lists
from newsletter.audience.addresses import normalise
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, Subscriber
from newsletter.delivery import ledger
from newsletter.scheduling import status_report

PROOF_LIST_MAX = 25
ADDRESSES_MAX = 10
_SPLIT = re.compile(r"[\s,;]+")


def proof_addresses(
    session: Session, config: Config, issue_id: int, to: str, me: str, slug: str, typed: str
) -> list[str]:
    """The addresses a test goes to: ``me`` (the viewer), a proof list's members, or the
    addresses typed (up to ADDRESSES_MAX, each checked)."""
    if to == "me":
        return [me]
    if to == "list":
        if not slug:
            raise UserError("proof_list: choose the list of colleagues who get the test")
        return _members(session, config, issue_id, slug)
    if to == "addresses":
        given = [a for a in _SPLIT.split(typed) if a]
        if not given:
            raise UserError("addresses: type at least one address for the test")
        if len(given) > ADDRESSES_MAX:
            raise UserError(
                f"addresses: {len(given)} addresses; a test goes to at most {ADDRESSES_MAX} "
                "(use a proof list for more)"
            )
        for address in given:
            try:
                normalise(address)
            except UserError as exc:
                raise UserError(f"addresses: {exc}") from None
        return given
    raise UserError("to: choose who gets the test (me, a proof list or addresses)")


def _members(session: Session, config: Config, issue_id: int, slug: str) -> list[str]:
    try:
        found = ledger.audience(session, config.secret_key, issue_id, [slug])
    except UserError as exc:
        raise UserError(f"proof_list: {exc}") from None
    if not found.recipients:
        raise UserError(f"proof_list: list {slug!r} has nobody confirmed to send a test to")
    if len(found.recipients) > PROOF_LIST_MAX:
        raise UserError(
            f"proof_list: list {slug!r} has {len(found.recipients)} people; a proof list has "
            f"at most {PROOF_LIST_MAX} (to send the issue, use Send now)"
        )
    ids = [sid for sid, _list, _lang in found.recipients]
    query = select(Subscriber.email).where(col(Subscriber.id).in_(ids))
    return sorted(session.exec(query.order_by(col(Subscriber.id))).all())


@dataclass(frozen=True)
class ListCount:
    """One target list on the confirmation page: its confirmed people who would get it."""

    mlist: MailingList
    recipients: int


@dataclass(frozen=True)
class Reach:
    """Who a send now reaches: per list, and all together (someone on two lists counts once)."""

    per_list: list[ListCount]
    total: int
    suppressed: int
    blocklisted: int
    already_sent: int


def reach(session: Session, config: Config, issue_id: int, slugs: list[str]) -> Reach:
    """The counts the CLI's `issues send` prints before it asks (NotFound for a bad slug)."""
    secret = config.secret_key
    per_list = [
        ListCount(m, len(ledger.audience(session, secret, issue_id, [m.slug]).recipients))
        for m in lists.get_many(session, slugs)
    ]
    found = ledger.audience(session, secret, issue_id, slugs)
    return Reach(per_list, len(found.recipients), found.suppressed, found.blocklisted,
                 found.already_sent)  # fmt: skip


def worker_running(session: Session, config: Config, now: datetime) -> bool:
    """Whether a `newsletter worker` answered lately: the web app only writes the send, the
    worker sends it, so without one nothing goes out."""
    workers = status_report.collect(session, config.scheduler, now, errors=0)["workers"]
    return any(w["state"] != "not responding" for w in workers)


def beside(message: str) -> dict[str, str]:
    """{field: message} for the panel: the message beside its field, without the "field: "
    it starts with (the label says that already)."""
    name = field_of(message)
    shown = message.removeprefix("--at ") if name == "at" else message.removeprefix(f"{name}: ")
    return {name: shown if name else message}


def field_of(message: str) -> str:
    """The panel field a service's message is about ("" for the top of the form)."""
    rest = message.removeprefix("--")
    for name in ("note", "proof_list", "addresses", "to", "confirm", "language"):
        if rest.startswith(name + ":"):
            return name
    if rest.startswith("at "):
        return "at"
    if message.startswith("unknown time zone"):
        return "tz"
    if rest.startswith("list") or message.startswith(("no list with slug", "choose at least one")):
        return "lists"
    return ""
