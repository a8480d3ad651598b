"""The block library's paging, partner filter, audit trail, translations and media images."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from newsletter.core.account_models import AuditEvent
from newsletter.core.config import Config
from newsletter.core.errors import StateError, UserError
from newsletter.core.models import Block
from newsletter.library import block_translations, blocks
from newsletter.library.block_validation import clean
from newsletter.library.blocks import BlockFilter
from tests.plugins.blocks import NOW

AddBlock = Callable[..., Block]


def _titles(found: list[Block]) -> list[str]:
    return [b.title for b in found]


@pytest.fixture
def library_of_120(session: Session, config: Config) -> list[Block]:
    """120 blocks over four months; every third in Şanlıurfa with UNHCR and tagged health."""
    made = []
    for n in range(120):
        third = n % 3 == 0
        made.append(blocks.create(session, config.library, {
            "title": f"Story {n:03d}", "event_date": date(2026, 7 + n % 4, 1 + n % 28),
            "places": ["Şanlıurfa"] if third else ["İzmir"],
            "partners": ["UNHCR"] if third else ["ILO"], "tags": ["Health"] if third else [],
        }, NOW))  # fmt: skip
    session.commit()
    return made


def _pages(session: Session, config: Config, flt: BlockFilter, size: int) -> list[Block]:
    found: list[Block] = []
    for offset in range(0, 200, size):
        flt.offset, flt.limit = offset, size
        found += blocks.list_blocks(session, config.library, flt)
    return found


@pytest.mark.parametrize(
    "flt, expected",
    [(BlockFilter(), 120), (BlockFilter(tag="health"), 40),
     (BlockFilter(place="sanliurfa"), 40), (BlockFilter(partner="UNHCR"), 40),
     (BlockFilter(date_from=date(2026, 8, 1), tag="HEALTH"), 30)],
    ids=["sql only", "tag", "place", "partner", "dates and tag"],
)  # fmt: skip
def test_pages_add_up_to_the_whole_listing_and_the_count_agrees(
    library_of_120: list[Block], session: Session, config: Config, flt: BlockFilter, expected: int
) -> None:
    whole = blocks.list_blocks(session, config.library, flt)
    assert len(whole) == blocks.count_blocks(session, config.library, flt) == expected
    paged = _pages(session, config, replace(flt), 25)
    assert [b.id for b in paged] == [b.id for b in whole]
    assert len({b.id for b in paged}) == expected
    last = replace(flt, offset=expected - 5, limit=25)
    assert [b.id for b in blocks.list_blocks(session, config.library, last)] == [
        b.id for b in whole[-5:]
    ]
    assert blocks.count_blocks(session, config.library, last) == expected
    found, total = blocks.page_of(session, config.library, last)
    assert total == expected and [b.id for b in found] == [b.id for b in whole[-5:]]


def test_a_page_without_python_filters_is_one_limited_query(
    library_of_120: list[Block], session: Session, config: Config
) -> None:
    statements: list[str] = []
    engine = session.get_bind()

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = blocks.list_blocks(session, config.library, BlockFilter(limit=10, offset=20))
        total = blocks.count_blocks(session, config.library, BlockFilter(limit=10, offset=20))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(page) == 10 and total == 120
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2
    assert "LIMIT" in selects[0] and "OFFSET" in selects[0]
    assert "count(" in selects[1].lower()


def test_partner_filter_matches_any_way_of_writing_the_organisation(
    add_block: AddBlock, session: Session, config: Config
) -> None:
    add_block(title="Refugee agency visit", partners=["UNHCR"])
    add_block(
        title="Mülteci ajansı", partners=["Birleşmiş Milletler Mülteciler Yüksek Komiserliği"]
    )
    add_block(title="Labour fair", partners=["ILO"])
    for name in ("unhcr", "BMMYK", "UN Refugee Agency"):
        found = blocks.list_blocks(session, config.library, BlockFilter(partner=name))
        assert sorted(_titles(found)) == ["Mülteci ajansı", "Refugee agency visit"], name
    unknown = blocks.list_blocks(session, config.library, BlockFilter(partner="Kızılay"))
    assert unknown == []


def _trail(session: Session, block_id: int) -> list[tuple[str, str, str]]:
    query = select(AuditEvent).where(AuditEvent.subject == "block",
                                     AuditEvent.subject_id == block_id)  # fmt: skip
    return [(e.action, e.actor, e.note) for e in session.exec(query.order_by(AuditEvent.id))]


def test_an_actor_writes_the_trail_and_no_actor_writes_nothing(
    session: Session, config: Config
) -> None:
    quiet = blocks.create(session, config.library, {"title": "Quiet"}, NOW)
    blocks.update(session, config.library, quiet.id, {"title": "Still quiet"}, NOW)
    blocks.set_status(session, quiet.id, "ready", NOW)
    assert _trail(session, quiet.id) == []

    who = "editor@example.org"
    block = blocks.create(session, config.library, {"title": "Told"}, NOW, actor=who)
    blocks.update(session, config.library, block.id, {"title": "Told", "body": "Words."}, NOW,
                  actor=who)  # fmt: skip
    blocks.update(session, config.library, block.id, {"title": "Told"}, NOW, actor=who)
    assert blocks.mark_ready(session, block.id, NOW, actor=who) == []
    blocks.archive(session, block.id, NOW, actor="")
    blocks.delete(session, block.id, NOW, actor=who)
    assert _trail(session, block.id) == [
        ("created", who, ""),
        ("changed", who, "body"),  # the unchanged title and the no-op update are not changes
        ("marked ready", who, ""),
        ("archived", "", ""),  # the terminal, where nobody can tell who
        ("deleted", who, "Told"),
    ]


def test_mark_ready_confirms_the_guesses(session: Session, config: Config) -> None:
    block = blocks.create(
        session,
        config.library,
        {"title": "Guessed", "area": "protection", "guessed": ["area"]},
        NOW,
    )
    assert blocks.mark_ready(session, block.id, NOW, actor="a@example.org") == ["area"]
    assert (block.status, block.guessed) == ("ready", [])


def test_a_translation_starts_from_its_original_and_joins_its_group(
    session: Session, config: Config
) -> None:
    original = blocks.create(session, config.library, {
        "title": "Mobile clinic opens in Kilis", "body": "Doctors saw 200 families.",
        "area": "migration-health", "event_date": "2026-10-14", "event_date_end": "2026-10-16",
        "places": ["Kilis"], "partners": ["WHO"], "tags": ["health"],
        "image_url": "https://example.org/clinic.jpg", "image_alt": "A doctor and a mother",
        "image_credit": "Ayşe Demir", "link_url": "https://example.org/clinic",
        "link_label": "Read the report",
    }, NOW)  # fmt: skip
    made = block_translations.translate(
        session, config.library, original.id, "TR",
        {"title": "Kilis'te gezici klinik açıldı", "image_alt": "Bir doktor ve bir anne"},
        NOW, actor="editor@example.org",
    )  # fmt: skip
    assert made.language == "tr" and made.status == "draft"
    assert (made.area, made.event_date, made.event_date_end) == (
        "migration-health", date(2026, 10, 14), date(2026, 10, 16))  # fmt: skip
    assert (made.places, made.partners, made.tags) == (["Kilis"], ["WHO"], ["health"])
    assert (made.image_url, made.image_credit, made.link_url) == (
        original.image_url, "Ayşe Demir", original.link_url)  # fmt: skip
    assert made.image_alt == "Bir doktor ve bir anne"
    assert made.body == "" and made.link_label is None  # the words are the translator's
    assert original.translation_group == made.translation_group == f"block-{original.id}"
    assert [b.id for b in block_translations.group_of(session, made)] == [original.id, made.id]
    assert _trail(session, made.id) == [
        ("created", "editor@example.org", f"translation of block {original.id}")
    ]
    assert _trail(session, original.id) == [
        ("translated", "editor@example.org", f"tr: block {made.id}")
    ]
    with pytest.raises(StateError, match=rf"^language: block {original.id} already has a "
                       rf"translation in 'tr': block {made.id}$"):  # fmt: skip
        block_translations.translate(session, config.library, original.id, "tr",
                                     {"title": "İkinci"}, NOW)  # fmt: skip
    with pytest.raises(StateError, match="is already in 'en'"):
        block_translations.translate(session, config.library, original.id, "en",
                                     {"title": "Again"}, NOW)  # fmt: skip
    with pytest.raises(UserError, match="^title: a block needs a title$"):
        block_translations.translate(session, config.library, original.id, "ar", {}, NOW)


def test_a_translation_keeps_an_existing_group(session: Session, config: Config) -> None:
    original = blocks.create(
        session, config.library, {"title": "Story", "translation_group": "demo-story-1"}, NOW
    )
    made = block_translations.translate(session, config.library, original.id, "ar",
                                        {"title": "قصة"}, NOW)  # fmt: skip
    assert made.translation_group == "demo-story-1"


def test_our_media_photos_are_images_even_over_http(config: Config) -> None:
    base = "http://127.0.0.1:8000"
    ours = f"{base}/media/a1b2c3-600.jpg"
    assert clean(config.library, {"image_url": ours}, base) == {"image_url": ours}
    for refused in (ours, f"{base}/media/", "http://127.0.0.1:8000/other/x.jpg",
                    "http://127.0.0.1:8000.evil.example/media/x.jpg"):  # fmt: skip
        media_base = "" if refused == ours else base
        with pytest.raises(UserError, match="^image_url: .* is not an https:// address$"):
            clean(config.library, {"image_url": refused}, media_base)
    assert clean(config.library, {"link_url": "https://example.org"}, base)
    with pytest.raises(UserError, match="^link_url:"):  # only images come from the library
        clean(config.library, {"link_url": ours}, base)
