"""Values no message can carry: one person's own name or address fails only that person; a
value every message shares (subject, From, Reply-To, a list's name) refuses the start, and one
that turns bad after the start pauses the send once with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from newsletter.audience import subscriptions
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.core.models import Delivery, EventLog, Issue, IssueSnapshot, MailingList, Send
from newsletter.delivery import ledger
from newsletter.delivery.sender import run_send
from tests.delivery.test_sender import rows, setup, start

DKIM = '[dkim]\nenabled = true\ndomain = "example.org"\nselector = "s1"\nkey_file = "{key}"\n'


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "Mehmet\nBcc: herkes@example.org", "name contains a line break (LF)"),
        ("name", "Mehmet\x0bYılmaz", "name contains the control character U+000B"),
        ("email", "kisi0001\x0b@example.org", "email contains the control character U+000B"),
        ("email", "kisi0001\u2028x@example.org", "email contains the character U+2028"),
    ],
)
def test_an_unrenderable_recipient_fails_alone_even_with_dkim(
    tmp_path: Path, smtp_factory, dkim_key, field: str, value: str, reason: str
) -> None:
    # DKIM on: dkimpy used to raise on such a header, which paused the whole send.
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, n=4)
    path = tmp_path / "newsletter.toml"
    path.write_text(path.read_text() + DKIM.format(key=dkim_key.path))
    config = load_config(path)
    with db.session_scope(engine) as s:
        person = subscriptions.find(s, "kisi0001@example.org")
        if field == "name":
            person.name = value
        else:  # written around every check, as an old import or a hand edit could
            person.email = person.email_ascii = value
        s.add(person)
        person_id = person.id
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert (result.status, result.progress.sent, result.progress.failed) == ("done", 3, 1)
    with db.session_scope(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.subscriber_id == person_id)).one()
    assert row.status == "failed"
    assert row.last_text.startswith(f"the subscriber's {reason}"), row.last_text
    assert "retry-failed" in row.last_text and "\n" not in row.last_text
    assert len(server.messages) == 3 and all(b"herkes@" not in m.data for m in server.messages)


def _refused(engine, config, issue_id: int, match: str) -> None:
    with pytest.raises(UserError, match=match) as caught:
        start(engine, config, issue_id)
    assert "\n" not in str(caught.value)
    with db.session_scope(engine) as s:  # nothing was started or written
        assert s.exec(select(Send)).all() == [] and s.exec(select(Delivery)).all() == []
        assert s.get(Issue, issue_id).status == "approved"


def test_a_subject_with_a_line_break_refuses_the_start(tmp_path: Path) -> None:
    config, engine, issue_id = setup(tmp_path, None, n=2)
    with db.session_scope(engine) as s:
        snap = s.exec(select(IssueSnapshot).where(IssueSnapshot.language == "en")).one()
        snap.subject = "November\r\nBcc: herkes@example.org"
        s.add(snap)
    _refused(engine, config, issue_id, r"issue 1 subject \(en edition\) contains a carriage")


def test_a_list_name_with_a_line_break_refuses_the_start(tmp_path: Path) -> None:
    config, engine, issue_id = setup(tmp_path, None, n=2)
    with db.session_scope(engine) as s:
        mlist = s.exec(select(MailingList)).one()
        mlist.name = "Genel\nliste"
        s.add(mlist)
    _refused(engine, config, issue_id, "list 'genel' name contains a line break")


@pytest.mark.parametrize(
    ("sending", "match"),
    [
        ('reply_to = "not an address"\n', "sending.reply_to: not an email address"),
        ('unsubscribe_mailto = "x@"\n', "sending.unsubscribe_mailto: not an email address"),
    ],
)
def test_a_shared_header_setting_no_message_can_carry_refuses_the_start(
    tmp_path: Path, sending: str, match: str
) -> None:
    config, engine, issue_id = setup(tmp_path, None, n=2, extra=sending)
    _refused(engine, config, issue_id, match)


def test_a_subject_broken_after_the_start_pauses_the_send_once(tmp_path: Path) -> None:
    config, engine, issue_id = setup(tmp_path, None, n=3)
    send_id = start(engine, config, issue_id)
    with db.session_scope(engine) as s:
        snaps = s.exec(select(IssueSnapshot)).all()
        good = {snap.id: snap.subject for snap in snaps}
        for snap in snaps:
            snap.subject += "\nBcc: herkes@example.org"
            s.add(snap)
    result = run_send(engine, config, send_id, utcnow)
    assert result.status == "paused"
    assert result.reason.startswith("cannot make the messages: Subject: line breaks")
    assert result.reason.endswith("fix it, then 'issues resume'")
    assert run_send(engine, config, send_id, utcnow).status == "paused"  # not retried
    with db.session_scope(engine) as s:
        assert s.get(Issue, issue_id).status == "paused"
        events = [e.event for e in s.exec(select(EventLog)).all()]
        assert events.count("send_paused") == 1
        for snap in s.exec(select(IssueSnapshot)).all():
            snap.subject = good[snap.id]
            s.add(snap)
        ledger.resume(s, issue_id, utcnow())
    assert {d.status for d in rows(engine).values()} == {"queued"}  # nobody lost meanwhile
    assert run_send(engine, config, send_id, utcnow).status == "done"
    assert {d.status for d in rows(engine).values()} == {"sent"}
