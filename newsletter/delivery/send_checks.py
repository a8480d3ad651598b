"""Before a send starts or an issue is scheduled: can a message be made for anyone at all?

Every value that goes into the headers of every message (the subject of each edition, the From
name and address, Reply-To, List-Id, the target lists' names) must be one clean line; a bad one
is refused with the field named. Then one sample message per edition is built with the real
settings, so a send that starts cannot fail everyone halfway through. What is left can only be
one person's own name or address, and that fails only them (see ``composer.unusable``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from newsletter.core.models import IssueSnapshot, MailingList
from newsletter.core.safe_text import one_line
from newsletter.delivery.composer import Composer, Recipient
from newsletter.delivery.headers import mailbox
from newsletter.delivery.send_settings import MessageSettings

SAMPLE = Recipient(0, 1, 1, "reader@example.org", "reader@example.org", "Sample Reader", "")


def check_sendable(
    settings: MessageSettings,
    issue_id: int,
    snapshots: list[IssueSnapshot],
    mailing_lists: list[MailingList],
    now: datetime,
) -> None:
    """Raise the UserError (one line, naming the field) that would stop every message."""
    h = settings.headers
    for field, value in (
        ("sending.from_name", h.from_name),
        ("sending.from_address", h.from_address),
        ("sending.reply_to", h.reply_to),
        ("sending.list_id (or organisation.name)", h.list_id),
        ("sending.feedback_id", h.feedback_id),
        ("sending.unsubscribe_mailto", h.unsubscribe_mailto),
    ):
        one_line(field, value)
    for field, address in (
        ("sending.from_address", h.from_address),
        ("sending.reply_to", h.reply_to),
        ("sending.unsubscribe_mailto", h.unsubscribe_mailto),
    ):
        if address:
            mailbox(field, address)
    for snap in snapshots:
        one_line(f"issue {issue_id} subject ({snap.language} edition)", snap.subject)
    for mlist in mailing_lists:
        one_line(f"list '{mlist.slug}' name", mlist.name)
    own = snapshots[0].language if snapshots else ""
    composer = Composer(settings, issue_id, snapshots, own, lists=mailing_lists)
    for snap in snapshots:  # a sample reader of each list, so each List-Id is checked too
        for mlist in mailing_lists or [None]:
            sample = replace(SAMPLE, language=snap.language, list_id=mlist.id if mlist else 1)
            composer.compose(sample, now)
