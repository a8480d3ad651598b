"""Importing uploaded documents and reviewing their drafts, with a real SQLite database."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.core.account_models import AuditEvent
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.errors import StateError, UserError
from newsletter.core.models import Block
from newsletter.library import blocks, import_review
from newsletter.library.import_review import Upload
from tests.plugins.blocks import NOW

# Our own two-story bulletin: the heading names the month and year, the stories give a day and
# a month only, so the importer takes the year from the document and marks the date a guess.
BULLETIN = """Field notes, November 2026

Beekeepers in Gaziantep Bring in Their First Harvest

Twelve beekeepers who joined the livelihoods course in Gaziantep sold their first honey at the \
city market on 14 November, with support from UNDP.

The group plans to open a small shop next spring.


Children's Library Opens in Şanlıurfa

A reading room for children opened in Haliliye, Şanlıurfa, on 3 December. Volunteers read \
stories in Turkish and Arabic every Saturday morning.
"""

# The same news in Turkish, as Markdown: one date written in full, one without its year.
HABER = """---
language: tr
---
## Gaziantep'te Arıcılar İlk Ballarını Sattı

Geçim kaynakları kursuna katılan on iki arıcı, 14 Kasım 2026 tarihinde Gaziantep'te ilk \
ballarını UNDP desteğiyle sattı.

## Şanlıurfa'da Çocuk Kütüphanesi Açıldı

Haliliye'de çocuklar için bir okuma odası 3 Aralık günü açıldı.
"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
ACTOR = "editor@example.org"


def _import(engine: Engine, config: Config, *uploads: Upload, **options: str):
    opts = import_review.import_options(
        config.library, options.get("language", ""), options.get("year", ""), "Editor"
    )
    with session_scope(engine) as db:
        return import_review.import_uploads(db, config.library, list(uploads), opts, ACTOR, NOW)


def _blocks(engine: Engine) -> list[Block]:
    with Session(engine) as db:
        return list(db.exec(select(Block).order_by(Block.id)))


def _events(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_upload_becomes_drafts_named_after_the_file(engine: Engine, config: Config) -> None:
    (report,) = _import(
        engine, config, Upload("C:\\Users\\ayse\\field-notes.txt", BULLETIN.encode())
    )
    assert report.path == "field-notes.txt" and len(report.created) == 2
    first, second = _blocks(engine)
    assert first.source_file == second.source_file == "field-notes.txt"
    assert (first.places, first.partners, first.area) == (["Gaziantep"], ["UNDP"],
                                                          "economic-recovery")  # fmt: skip
    assert second.places == ["Şanlıurfa", "Haliliye"]
    assert second.event_date == date(2026, 12, 3) and "event_date" in second.guessed
    assert first.author == "Editor" and first.status == "draft"
    imported = _events(engine, "imported")
    assert {e.subject_id for e in imported} == {first.id, second.id}
    assert imported[0].details["file"] == "field-notes.txt"
    # How the year was had is kept for the review page, which cannot ask the importer again.
    notes = import_review.guess_notes(Session(engine), [second.id])
    assert "year from the document" in notes[second.id]["event_date"]


def test_the_same_upload_again_creates_nothing(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("haber.md", HABER.encode()))
    (again,) = _import(engine, config, Upload("haber-kopya.md", HABER.encode()))
    assert again.created == [] and len(again.skipped) == 2
    assert len(_blocks(engine)) == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.png", PNG, "photo.png: only .txt, .md and .markdown files can be imported"),
        ("photo.txt", PNG, "photo.txt: binary file, not text"),
        ("word.txt", codecs.BOM_UTF16_LE + "Haber".encode("utf-16-le"), "word.txt: not UTF-8"),
        ("eski.txt", "Şanlıurfa'da kütüphane".encode("cp1254"), "eski.txt: not UTF-8 text (byte"),
        ("bos.md", b"  \n\n", "bos.md: the file is empty"),
        ("big.txt", b"a" * (import_review.MAX_DOCUMENT_BYTES + 1), "big.txt: larger than 2 MiB"),
        ("notes.txt", b"just one line", "notes.txt: no stories found"),
        ("broken.md", b"---\ntitle: [\n---\nText\n", "broken.md, line"),
    ],
)
def test_a_bad_document_is_named_and_nothing_is_written(
    engine: Engine, config: Config, name: str, data: bytes, message: str
) -> None:
    good = Upload("field-notes.txt", BULLETIN.encode())
    with pytest.raises(UserError) as caught:
        _import(engine, config, good, Upload(name, data))
    assert str(caught.value).startswith("files: " + message)
    assert "newsletter-import-" not in str(caught.value)  # never the temporary file's path
    assert _blocks(engine) == [] and _events(engine, "imported") == []


