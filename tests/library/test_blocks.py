"""The block library service on a real SQLite database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from newsletter.core.config import Config
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block, Issue, IssueSnapshot, Placement, Section
from newsletter.library import blocks
from newsletter.library.blocks import BlockFilter
from tests.plugins.blocks import NOW

AddBlock = Callable[..., Block]


def test_create_with_defaults_and_normalised_fields(add_block: AddBlock, session: Session) -> None:
    block = add_block(
        title="  Mobile  clinic opens in Kilis ",
        body="\n**Doctors** visited 200 families.\n",
        kind="Figure",
        area="Migration health",
        tags="health, mobile teams, health",
        places=["Kilis"],
        event_date="2026-10-14",
        image_url="https://example.org/clinic.jpg",
        image_alt="A doctor talks with a mother",
        language="TR-tr",
    )
    stored = session.get(Block, block.id)
    assert stored is not None
    assert stored.title == "Mobile clinic opens in Kilis"
    assert stored.body == "**Doctors** visited 200 families."
    assert (stored.kind, stored.area, stored.status) == ("highlight", "migration-health", "draft")
    assert stored.tags == ["health", "mobile teams"]
    assert stored.event_date == date(2026, 10, 14)
    assert stored.language == "tr-TR"
    assert stored.created_at == NOW


def test_language_defaults_to_the_config(add_block: AddBlock) -> None:
    assert add_block().language == "en"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"status": "done"}, "status: unknown status 'done' (choose one of: draft, ready,"),
        ({"kind": "poem"}, "kind: unknown kind 'poem'"),
        ({"area": "weather"}, "area: unknown programme area 'weather'"),
        (
            {"image_url": "https://a.org/x.jpg"},
            "image_alt: the image 'https://a.org/x.jpg' needs alt",
        ),
        (
            {"image_url": "http://a.org/x.jpg", "image_alt": "x"},
            "image_url: 'http://a.org/x.jpg' is not an https",
        ),
        ({"link_url": "javascript:alert(1)"}, "link_url: 'javascript:alert(1)' is not an https"),
        ({"language": "english"}, "language: 'english' is not a BCP 47 language code"),
        ({"language": "xx"}, "language: 'xx' is not a BCP 47 language code"),
        ({"event_date": "20 June"}, "event_date: '20 June' is not a date (write it as YYYY-MM-DD)"),
        (
            {"event_date": "2026-06-20", "event_date_end": "2026-06-19"},
            "event_date_end: 2026-06-19 is before",
        ),
        ({"title": "   "}, "title: a block needs a title"),
        ({"colour": "red"}, "unknown block field 'colour'"),
    ],
)
def test_bad_fields_are_refused_by_name_and_value(
    session: Session, config: Config, fields: dict, message: str
) -> None:
    with pytest.raises(UserError) as caught:
        blocks.create(session, config.library, {"title": "A story", **fields}, NOW)
    assert message in str(caught.value)
    assert session.exec(select(Block)).all() == []


def test_get_and_not_found(add_block: AddBlock, session: Session) -> None:
    block = add_block()
    assert blocks.get(session, block.id).title == block.title  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="no block with id 999"):
        blocks.get(session, 999)


def test_update_changes_only_what_differs(
    add_block: AddBlock, session: Session, config: Config
) -> None:
    block = add_block(body="Old text", area="protection")
    later = NOW + timedelta(hours=1)
    same = blocks.update(session, config.library, block.id, {"area": "protection"}, later)
    assert same.updated_at == NOW
    changed = blocks.update(
        session, config.library, block.id, {"body": "New text about Şanlıurfa"}, later
    )
    assert (changed.body, changed.area, changed.updated_at) == (
        "New text about Şanlıurfa",
        "protection",
        later,
    )
    assert blocks.list_blocks(session, config.library, BlockFilter(search="SANLIURFA"))


def test_update_checks_the_whole_block(
    add_block: AddBlock, session: Session, config: Config
) -> None:
    block = add_block(image_url="https://example.org/a.jpg", image_alt="Children in a class")
    with pytest.raises(UserError, match="image_alt"):
        blocks.update(session, config.library, block.id, {"image_alt": ""}, NOW)
    assert session.get(Block, block.id).image_alt == "Children in a class"  # type: ignore[union-attr]


def _ids(found: list[Block]) -> list[int | None]:
    return [b.id for b in found]


def test_list_filters(add_block: AddBlock, session: Session, config: Config) -> None:
    lib = config.library
    a = add_block(
        title="Cooperative opens",
        area="economic-recovery",
        tags=["Women"],
        places=["Siverek"],
        event_date="2025-10-14",
        status="ready",
    )
    b = add_block(
        title="Health teams visit",
        area="migration-health",
        places=["Antakya"],
        event_date="2025-11-03",
        event_date_end="2025-11-05",
        language="tr",
    )
    c = add_block(title="Old story", status="archived", event_date="2024-01-01")
    d = add_block(title="Undated story")  # fmt: skip
    assert _ids(blocks.list_blocks(session, lib, BlockFilter())) == [b.id, a.id, d.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(statuses=["archived"]))) == [c.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(area="Migration health"))) == [b.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(tag="women"))) == [a.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(place="sanliurfa"))) == [a.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(place="Hatay"))) == [b.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(language="TR"))) == [b.id]
    in_range = BlockFilter(date_from=date(2025, 11, 5), date_to=date(2025, 12, 31))
    assert _ids(blocks.list_blocks(session, lib, in_range)) == [b.id]
    assert _ids(blocks.list_blocks(session, lib, BlockFilter(limit=1))) == [b.id]
    with pytest.raises(UserError, match="date range"):
        blocks.list_blocks(
            session, lib, BlockFilter(date_from=date(2025, 2, 1), date_to=date(2025, 1, 1))
        )


@pytest.mark.parametrize(
    "query", ["şanlıurfa", "SANLIURFA", "Şanlıurfa kooperatif", "İŞBİRLİĞİ", "100%", "çay_"]
)
def test_search_ignores_case_and_turkish_letters(
    add_block: AddBlock, session: Session, config: Config, query: str
) -> None:
    hit = add_block(
        title="Şanlıurfa’da kadın kooperatifi", body="İşbirliği ile 100% yerli çay_ üretimi."
    )
    add_block(title="Another story", body="Nothing about it, 100 people.")
    found = blocks.list_blocks(session, config.library, BlockFilter(search=query))
    assert _ids(found) == [hit.id]


def test_archive_hides_from_the_default_list(
    add_block: AddBlock, session: Session, config: Config
) -> None:
    block = add_block()
    blocks.archive(session, block.id, NOW)
    assert blocks.list_blocks(session, config.library, BlockFilter()) == []
    assert blocks.get(session, block.id).status == "archived"  # type: ignore[arg-type]


def _place_in_issue(session: Session, block: Block, status: str) -> Issue:
    issue = Issue(title=f"Issue {status}", status=status)
    session.add(issue)
    session.flush()
    section = Section(issue_id=issue.id, heading="News")  # type: ignore[arg-type]
    session.add(section)
    session.flush()
    session.add(Placement(section_id=section.id, block_id=block.id))  # type: ignore[arg-type]
    session.flush()
    return issue


@pytest.mark.parametrize("status", ["sent", "sending", "scheduled"])
def test_delete_refused_once_the_issue_is_sent_or_scheduled(
    add_block: AddBlock, session: Session, status: str
) -> None:
    block = add_block()
    issue = _place_in_issue(session, block, status)
    with pytest.raises(StateError) as caught:
        blocks.delete(session, block.id)  # type: ignore[arg-type]
    assert f"block {block.id} is part of issue {issue.id} ({status})" in str(caught.value)
    assert "archive it instead" in str(caught.value)
    assert session.get(Block, block.id) is not None


def test_delete_refused_once_the_issue_is_frozen(add_block: AddBlock, session: Session) -> None:
    block = add_block()
    issue = _place_in_issue(session, block, "approved")
    session.add(IssueSnapshot(issue_id=issue.id, language="en", subject="S"))  # type: ignore[arg-type]
    session.flush()
    with pytest.raises(StateError, match="cannot be deleted"):
        blocks.delete(session, block.id)  # type: ignore[arg-type]


def test_delete_removes_it_from_draft_issues(add_block: AddBlock, session: Session) -> None:
    block = add_block()
    keep = add_block(title="Another")
    issue = _place_in_issue(session, block, "draft")
    deleted = blocks.delete(session, block.id)  # type: ignore[arg-type]
    assert deleted.removed_from_issues == [issue.id]
    assert session.get(Block, block.id) is None
    assert session.exec(select(Placement)).all() == []
    assert session.get(Block, keep.id) is not None


def test_upgrade_fills_search_text_of_existing_blocks(config: Config) -> None:
    import sqlalchemy as sa

    from newsletter.core import db

    engine = db.make_engine(config)
    db.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO blocks (title, body, summary, kind, tags, places, partners, language,"
                " status, author, created_at, updated_at) VALUES ('Şanlıurfa’da kooperatif', "
                "'Metin', '', 'story', '[]', '[]', '[]', 'tr', 'draft', '', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        found = blocks.list_blocks(session, config.library, BlockFilter(search="sanliurfa"))
        assert [b.title for b in found] == ["Şanlıurfa’da kooperatif"]
    engine.dispose()


def test_blocks_written_without_the_service_are_searchable(
    session: Session, config: Config
) -> None:
    block = Block(title="Direct write", body="Kahramanmaraş’ta konteyner kent")
    session.add(block)
    session.commit()
    found = blocks.list_blocks(session, config.library, BlockFilter(search="kahramanmaras"))
    assert _ids(found) == [block.id]
    block.body = "Now about Malatya"
    session.add(block)
    session.commit()
    assert blocks.list_blocks(session, config.library, BlockFilter(search="kahramanmaras")) == []
