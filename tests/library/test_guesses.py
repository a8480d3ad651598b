"""A guessed field stays marked until an officer confirms it, by editing or explicitly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.library import blocks
from tests.plugins.blocks import NOW


def test_editing_a_field_confirms_it(session: Session, config: Config, add_block) -> None:
    block = add_block(event_date=date(2020, 12, 22), area="protection",
                      guessed=["event_date", "area"])  # fmt: skip
    blocks.update(session, config.library, block.id, {"event_date_end": "2020-12-24"}, NOW)
    assert block.guessed == ["area"]
    blocks.update(session, config.library, block.id, {"area": "protection"}, NOW)
    assert block.guessed == ["area"]  # the same value, not given explicitly: still a guess
    blocks.update(session, config.library, block.id, {"area": "protection"}, NOW,
                  confirm=["area"])  # fmt: skip
    assert block.guessed == []


def test_confirm_all_or_some(session: Session, add_block) -> None:
    block = add_block(guessed=["title", "event_date", "area"])
    assert blocks.confirm_guesses(session, block.id, NOW, ["event_date_end"]) == ["event_date"]
    assert blocks.confirm_guesses(session, block.id, NOW) == ["title", "area"]
    assert blocks.confirm_guesses(session, block.id, NOW) == []
    assert blocks.get(session, block.id).guessed == []


def test_only_known_fields_can_be_guesses(add_block) -> None:
    with pytest.raises(UserError, match="guessed: unknown field 'colour'"):
        add_block(guessed=["colour"])
