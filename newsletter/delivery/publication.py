"""Which issues are published: the archive's rules, read from the sends.

An issue is published (listed in the archive, its web version open to everyone) once a send to
a public list has finished. Its web version opens already while that send is going out, since
recipients follow "view online" as soon as the email arrives. An issue sent only to private
lists is never listed; it opens only with the key from its email (``was_sent``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from newsletter.core.models import MailingList, Send

LISTED_SENDS = ("done",)
# Recipients open "view online" while a send is still going out, so those work early.
VIEWABLE_SENDS = ("running", "paused", "done")


def public_slugs(session: Session) -> set[str]:
    rows = session.exec(select(MailingList.slug).where(MailingList.visibility == "public"))
    return set(rows)


def published(session: Session, statuses: tuple[str, ...] = LISTED_SENDS) -> dict[int, datetime]:
    """Issue id -> when its first send to a public list (in one of ``statuses``) ended."""
    public = public_slugs(session)
    sent: dict[int, datetime] = {}
    sends = session.exec(select(Send).where(Send.status.in_(statuses)))  # type: ignore[attr-defined]
    for send in sends:
        if not public.intersection(send.lists):
            continue
        at = send.finished_at or send.started_at or send.created_at
        if send.issue_id not in sent or at < sent[send.issue_id]:
            sent[send.issue_id] = at
    return sent


def is_public(session: Session, issue_id: int) -> bool:
    """Whether everyone may open the issue's web version (sent, or being sent, to a public list)."""
    return issue_id in published(session, VIEWABLE_SENDS)


def was_sent(session: Session, issue_id: int) -> bool:
    """Whether the issue went out (or is going out) to any list, public or private."""
    statuses = Send.status.in_(VIEWABLE_SENDS)  # type: ignore[attr-defined]
    found = session.exec(select(Send.id).where(Send.issue_id == issue_id, statuses)).first()
    return found is not None
