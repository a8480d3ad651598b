"""The workspace's document import over HTTP: upload, review, accept, correct, discard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from html import unescape

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.core.account_models import AuditEvent
from newsletter.core.models import Block
from newsletter.web.admin.frame import FLASH_COOKIE
from tests.library.test_import_review import BULLETIN, HABER, PNG
from tests.plugins.admin import form_token
from tests.plugins.web import csrf_from, text_of

Client = Callable[[str | None], httpx.Client]
REVIEW = "/admin/import/review?source=field-notes.txt"


def _blocks(engine: Engine) -> list[Block]:
    with Session(engine) as db:
        return list(db.exec(select(Block).order_by(Block.id)))


def _actions(engine: Engine) -> list[tuple[str, int, str]]:
    with Session(engine) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.subject == "block"))
        return [(e.action, e.subject_id, e.actor) for e in events]


def _upload(client: httpx.Client, *files: tuple[str, bytes], **data: str) -> httpx.Response:
    token = form_token(client, "/admin/import")
    parts = [("files", (name, content, "text/plain")) for name, content in files]
    return client.post("/admin/import", data={"csrf_token": token, **data}, files=parts)


def _follow(client: httpx.Client, answer: httpx.Response) -> httpx.Response:
    """The page a 303 leads to, with its one-time message: the test server is plain http, where
    httpx keeps the Secure flash cookie to itself, so it is handed over as a browser would."""
    assert answer.status_code == 303, answer.text
    flash = answer.cookies.get(FLASH_COOKIE)
    if flash:
        client.cookies.set(FLASH_COOKIE, flash, path="/admin")
    page = client.get(answer.headers["location"])
    client.cookies.delete(FLASH_COOKIE)
    return page


def _card(html: str, block_id: int) -> str:
    """The review page's article of one draft."""
    found = re.search(rf'<article[^>]*id="draft-{block_id}".*?</article>', html, re.S)
    assert found, f"no draft {block_id} on the page"
    return found.group(0)


def _label(card: str, block_id: int, name: str) -> str:
    found = re.search(rf'<label for="f-{block_id}-{name}">(.*?)</label>', card, re.S)
    assert found, name
    return text_of(found.group(1))


def _value(card: str, block_id: int, name: str) -> str:
    found = re.search(rf'id="f-{block_id}-{name}" name="{name}" type="\w+" value="([^"]*)"', card)
    assert found, name
    return unescape(found.group(1))


@pytest.fixture
def editor(signed_in: Client) -> httpx.Client:
    return signed_in("editor")


@pytest.fixture
def imported(editor: httpx.Client, engine: Engine) -> list[Block]:
    """The two stories of the English bulletin, uploaded as field-notes.txt."""
    answer = _upload(editor, ("field-notes.txt", BULLETIN.encode()))
    assert answer.status_code == 303 and answer.headers["location"] == REVIEW
    return _blocks(engine)


def _post(client: httpx.Client, path: str, **data: str | list[str]) -> httpx.Response:
    token = csrf_from(client.get(REVIEW).text)
    return client.post(path, data={"csrf_token": token, "source": "field-notes.txt", **data})


def test_every_import_page_needs_a_signed_in_editor(signed_in: Client) -> None:
    anonymous = signed_in(None)
    for path in ("/admin/import", REVIEW):
        answer = anonymous.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/login?next=/admin/import")
    for path in ("/admin/import", "/admin/import/review/1/accept",
                 "/admin/import/review/accept-all"):  # fmt: skip
        answer = anonymous.post(path, data={"csrf_token": "x"})
        assert answer.status_code == 303 and "/admin/login" in answer.headers["location"]
    for role in ("editor", "approver", "admin"):
        page = signed_in(role).get("/admin/import")
        assert page.status_code == 200, role
        assert 'enctype="multipart/form-data"' in page.text and 'name="files"' in page.text
        assert "Drafts awaiting review" in text_of(page.text)


