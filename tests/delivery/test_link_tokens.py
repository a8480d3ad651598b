"""Fast link tokens read back with the audience's own ``tokens.read``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsletter.audience import tokens
from newsletter.delivery import link_tokens
from tests.conftest import SECRET

NOW = datetime(2026, 11, 22, 10, 0, 5, 250000, tzinfo=UTC)


@pytest.mark.parametrize("purpose", ["unsubscribe", "preferences", "confirm"])
def test_tokens_read_back(purpose: str) -> None:
    maker = link_tokens.TokenMaker(SECRET)
    assert maker.fast
    for sid, lid in ((1, None), (4711, 3), (11111111, 11111111)):
        data = tokens.read(SECRET, purpose, maker.make(purpose, sid, lid, NOW), NOW)
        assert (data.subscriber_id, data.list_id) == (sid, lid)
        assert data.issued_at == NOW.replace(microsecond=0)


def test_tampered_or_wrong_purpose_is_refused() -> None:
    token = link_tokens.TokenMaker(SECRET).make("unsubscribe", 5, 1, NOW)
    with pytest.raises(tokens.TokenError, match="not valid"):
        tokens.read(SECRET, "preferences", token, NOW)
    with pytest.raises(tokens.TokenError, match="not valid"):
        tokens.read(SECRET, "unsubscribe", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), NOW)
    with pytest.raises(tokens.TokenError):
        tokens.read("another-secret-that-is-long-enough-0123456789", "unsubscribe", token, NOW)


def test_falls_back_to_tokens_make_when_they_disagree(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise tokens.TokenError("changed format")

    monkeypatch.setattr(tokens, "read", refuse)
    maker = link_tokens.TokenMaker(SECRET)
    assert not maker.fast
    monkeypatch.undo()
    assert maker.make("unsubscribe", 9, 2, NOW) == tokens.make(SECRET, "unsubscribe", 9, 2, now=NOW)
