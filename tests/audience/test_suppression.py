"""The suppression list keeps keyed hashes only and is checked by normalised address."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from newsletter.audience import suppression
from newsletter.core.errors import UserError
from newsletter.core.models import Suppression

SECRET = "a-signing-secret-for-the-suppression-tests-012345"
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def test_hash_is_keyed_and_ignores_case_and_spacing() -> None:
    one = suppression.email_hash(SECRET, " Ayşe@Örnek.com.tr")
    assert one == suppression.email_hash(SECRET, "ayşe@örnek.COM.TR")
    assert one != suppression.email_hash(SECRET + "x", "ayşe@örnek.com.tr")
    assert len(one) == 64 and "@" not in one


def test_added_address_is_suppressed_and_stored_only_as_hash(session: Session) -> None:
    suppression.add(session, SECRET, "İpek@örnek.com.tr", "complaint", NOW, note="FBL")
    assert suppression.is_suppressed(session, SECRET, "i\u0307pek@ÖRNEK.com.tr")
    assert suppression.is_suppressed(session, SECRET, "ipek@örnek.com.tr")  # İ lowered is i
    assert not suppression.is_suppressed(session, SECRET, "ıpek@örnek.com.tr")  # dotless ı
    stored = session.exec(select(Suppression)).one()
    assert stored.reason == "complaint" and stored.note == "FBL"
    assert "örnek" not in stored.email_hash and "pek" not in stored.email_hash


def test_adding_again_keeps_the_first_reason(session: Session) -> None:
    suppression.add(session, SECRET, "ali@example.com", "hard_bounce", NOW)
    again = suppression.add(session, SECRET, "ALI@example.com", "unsubscribed", NOW)
    assert again.reason == "hard_bounce"
    assert len(suppression.listing(session)) == 1


def test_unknown_reason_is_refused(session: Session) -> None:
    with pytest.raises(UserError, match="unknown suppression reason 'spam'"):
        suppression.add(session, SECRET, "ali@example.com", "spam", NOW)


def test_remove_lifts_the_suppression(session: Session) -> None:
    suppression.add(session, SECRET, "ali@example.com", "admin", NOW)
    assert suppression.remove(session, SECRET, "ali@example.com")
    assert not suppression.is_suppressed(session, SECRET, "ali@example.com")
    assert not suppression.remove(session, SECRET, "ali@example.com")


def test_bulk_lookup_and_listing_by_reason(session: Session) -> None:
    suppression.add(session, SECRET, "a@example.com", "admin", NOW)
    suppression.add(session, SECRET, "b@example.com", "erased", NOW)
    hashes = [suppression.email_hash(SECRET, e) for e in ("a@example.com", "c@example.com")]
    assert suppression.suppressed_hashes(session, hashes) == {hashes[0]}
    assert [s.reason for s in suppression.listing(session, "erased")] == ["erased"]
