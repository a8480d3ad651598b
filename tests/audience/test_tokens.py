"""Signed tokens: round trip, no readable email, tampered and expired tokens refused clearly."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from newsletter.audience import tokens
from newsletter.core.errors import UserError

SECRET = "a-signing-secret-for-the-token-tests-0123456789"
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def test_round_trip_carries_ids_and_issue_time() -> None:
    token = tokens.make(SECRET, "confirm", 42, 7, now=NOW)
    data = tokens.read(SECRET, "confirm", token, NOW + timedelta(hours=2))
    assert data == tokens.TokenData(42, 7, NOW)


def test_unsubscribe_from_all_lists_has_no_list() -> None:
    token = tokens.make(SECRET, "unsubscribe", 42, now=NOW)
    assert tokens.read(SECRET, "unsubscribe", token, NOW).list_id is None


def test_token_contains_no_readable_email_and_is_url_safe() -> None:
    token = tokens.make(SECRET, "preferences", 42, now=NOW)
    assert "@" not in token
    decoded = base64.urlsafe_b64decode(token.split(".")[0] + "==")
    assert b"@" not in decoded
    assert all(c.isalnum() or c in "-_." for c in token)


def test_tampered_token_is_refused_as_not_valid() -> None:
    token = tokens.make(SECRET, "unsubscribe", 42, 7, now=NOW)
    forged = tokens.make(SECRET, "unsubscribe", 43, 7, now=NOW)
    tampered = forged.split(".")[0] + "." + ".".join(token.split(".")[1:])
    with pytest.raises(tokens.TokenError) as info:
        tokens.read(SECRET, "unsubscribe", tampered, NOW)
    assert "not valid" in str(info.value)
    assert not info.value.expired
    assert isinstance(info.value, UserError)


def test_truncated_token_and_wrong_secret_are_refused() -> None:
    token = tokens.make(SECRET, "unsubscribe", 42, now=NOW)
    for bad_secret, bad_token in ((SECRET, token[:-3]), ("another-secret-" * 3, token)):
        with pytest.raises(tokens.TokenError, match="not valid"):
            tokens.read(bad_secret, "unsubscribe", bad_token, NOW)


def test_token_for_one_purpose_does_not_work_for_another() -> None:
    token = tokens.make(SECRET, "preferences", 42, now=NOW)
    with pytest.raises(tokens.TokenError, match="unsubscribe link is not valid"):
        tokens.read(SECRET, "unsubscribe", token, NOW)


def test_confirm_token_expires_after_seven_days_by_default() -> None:
    token = tokens.make(SECRET, "confirm", 42, 7, now=NOW)
    assert tokens.read(SECRET, "confirm", token, NOW + timedelta(days=6, hours=23))
    with pytest.raises(tokens.TokenError) as info:
        tokens.read(SECRET, "confirm", token, NOW + timedelta(days=7, seconds=2))
    assert info.value.expired
    assert "expired" in str(info.value) and "2026-11-03 09:30 UTC" in str(info.value)


def test_confirm_max_age_comes_from_the_caller() -> None:
    token = tokens.make(SECRET, "confirm", 42, 7, now=NOW)
    with pytest.raises(tokens.TokenError, match="expired"):
        tokens.read(SECRET, "confirm", token, NOW + timedelta(days=3), max_age=timedelta(days=2))


def test_unsubscribe_and_preferences_tokens_never_expire() -> None:
    later = NOW + timedelta(days=3650)
    for purpose in ("unsubscribe", "preferences"):
        token = tokens.make(SECRET, purpose, 42, now=NOW)
        assert tokens.read(SECRET, purpose, token, later).subscriber_id == 42
