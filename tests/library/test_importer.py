"""`blocks import` on our own fixture bulletin and Markdown files, with a real database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.core.config import Config
from newsletter.core.models import Block
from newsletter.library import importer
from newsletter.library.bulletin import split_bulletin
from newsletter.library.importer import ImportOptions, import_files
from tests.plugins.blocks import NOW

TITLES = [
    "Women’s Cooperative in Şanlıurfa Opens its Doors",
    "Mobile Health Teams Reach Families in Hatay",
    "Border Officials Train on Victim Identification at Istanbul Airport",
    "Youth Dialogue Camp Brings Host and Migrant Communities Together",
    "Survey on Labour Market Needs Published",
    "Earthquake Relief Continues in Kahramanmaraş and Malatya",
    "Pre-departure Orientation for Families Resettled to Canada",
    "Document Examination Exercise Held at Esenboğa",
    "Legal Aid Desk Opens in Mersin",
    "‘Our Children Are Back at School’",
]


def _blocks(engine: Engine) -> list[Block]:
    with Session(engine) as session:
        return list(session.exec(select(Block).order_by(Block.id)))


def _run(engine: Engine, config: Config, *paths: Path, **options) -> list[importer.FileReport]:
    return import_files(engine, config.library, list(paths), ImportOptions(**options), NOW)


def test_bulletin_splits_into_its_ten_stories(bulletin_path: Path) -> None:
    bulletin = split_bulletin(bulletin_path.read_text(encoding="utf-8"))
    assert bulletin.document_type == "Programme bulletin"
    assert [s.title for s in bulletin.stories] == TITLES
    assert [len(s.paragraphs) for s in bulletin.stories] == [2, 2, 1, 2, 2, 1, 1, 2, 1, 1]


def test_import_keeps_every_character_and_cleans_whitespace(
    engine: Engine, config: Config, bulletin_path: Path
) -> None:
    (report,) = _run(engine, config, bulletin_path)
    assert report.error is None and len(report.created) == 10
    found = _blocks(engine)
    assert [b.title for b in found] == TITLES
    first = found[0]
    assert first.body == (
        "A new women’s cooperative opened on 14th October in Siverek, Şanlıurfa, with "
        "twenty-four founding members who will produce and sell traditional “isot” pepper "
        "paste.\n\nThe cooperative is funded by the European Union (EU) and supported by "
        "İŞKUR, which will help the members register their business and reach new markets."
    )
    assert found[9].body.endswith("“Çocuklarımız artık okulda, İngilizceyi bile öğreniyorlar.”")
    for block in found:
        assert "  " not in block.body and "\u00a0" not in block.body
        assert (block.status, block.source_file) == ("draft", str(bulletin_path))
        assert block.content_hash and block.language == "en"
    assert [b.source_position for b in found] == [3, 10, 17, 22, 29, 37, 42, 47, 54, 59]


def test_places_dates_partners_and_areas(
    engine: Engine, config: Config, bulletin_path: Path
) -> None:
    _run(engine, config, bulletin_path)
    found = _blocks(engine)
    assert [b.places for b in found] == [
        ["Şanlıurfa", "Siverek"], ["Hatay", "Antakya", "İskenderun"],
        ["Istanbul Airport", "Sabiha Gökçen Airport"], ["Gaziantep", "Kilis"],
        ["Bursa", "Kocaeli", "Konya", "Ankara"], ["Kahramanmaraş", "Malatya"], ["İzmir"],
        ["Esenboğa Airport", "Ankara"], ["Mersin", "Mezitli"], ["Şırnak", "Düzce"],
    ]  # fmt: skip
    assert [(b.event_date, b.event_date_end) for b in found] == [
        (date(2025, 10, 14), None), (date(2025, 11, 3), date(2025, 11, 5)),
        (date(2025, 9, 9), None), (date(2025, 8, 22), date(2025, 8, 24)),
        (date(2025, 12, 2), None), (date(2025, 10, 1), None), (date(2025, 7, 15), None),
        (date(2025, 9, 30), date(2025, 10, 2)), (date(2025, 4, 28), None), (None, None),
    ]  # fmt: skip
    assert [b.partners for b in found] == [
        ["European Union", "İŞKUR"], ["Ministry of Health"],
        ["Presidency of Migration Management"], ["UNICEF"], ["ILO", "World Bank"],
        ["AFAD", "Turkish Red Crescent"], [], ["EU"], ["UNHCR"], [],
    ]  # fmt: skip
    areas = [b.area for b in found]
    assert areas[1] == "migration-health" and areas[3] == "social-cohesion"
    assert areas[5] == "emergency-response" and areas[6] == "resettlement"
    assert areas[7] == "border-governance" and areas[8] == "protection"
    assert (
        all(
            r["area_suggested"]
            for r in _run(engine, config, bulletin_path, dry_run=True)[0].created
        )
        is True
    )


def test_second_import_creates_nothing_and_says_what_it_skipped(
    engine: Engine, config: Config, bulletin_path: Path
) -> None:
    first = _run(engine, config, bulletin_path)[0]
    second = _run(engine, config, bulletin_path)[0]
    assert second.created == [] and len(second.skipped) == 10
    ids = [c["id"] for c in first.created]
    assert [s["existing_id"] for s in second.skipped] == ids
    assert second.skipped[0] == {"title": TITLES[0], "line": 3, "existing_id": ids[0]}
    assert len(_blocks(engine)) == 10


def test_dry_run_writes_nothing(engine: Engine, config: Config, bulletin_path: Path) -> None:
    (report,) = _run(engine, config, bulletin_path, dry_run=True)
    assert len(report.created) == 10 and all(c["id"] is None for c in report.created)
    assert _blocks(engine) == []


def test_year_option_and_area_override(engine: Engine, config: Config, tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("Project update\n\nClinic Opens\n\nOpened on 20th June in Kilis.", "utf-8")
    (report,) = _run(engine, config, path, year=2021, area="Protection", language="tr")
    (created,) = report.created
    assert (created["event_date"], created["area"], created["area_suggested"]) == (
        date(2021, 6, 20),
        "protection",
        False,
    )
    assert created["language"] == "tr"
    path.write_text("Project update\n\nClinic Closes\n\nClosed on 20th June in Kilis.", "utf-8")
    (no_year,) = _run(engine, config, path)
    assert no_year.created[0]["event_date"] is None  # no year anywhere: not a confident date


BAD_FILES = [
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.txt: binary file, not text"),
    (
        "latin1.txt",
        "Başlık\n\nŞanlıurfa".encode("iso-8859-9"),
        "latin1.txt: not UTF-8 text (byte 0xfe at",
    ),
    ("utf16.txt", "Başlık\n\nMetin".encode("utf-16"), "utf16.txt: not UTF-8 text (it is UTF-16)"),
    ("empty.txt", b"", "empty.txt: the file is empty"),
    ("blank.txt", b"  \n\n \n", "blank.txt: the file is empty"),
    ("prose.txt", b"Only one paragraph of prose.\n", "prose.txt: no stories found"),
    ("broken.md", b"---\ntitle: [oops\n---\nBody\n", "broken.md, line 2: broken front matter"),
    ("missing.txt", None, "missing.txt: cannot read (No such file or directory)"),
]


@pytest.mark.parametrize("name, content, message", BAD_FILES)
def test_unreadable_files_are_reported_and_nothing_is_written_for_them(
    engine: Engine, config: Config, tmp_path: Path, bulletin_path: Path,
    name: str, content: bytes | None, message: str,
) -> None:  # fmt: skip
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    reports = _run(engine, config, bad, bulletin_path)
    assert reports[0].error == f"{tmp_path}/{message}" or reports[0].error.startswith(
        f"{tmp_path}/{message}"
    )
    assert reports[0].created == []
    assert reports[1].error is None and len(_blocks(engine)) == 10


def test_a_file_failing_half_way_writes_none_of_its_blocks(
    engine: Engine, config: Config, tmp_path: Path
) -> None:
    path = tmp_path / "two.md"
    path.write_text(
        "---\nsplit: true\n---\n## First\n\nFine.\n\n## Second\n\nAlso fine.\n", "utf-8"
    )
    bad = tmp_path / "bad-area.md"
    bad.write_text("---\narea: weather\n---\n## One\n\nText.\n", "utf-8")
    reports = _run(engine, config, bad, path)
    assert reports[0].error.startswith(f"{bad}, line 2: area: unknown programme area 'weather'")
    assert [b.title for b in _blocks(engine)] == ["First", "Second"]


def test_markdown_one_block_per_heading(engine: Engine, config: Config, tmp_path: Path) -> None:
    path = tmp_path / "october.md"
    path.write_text(
        "---\nlanguage: tr\ntags: [ekim]\n---\n# Ekim bülteni\n\n"
        "## Kilis’te yeni merkez\n\nMerkez 3 Ekim 2026 günü açıldı.\n\n"
        "```\n## not a heading inside code\n```\n\n"
        "## Urfa’da kooperatif\n\nŞanlıurfa’da kadınlar kooperatif kurdu.\n",
        "utf-8",
    )
    (report,) = _run(engine, config, path)
    assert report.error is None
    first, second = _blocks(engine)
    assert (first.title, first.language, first.tags) == ("Kilis’te yeni merkez", "tr", ["ekim"])
    assert first.event_date == date(2026, 10, 3) and first.places == ["Kilis"]
    assert "## not a heading inside code" in first.body
    assert (second.title, second.places, second.source_position) == (
        "Urfa’da kooperatif",
        ["Şanlıurfa"],
        15,
    )


def test_markdown_one_block_per_file(engine: Engine, config: Config, tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        "---\ntitle: Job fair in Gaziantep\narea: economic-recovery\nstatus: ready\n---\n"
        "More than 300 jobseekers.\n\n## What’s next\n\nCourses in April.\n",
        "utf-8",
    )
    _run(engine, config, path)
    (block,) = _blocks(engine)
    assert (block.title, block.area, block.status) == (
        "Job fair in Gaziantep",
        "economic-recovery",
        "ready",
    )
    assert block.body.endswith("## What’s next\n\nCourses in April.")
    assert block.places == ["Gaziantep"]


def test_markdown_text_before_the_first_heading_is_an_error(
    engine: Engine, config: Config, tmp_path: Path
) -> None:
    path = tmp_path / "loose.md"
    path.write_text("Some intro text.\n\n## A story\n\nBody.\n", "utf-8")
    (report,) = _run(engine, config, path)
    assert report.error == (
        f"{path}, line 1: text before the first '## ' heading belongs to no block "
        "(give the file a 'title:' to import it as one block)"
    )
    assert _blocks(engine) == []