def test_forms_without_their_csrf_token_are_refused(
    editor: httpx.Client, imported: list[Block], engine: Engine
) -> None:
    block_id = imported[0].id
    refused = [
        editor.post("/admin/import", files=[("files", ("more.txt", BULLETIN.encode()))]),
        editor.post(f"/admin/import/review/{block_id}/accept", data={"source": "x"}),
        editor.post(f"/admin/import/review/{block_id}/discard", data={"csrf_token": "forged"}),
        editor.post("/admin/import/review/accept-all", data={"id": str(block_id)}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert [(b.id, b.status) for b in _blocks(engine)] == [(b.id, "draft") for b in imported]


def test_the_review_shows_what_was_recognised_and_marks_the_guessed_date(
    editor: httpx.Client, engine: Engine
) -> None:
    page = _follow(editor, _upload(editor, ("field-notes.txt", BULLETIN.encode())))
    assert page.status_code == 200
    assert "field-notes.txt: 2 drafts made." in text_of(page.text)
    first, second = _blocks(engine)
    honey = _card(page.text, first.id)
    assert "Beekeepers in Gaziantep Bring in Their First Harvest" in text_of(honey)
    assert f'href="/admin/blocks/{first.id}"' in honey
    assert _value(honey, first.id, "places") == "Gaziantep"
    assert _value(honey, first.id, "partners") == "UNDP"
    assert re.search(r'<option value="economic-recovery" selected>', honey)
    assert _label(honey, first.id, "area") == "Programme area guess"
    library = _card(page.text, second.id)
    assert _value(library, second.id, "places") == "Şanlıurfa, Haliliye"
    assert _value(library, second.id, "event_date") == "2026-12-03"
    assert _label(library, second.id, "event_date") == "Event date guess"
    assert "Guessed by the importer: year from the document" in text_of(library)
    assert _label(library, second.id, "places") == "Places"  # read, not guessed
    assert 'data-confirm="' in library and "/discard" in library
    front = editor.get("/admin/import")
    assert "field-notes.txt 2 2" in text_of(front.text)  # the file, its drafts, with guesses


def test_a_turkish_markdown_file_imports_in_its_own_language(
    editor: httpx.Client, engine: Engine
) -> None:
    answer = _upload(editor, ("Kasım haberleri.md", HABER.encode()), language="tr")
    page = _follow(editor, answer)
    full, guessed = _blocks(engine)
    assert full.source_file == "Kasım haberleri.md"  # the name survives the review address
    assert full.language == guessed.language == "tr"
    assert (full.event_date, full.guessed) == (date(2026, 11, 14), [])
    card = _card(page.text, full.id)
    assert _label(card, full.id, "event_date") == "Event date"  # written with its year
    assert 'lang="tr"' in card
    assert _label(_card(page.text, guessed.id), guessed.id, "event_date") == "Event date guess"


def test_accept_makes_the_block_ready_and_the_guess_confirmed(
    editor: httpx.Client, imported: list[Block], engine: Engine
) -> None:
    block_id = imported[1].id
    answer = _post(editor, f"/admin/import/review/{block_id}/accept")
    page = _follow(editor, answer)
    assert f"Block {block_id} accepted" in text_of(page.text)
    assert f'id="draft-{block_id}"' not in page.text  # reviewed: off the list
    block = _blocks(engine)[1]
    assert block.status == "ready" and block.guessed == []
    assert ("accepted", block_id, "editor@example.org") in _actions(engine)
    again = _post(editor, f"/admin/import/review/{block_id}/accept")
    assert again.status_code == 409 and "no longer a draft" in text_of(again.text)


def test_accept_all_accepts_the_drafts_shown(
    editor: httpx.Client, imported: list[Block], engine: Engine
) -> None:
    ids = [str(b.id) for b in imported]
    page = _follow(editor, _post(editor, "/admin/import/review/accept-all", id=ids))
    assert "2 drafts accepted." in text_of(page.text)
    assert [(b.status, b.guessed) for b in _blocks(engine)] == [("ready", [])] * 2
    assert "No drafts from this file are waiting" in text_of(page.text)


def test_corrections_save_and_settle_the_guess(
    editor: httpx.Client, imported: list[Block], engine: Engine
) -> None:
    block_id = imported[1].id
    answer = _post(
        editor, f"/admin/import/review/{block_id}/correct", area="social-cohesion",
        places="Şanlıurfa, Haliliye", partners="UNICEF, İŞKUR", event_date="2026-12-05",
        event_date_end="",
    )  # fmt: skip
    assert answer.headers["location"] == REVIEW + f"#draft-{block_id}"
    page = _follow(editor, answer)
    assert f"Corrections to draft {block_id} saved." in text_of(page.text)
    block = _blocks(engine)[1]
    assert (block.area, block.partners, block.event_date) == (
        "social-cohesion", ["UNICEF", "İŞKUR"], date(2026, 12, 5))  # fmt: skip
    assert block.guessed == [] and block.status == "draft"
    card = _card(page.text, block_id)
    assert _label(card, block_id, "event_date") == "Event date"  # corrected: no longer a guess
    assert ("changed", block_id, "editor@example.org") in _actions(engine)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("event_date", "2026-13-40", "'2026-13-40' is not a date (write it as YYYY-MM-DD)"),
        ("event_date_end", "2026-11-01", "2026-11-01 is before event_date 2026-12-03"),
        ("area", "gardening", "unknown programme area 'gardening'"),
    ],
)
def test_a_bad_correction_is_shown_beside_its_field_and_changes_nothing(
    editor: httpx.Client, imported: list[Block], engine: Engine, field: str, value: str,
    message: str,
) -> None:  # fmt: skip
    block = imported[1]
    answer = _post(editor, f"/admin/import/review/{block.id}/correct", partners="UNICEF",
                   **{field: value})  # fmt: skip
    assert answer.status_code == 400
    assert f"Draft {block.id} was not saved: see the message beside the field." in text_of(
        answer.text
    )
    card = _card(answer.text, block.id)
    error = re.search(rf'<p class="error" id="e-{block.id}-{field}">(.*?)</p>', card)
    assert error and message in unescape(error.group(1))
    assert f'aria-describedby="e-{block.id}-{field}' in card
    assert _value(card, block.id, "partners") == "UNICEF"  # what was typed is kept
    after = _blocks(engine)[1]
    assert (after.partners, after.event_date, after.area, after.guessed) == (
        block.partners, block.event_date, block.area, block.guessed)  # fmt: skip
    assert "changed" not in [a for a, _, _ in _actions(engine)]


