"""Consent records: every subscribe, confirm, import and unsubscribe leaves proof; append-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from newsletter.audience import consent, subscriptions
from newsletter.core.models import ConsentRecord, MailingList
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

TEXT = "Bülteni e-postayla almayı kabul ediyorum."


def _subscribe(session: Session, email: str = "zeynep@example.com") -> int:
    result = subscriptions.subscribe(
        session, AUDIENCE_SECRET, email, "Zeynep Kaya", "tr", ["aylik-tr"],
        "https://news.example.org/subscribe", "203.0.113.7", "Firefox/140", TEXT, "2026-11",
        AUDIENCE_NOW,
    )  # fmt: skip
    assert result.subscriber_id is not None
    return result.subscriber_id


def test_subscribe_confirm_unsubscribe_leave_a_full_history(
    session: Session, double_list: MailingList
) -> None:
    sid = _subscribe(session)
    later = AUDIENCE_NOW + timedelta(minutes=5)
    subscriptions.confirm(session, sid, double_list.id, "198.51.100.2", "Safari/19", later)
    subscriptions.unsubscribe(session, AUDIENCE_SECRET, sid, double_list.id, "web",
                            later + timedelta(days=30), ip="198.51.100.3")  # fmt: skip
    history = consent.history(session, sid)
    assert [r.event for r in history] == ["subscribed", "confirmed", "unsubscribed"]
    first = history[0]
    assert (first.source, first.ip, first.user_agent) == (
        "https://news.example.org/subscribe", "203.0.113.7", "Firefox/140",
    )  # fmt: skip
    assert (first.consent_text, first.consent_version, first.at) == (TEXT, "2026-11", AUDIENCE_NOW)
    assert (history[1].ip, history[1].at) == ("198.51.100.2", later)
    assert history[2].source == "web"


def test_records_are_only_appended(session: Session, double_list: MailingList) -> None:
    sid = _subscribe(session)
    _subscribe(session)
    records = session.exec(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [r.event for r in records] == ["subscribed", "subscribed"]
    assert all(r.subscriber_id == sid for r in records)


def test_unknown_event_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown consent event"):
        consent.record(session, event="liked", now=AUDIENCE_NOW, subscriber_id=None)
