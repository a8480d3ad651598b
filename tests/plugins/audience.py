"""Test fixtures of the audience capability: lists, a fixed time, CSV files to import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from newsletter.audience import lists, lookups
from newsletter.core.models import MailingList

assert lookups.find  # imported so Subscriber.search_text is filled for every test's subscribers

AUDIENCE_NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
AUDIENCE_SECRET = "test-secret-key-that-is-long-enough-for-signing-0123456789"


@pytest.fixture
def audience_now() -> datetime:
    return AUDIENCE_NOW


@pytest.fixture
def double_list(session: Session) -> MailingList:
    """A double opt-in list in Turkish."""
    return lists.create(session, "aylik-tr", "Aylık Bülten", AUDIENCE_NOW, default_language="tr")


@pytest.fixture
def single_list(session: Session) -> MailingList:
    """A public single opt-in list in English."""
    return lists.create(
        session, "updates-en", "Field updates", AUDIENCE_NOW, opt_in="single",
        visibility="public", default_language="en",
    )  # fmt: skip


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` to a CSV file in ``encoding`` (default UTF-8) and return its path."""

    def write(text: str, name: str = "people.csv", encoding: str = "utf-8") -> Path:
        folder = tmp_path / "incoming"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