def test_discard_deletes_the_draft(
    editor: httpx.Client, imported: list[Block], engine: Engine
) -> None:
    first, second = imported
    page = _follow(editor, _post(editor, f"/admin/import/review/{first.id}/discard"))
    assert f"Draft {first.id} discarded." in text_of(page.text)
    assert [b.id for b in _blocks(engine)] == [second.id]
    assert ("discarded", first.id, "editor@example.org") in _actions(engine)
    gone = _post(editor, f"/admin/import/review/{first.id}/discard")
    assert gone.status_code == 404 and f"no block with id {first.id}" in text_of(gone.text)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("logo.png", "logo.png: only .txt, .md and .markdown files can be imported"),
        ("logo.txt", "logo.txt: binary file, not text"),
    ],
)
def test_a_picture_sent_as_a_document_is_refused_and_nothing_is_written(
    editor: httpx.Client, engine: Engine, name: str, message: str
) -> None:
    answer = _upload(editor, ("field-notes.txt", BULLETIN.encode()), (name, PNG), year="2026")
    assert answer.status_code == 400
    error = re.search(r'<p class="error" id="e-files">(.*?)</p>', answer.text)
    assert error and unescape(error.group(1)) == message
    assert 'value="2026"' in answer.text  # the other choices are kept
    assert _blocks(engine) == [] and _actions(engine) == []


def test_an_empty_choice_and_a_bad_year_are_refused_beside_their_field(
    editor: httpx.Client, engine: Engine
) -> None:
    nothing = _upload(editor, ("", b""))
    assert nothing.status_code == 400
    assert "choose one or more .txt or .md files" in re.search(
        r'id="e-files">(.*?)</p>', nothing.text).group(1)  # fmt: skip
    year = _upload(editor, ("field-notes.txt", BULLETIN.encode()), year="26")
    assert year.status_code == 400 and 'id="e-year"' in year.text
    assert _blocks(engine) == []


def test_uploading_the_same_file_again_reports_the_duplicates_skipped(
    editor: httpx.Client, imported: list[Block], engine: Engine
) -> None:
    page = _follow(editor, _upload(editor, ("field-notes.txt", BULLETIN.encode())))
    said = text_of(page.text)
    assert "field-notes.txt: 0 drafts made; 2 stories already in the library were skipped." in said
    assert len(_blocks(engine)) == 2
    assert [a for a, _, _ in _actions(engine)].count("imported") == 2