def test_every_bad_document_is_named_at_once(engine: Engine, config: Config) -> None:
    with pytest.raises(UserError, match=r"^files: a\.txt: the file is empty; b\.png: only"):
        _import(engine, config, Upload("a.txt", b""), Upload("b.png", PNG))


def test_no_file_and_bad_options_are_refused(config: Config, engine: Engine) -> None:
    with pytest.raises(UserError, match="^files: choose one or more"):
        _import(engine, config)
    with pytest.raises(UserError, match="^year: '26' is not a year"):
        import_review.import_options(config.library, "", "26", "")
    with pytest.raises(UserError, match="^language: 'de' is not a language of the library"):
        import_review.import_options(config.library, "de", "", "")
    assert import_review.import_options(config.library, "TR", "2025", "x").language == "tr"


def test_the_year_given_is_not_a_guess(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("field-notes.txt", BULLETIN.encode()), year="2025")
    assert [b.event_date for b in _blocks(engine)] == [date(2025, 11, 14), date(2025, 12, 3)]
    assert all("event_date" not in b.guessed for b in _blocks(engine))


def test_pending_lists_files_with_drafts_left(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("field-notes.txt", BULLETIN.encode()))
    _import(engine, config, Upload("haber.md", HABER.encode()))
    with session_scope(engine) as db:
        waiting = {p.source: (p.drafts, p.with_guesses) for p in import_review.pending(db)}
        assert waiting == {"field-notes.txt": (2, 2), "haber.md": (2, 1)}
        for block in import_review.drafts_of(db, ["haber.md"]):
            import_review.accept(db, block.id, ACTOR, NOW)
    with session_scope(engine) as db:
        assert [p.source for p in import_review.pending(db)] == ["field-notes.txt"]


def test_accept_confirms_the_guesses_and_makes_it_ready(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("field-notes.txt", BULLETIN.encode()))
    block_id = _blocks(engine)[1].id
    with session_scope(engine) as db:
        import_review.accept(db, block_id, ACTOR, NOW)
    block = _blocks(engine)[1]
    assert block.status == "ready" and block.guessed == []
    (event,) = _events(engine, "accepted")
    assert event.subject_id == block_id and event.details["confirmed"] == ["event_date", "area"]
    with session_scope(engine) as db, pytest.raises(StateError, match="no longer a draft"):
        import_review.accept(db, block_id, ACTOR, NOW)


def test_a_correction_settles_only_what_it_changes(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("field-notes.txt", BULLETIN.encode()))
    block = _blocks(engine)[1]
    same = {"area": block.area, "places": "Şanlıurfa, Haliliye", "partners": "",
            "event_date": "2026-12-03", "event_date_end": ""}  # fmt: skip
    with session_scope(engine) as db:
        assert import_review.correct(db, config.library, block.id, same, ACTOR, NOW) == []
    assert _blocks(engine)[1].guessed == ["event_date", "area"]
    changes = {**same, "event_date": "2026-12-05", "partners": "UNICEF"}
    with session_scope(engine) as db:
        changed = import_review.correct(db, config.library, block.id, changes, ACTOR, NOW)
    assert changed == ["partners", "event_date"]
    after = _blocks(engine)[1]
    assert after.event_date == date(2026, 12, 5) and after.partners == ["UNICEF"]
    assert after.guessed == ["area"] and after.status == "draft"
    assert _events(engine, "changed")[0].details["fields"] == ["partners", "event_date"]


def test_a_bad_correction_changes_nothing(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("field-notes.txt", BULLETIN.encode()))
    block = _blocks(engine)[1]
    for changes, message in [
        ({"event_date": "3 December"}, "event_date: '3 December' is not a date"),
        ({"area": "gardening"}, "area: unknown programme area 'gardening'"),
        ({"event_date_end": "2026-12-01"}, "event_date_end: 2026-12-01 is before event_date"),
        ({"title": "Another"}, "title: not a field the review corrects"),
    ]:
        with session_scope(engine) as db, pytest.raises(UserError, match=message):
            import_review.correct(db, config.library, block.id, changes, ACTOR, NOW)
    assert blocks.record(_blocks(engine)[1]) == blocks.record(block)


def test_discard_deletes_a_draft_only(engine: Engine, config: Config) -> None:
    _import(engine, config, Upload("field-notes.txt", BULLETIN.encode()))
    first, second = _blocks(engine)
    with session_scope(engine) as db:
        import_review.discard(db, first.id, ACTOR, NOW)
        import_review.accept(db, second.id, ACTOR, NOW)
    with session_scope(engine) as db, pytest.raises(StateError, match="is ready"):
        import_review.discard(db, second.id, ACTOR, NOW)
    assert [b.id for b in _blocks(engine)] == [second.id]
    (event,) = _events(engine, "discarded")
    assert event.subject_id == first.id and event.note == first.title
