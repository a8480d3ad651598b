"""Translations of a block: the same story in another language, in one translation group.

A translation starts from its original: the facts (kind, area, tags, date, places, partners,
image with its alt text and credit, and link) are the original's, so a translator only writes
the words; the alt text is there to be translated too. Both blocks then share a translation
group (the original's, or a new ``block-<id>`` one), which is how an issue finds the Turkish
version of an English story. One block per language in a group: a second Turkish translation
is refused and names the first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from newsletter.core import audit
from newsletter.core.config import LibraryConfig
from newsletter.core.errors import StateError
from newsletter.core.models import Block
from newsletter.library import blocks
from newsletter.library.block_validation import language_tag

# What a translation takes over from its original (everything but the words).
SHARED = (
    "kind", "area", "tags", "places", "partners", "event_date", "event_date_end", "image_url",
    "image_alt", "image_credit", "link_url",
)  # fmt: skip


def group_of(session: Session, block: Block) -> list[Block]:
    """The blocks of the block's translation group, itself included, by language."""
    if not block.translation_group:
        return [block]
    query = select(Block).where(Block.translation_group == block.translation_group)
    return list(session.exec(query.order_by(col(Block.language), col(Block.id))))


def starting_fields(original: Block) -> dict[str, Any]:
    """The fields a new translation of ``original`` starts with."""
    return {name: getattr(original, name) for name in SHARED}


def translate(
    session: Session,
    library: LibraryConfig,
    block_id: int,
    language: str,
    fields: dict[str, Any],
    now: datetime,
    actor: str | None = None,
    media_base: str = "",
) -> Block:
    """A new draft block in ``language`` translating block ``block_id``; ``fields`` (the
    translated title, body... and any shared field changed) override what it starts with."""
    original = blocks.get(session, block_id)
    language = language_tag("language", language)
    if language == original.language:
        raise StateError(f"language: block {block_id} is already in {language!r}")
    taken = [b for b in group_of(session, original) if b.language == language]
    if taken:
        raise StateError(
            f"language: block {block_id} already has a translation in {language!r}: "
            f"block {taken[0].id}"
        )
    group = original.translation_group or f"block-{block_id}"
    if not original.translation_group:
        blocks.update(session, library, block_id, {"translation_group": group}, now)
    values = {**starting_fields(original), **fields, "language": language,
              "translation_group": group}  # fmt: skip
    made = blocks.create(
        session, library, values, now, actor, media_base, note=f"translation of block {block_id}"
    )
    if actor is not None:
        audit.record(session, actor, "translated", "block", block_id, now,
                     note=f"{language}: block {made.id}", language=language,
                     translation=made.id)  # fmt: skip
    return made
