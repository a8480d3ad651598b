"""Reading DSNs (Postfix, Exim, Gmail, Microsoft shapes) and ARF reports: pure parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsletter.delivery import bounce_reports

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bounces"
VERP = "bounces+12.0123456789ab@example.org"
MSGID = "<1.12.abc1@example.org>"


def filled(name: str, rcpt: str = "ayse@partner.example", ident: str = "1") -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for mark, value in (
        ("{{VERP}}", VERP),
        ("{{RCPT}}", rcpt),
        ("{{MSGID}}", MSGID),
        ("{{ID}}", ident),
        ("{{DATE}}", "Tue, 24 Nov 2026 09:02:11 +0300"),
    ):
        text = text.replace(mark, value)  # fmt: skip
    return text.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("name", "kind", "code", "action", "text_start", "mid"),
    [
        ("postfix-hard.eml", "hard", "5.1.1", "failed", "550 5.1.1 <ayse@", MSGID),
        ("gmail-hard.eml", "hard", "5.1.1", "failed", "550-5.1.1 The email account", MSGID),
        ("exim-soft.eml", "soft", "4.2.2", "delayed", "452 4.2.2 Mailbox is full", ""),
        ("microsoft-soft.eml", "soft", "4.4.7", "failed", "400 4.4.7 Message delayed", MSGID),
    ],
)
def test_dsn_shapes(name, kind, code, action, text_start, mid) -> None:
    report = bounce_reports.parse(filled(name))
    assert report.kind == "dsn"
    assert report.original_message_id == mid
    [rcpt] = report.recipients
    assert (rcpt.address, rcpt.kind, rcpt.code, rcpt.action) == (
        "ayse@partner.example", kind, code, action,
    )  # fmt: skip
    assert rcpt.text.startswith(text_start) and "\n" not in rcpt.text


def test_postfix_report_carries_the_verp_address_and_date() -> None:
    report = bounce_reports.parse(filled("postfix-hard.eml"))
    assert VERP in report.envelope_to
    assert report.at == datetime(2026, 11, 23, 7, 14, 3, tzinfo=UTC)
    # The key is the content's: the same bytes give the same key, other bytes another.
    assert report.key == bounce_reports.parse(filled("postfix-hard.eml")).key
    assert report.key != bounce_reports.parse(filled("postfix-hard.eml", "b@x.example")).key


def test_feedback_report_is_a_complaint() -> None:
    report = bounce_reports.parse(filled("arf-complaint.eml"))
    assert report.kind == "arf"
    assert report.original_message_id == MSGID
    [rcpt] = report.recipients
    assert (rcpt.address, rcpt.kind, rcpt.code) == ("ayse@partner.example", "complaint", "abuse")


def test_not_spam_feedback_and_delivered_action_are_not_bounces() -> None:
    arf = filled("arf-complaint.eml").replace(b"Feedback-Type: abuse", b"Feedback-Type: not-spam")
    assert bounce_reports.parse(arf).recipients == []
    dsn = filled("postfix-hard.eml").replace(b"Action: failed", b"Action: delivered")
    assert bounce_reports.parse(dsn).recipients == []


def test_an_ordinary_message_is_unknown() -> None:
    data = (
        b"From: a@example.org\r\nTo: news@example.org\r\nSubject: Thanks!\r\n\r\nGreat issue.\r\n"
    )
    report = bounce_reports.parse(data)
    assert (report.kind, report.recipients, report.subject) == ("unknown", [], "Thanks!")
