"""The workspace's block library over HTTP: listing, filters, paging, the form, the preview,
translations, the status buttons, deleting and the history."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.core.account_models import AuditEvent, MediaItem
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import Block, Issue, Placement, Section
from newsletter.library import blocks
from newsletter.web.admin.frame import FLASH_COOKIE, PREVIEW_CSP
from tests.plugins.admin import PEOPLE, form_token
from tests.plugins.web import text_of

Client = Callable[[str | None], httpx.Client]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _add(engine: Engine, config: Config, **fields: object) -> int:
    with session_scope(engine) as db:
        block = blocks.create(db, config.library, {"title": "Untitled", **fields}, NOW)
        return block.id or 0


def _stored(engine: Engine) -> list[Block]:
    with Session(engine) as db:
        return list(db.exec(select(Block).order_by(Block.id)))


def _trail(engine: Engine, block_id: int) -> list[tuple[str, str]]:
    with Session(engine) as db:
        query = select(AuditEvent).where(
            AuditEvent.subject == "block", AuditEvent.subject_id == block_id
        )
        return [(e.action, e.actor) for e in db.exec(query.order_by(AuditEvent.id))]


def _follow(client: httpx.Client, answer: httpx.Response) -> httpx.Response:
    """The page a 303 leads to, with its one-time message (the Secure flash cookie is handed
    over as a browser would: the test server is plain http)."""
    assert answer.status_code == 303, answer.text
    flash = answer.cookies.get(FLASH_COOKIE)
    if flash:
        client.cookies.set(FLASH_COOKIE, flash, path="/admin")
    page = client.get(answer.headers["location"])
    client.cookies.delete(FLASH_COOKIE)
    return page


def _error(html: str, name: str) -> str:
    """The message beside a field (tied to it with aria-describedby)."""
    found = re.search(rf'<p class="error" id="e-{name}">(.*?)</p>', html, re.S)
    assert found, f"no message beside {name}"
    assert re.search(rf'id="f-{name}"[^>]*aria-describedby="e-{name}', html), name
    return unescape(found.group(1))


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input id="f-{name}" name="{name}" type="\w+" value="([^"]*)"', html)
    assert found, name
    return unescape(found.group(1))


def _titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<a href="/admin/blocks/\d+" lang="[^"]*"><bdi>'
                                            r"(.*?)</bdi>", html)]  # fmt: skip


def _form(**fields: str) -> dict[str, str]:
    base = {"title": "", "summary": "", "body": "", "kind": "story", "area": "",
            "language": "en", "event_date": "", "event_date_end": "", "places": "",
            "partners": "", "tags": "", "image_url": "", "image_alt": "", "image_credit": "",
            "link_url": "", "link_label": "", "author": "Editor"}  # fmt: skip
    return {**base, **fields}


@pytest.fixture
def editor(signed_in: Client) -> httpx.Client:
    return signed_in("editor")


@pytest.fixture
def story(engine: Engine, config: Config) -> int:
    return _add(engine, config, title="Mobile clinic opens in Kilis",
                body="Doctors saw **200 families** in two days.", area="migration-health",
                event_date="2026-10-14", event_date_end="2026-10-16", places=["Kilis"],
                partners=["WHO"], tags=["health"], image_url="https://example.org/clinic.jpg",
                image_alt="A doctor talks with a mother", image_credit="Ayşe Demir",
                link_url="https://example.org/clinic", link_label="Read the report")  # fmt: skip


def test_every_block_page_sends_a_stranger_to_sign_in(signed_in: Client, story: int) -> None:
    anonymous = signed_in(None)
    pages = ["/admin/blocks?area=protection", "/admin/blocks/new", f"/admin/blocks/{story}",
             f"/admin/blocks/{story}/translate?language=tr", f"/admin/blocks/{story}/delete",
             f"/admin/blocks/{story}/preview"]  # fmt: skip
    for path in pages:
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=" + path.split("?")[0])
    posts = ["/admin/blocks/new", f"/admin/blocks/{story}", f"/admin/blocks/{story}/ready",
             f"/admin/blocks/{story}/draft", f"/admin/blocks/{story}/archive",
             f"/admin/blocks/{story}/delete", f"/admin/blocks/{story}/translate",
             "/admin/blocks/preview"]  # fmt: skip
    for path in posts:
        answer = anonymous.post(path, data={"csrf_token": "x", "title": "Sneaky"})
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=/admin/blocks")


def test_editors_approvers_and_admins_use_the_library(signed_in: Client, story: int) -> None:
    for role in ("editor", "approver", "admin"):
        client = signed_in(role)
        for path in ("/admin/blocks", "/admin/blocks/new", f"/admin/blocks/{story}",
                     f"/admin/blocks/{story}/translate?language=tr",
                     f"/admin/blocks/{story}/delete"):  # fmt: skip
            answer = client.get(path)
            assert answer.status_code == 200, (role, path)
            assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert "Mobile clinic opens in Kilis" in _titles(client.get("/admin/blocks").text)
        frame = client.get(f"/admin/blocks/{story}/preview")
        assert frame.status_code == 200 and frame.headers["content-security-policy"] == PREVIEW_CSP


def test_an_unknown_block_is_not_found(editor: httpx.Client) -> None:
    for path in ("/admin/blocks/999", "/admin/blocks/999/translate?language=tr",
                 "/admin/blocks/999/delete", "/admin/blocks/999/preview",
                 "/admin/blocks/not-a-number"):  # fmt: skip
        assert editor.get(path).status_code == 404, path
    token = form_token(editor, "/admin/blocks/new")
    answer = editor.post("/admin/blocks/999/ready", data={"csrf_token": token})
    assert answer.status_code == 404


def test_forms_without_their_csrf_token_are_refused(
    editor: httpx.Client, story: int, engine: Engine
) -> None:
    before = [(b.id, b.title, b.status) for b in _stored(engine)]
    refused = [
        editor.post("/admin/blocks/new", data=_form(title="Forged")),
        editor.post(f"/admin/blocks/{story}", data=_form(title="Forged", csrf_token="forged")),
        editor.post(f"/admin/blocks/{story}/ready"),
        editor.post(f"/admin/blocks/{story}/draft"),
        editor.post(f"/admin/blocks/{story}/archive"),
        editor.post(f"/admin/blocks/{story}/delete", data={"confirm": "yes"}),
        editor.post(f"/admin/blocks/{story}/translate", data=_form(title="Forged", language="tr")),
        editor.post("/admin/blocks/preview", data=_form(title="Forged")),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert [(b.id, b.title, b.status) for b in _stored(engine)] == before
    assert _trail(engine, story) == []


def test_each_filter_really_filters(editor: httpx.Client, engine: Engine, config: Config) -> None:
    _add(
        engine,
        config,
        title="Clinic in Şanlıurfa",
        area="migration-health",
        tags=["Health"],
        places=["Haliliye"],
        partners=["WHO"],
        event_date="2026-10-05",
        status="ready",
    )
    _add(
        engine,
        config,
        title="IŞIK atölyesi",
        language="tr",
        area="social-cohesion",
        body="Gençler ışık ve gölgeyle çalıştı.",
        places=["İzmir"],
        partners=["UNICEF"],
        event_date="2026-11-12",
    )
    _add(engine, config, title="Border crossing training", area="border-governance",
         places=["Kilis"], partners=["Birleşmiş Milletler Mülteciler Yüksek Komiserliği"],
         event_date="2026-09-20", status="archived")  # fmt: skip
    cases = {
        "": ["IŞIK atölyesi", "Clinic in Şanlıurfa"],  # archived ones only when asked for
        "area=migration-health": ["Clinic in Şanlıurfa"],
        "tag=HEALTH": ["Clinic in Şanlıurfa"],
        "place=sanliurfa": ["Clinic in Şanlıurfa"],  # Haliliye is a district of Şanlıurfa
        "partner=UNHCR&status=all": ["Border crossing training"],  # written in Turkish
        "status=ready": ["Clinic in Şanlıurfa"],
        "status=archived": ["Border crossing training"],
        "language=tr": ["IŞIK atölyesi"],
        "from=2026-11-01&to=2026-11-30": ["IŞIK atölyesi"],
        "to=2026-10-31&status=all": ["Clinic in Şanlıurfa", "Border crossing training"],
        "q=sanliurfa": ["Clinic in Şanlıurfa"],
        "q=I%C5%9EIK": ["IŞIK atölyesi"],  # IŞIK finds ışık in the body too
        "q=%C4%B1%C5%9F%C4%B1k+g%C3%B6lge": ["IŞIK atölyesi"],
        "q=isik+clinic": [],
    }
    for query, titles in cases.items():
        page = editor.get(f"/admin/blocks?{query}")
        assert page.status_code == 200, query
        assert _titles(page.text) == titles, query


def test_a_bad_filter_is_named_beside_it(editor: httpx.Client) -> None:
    page = editor.get("/admin/blocks?from=14.10.2026")
    assert page.status_code == 400
    assert _error(page.text, "from") == "'14.10.2026' is not a date (write it as YYYY-MM-DD)"
    page = editor.get("/admin/blocks?area=weather")
    assert page.status_code == 400
    assert _error(page.text, "area").startswith("unknown programme area 'weather'")
    page = editor.get("/admin/blocks?from=2026-11-30&to=2026-11-01")
    assert page.status_code == 400
    assert "date range: 2026-11-01 is before 2026-11-30" in text_of(page.text)


def test_paging_through_120_blocks(editor: httpx.Client, engine: Engine, config: Config) -> None:
    with session_scope(engine) as db:
        for n in range(120):
            blocks.create(db, config.library, {"title": f"Story {n:03d}",
                          "tags": ["even"] if n % 2 == 0 else []}, NOW)  # fmt: skip
    seen: list[str] = []
    for page_number in (1, 2, 3):
        page = editor.get(f"/admin/blocks?page={page_number}")
        assert page.status_code == 200
        assert "120 blocks" in text_of(page.text)
        assert f"Page {page_number} of 3" in text_of(page.text)
        seen += _titles(page.text)
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen[:2] == ["Story 119", "Story 118"]  # undated: the newest first
    first = editor.get("/admin/blocks").text
    assert 'rel="next"' in first and "?page=2" in first and 'rel="prev"' not in first
    filtered = editor.get("/admin/blocks?tag=even&page=2")
    assert "60 blocks" in text_of(filtered.text)
    assert len(_titles(filtered.text)) == 10
    assert re.search(r'href="\?tag=even&amp;page=1" rel="prev"', filtered.text)
    assert len(_titles(editor.get("/admin/blocks?page=99").text)) == 20  # the last page


def test_a_new_block_needs_a_title_and_nothing_is_written(
    editor: httpx.Client, engine: Engine
) -> None:
    token = form_token(editor, "/admin/blocks/new")
    answer = editor.post("/admin/blocks/new", data=_form(csrf_token=token, body="Words only."))
    assert answer.status_code == 400
    assert _error(answer.text, "title") == "a block needs a title"
    assert "Words only." in answer.text  # what was typed is kept
    answer = editor.post("/admin/blocks/new", data=_form(csrf_token=token, title="Dated",
                                                         event_date="14/10/2026"))  # fmt: skip
    assert answer.status_code == 400
    assert _error(answer.text, "event_date") == (
        "'14/10/2026' is not a date (write it as YYYY-MM-DD)"
    )
    answer = editor.post("/admin/blocks/new", data=_form(
        csrf_token=token, title="Photo", image_url="https://example.org/a.jpg"))  # fmt: skip
    assert _error(answer.text, "image_alt").startswith("the image 'https://example.org/a.jpg'")
    answer = editor.post("/admin/blocks/new", data=_form(
        csrf_token=token, title="Plain link", link_url="http://example.org"))  # fmt: skip
    assert _error(answer.text, "link_url") == "'http://example.org' is not an https:// address"
    assert _stored(engine) == []


BEES = {"body": "The **first** harvest.\n\nHoney for 40 families.", "area": "economic-recovery",
        "places": "Gaziantep, Nizip", "partners": "UNDP", "tags": "bees",
        "event_date": "2026-10-03"}  # fmt: skip


def test_create_then_edit_and_the_history_names_the_editor(
    editor: httpx.Client, engine: Engine
) -> None:
    token = form_token(editor, "/admin/blocks/new")
    answer = editor.post(
        "/admin/blocks/new", data=_form(csrf_token=token, title="Beekeepers in Gaziantep", **BEES)
    )
    (block,) = _stored(engine)
    assert answer.headers["location"] == f"/admin/blocks/{block.id}"
    assert (block.places, block.partners, block.author) == (["Gaziantep", "Nizip"], ["UNDP"],
                                                           "Editor")  # fmt: skip
    page = _follow(editor, answer)
    assert f"Block {block.id} created." in text_of(page.text)
    assert _value(page.text, "places") == "Gaziantep, Nizip"
    renamed = _form(csrf_token=token, title="Beekeepers in Gaziantep bring in the harvest", **BEES)
    page = _follow(editor, editor.post(f"/admin/blocks/{block.id}", data=renamed))
    assert f"Block {block.id} saved." in text_of(page.text)
    assert _stored(engine)[0].title == "Beekeepers in Gaziantep bring in the harvest"
    history = text_of(page.text).split("History", 1)[1]
    assert re.search(rf"{PEOPLE['editor']} · created .* {PEOPLE['editor']} · changed: “?title",
                     history)  # fmt: skip
    assert _trail(engine, block.id) == [("created", PEOPLE["editor"]),
                                        ("changed", PEOPLE["editor"])]  # fmt: skip
    # A browser sends the story's lines ending in CR LF: the same story, so nothing changes.
    crlf = {**renamed, "body": BEES["body"].replace("\n", "\r\n")}
    again = editor.post(f"/admin/blocks/{block.id}", data=crlf)
    assert "Nothing changed." in text_of(_follow(editor, again).text)
    assert len(_trail(engine, block.id)) == 2
    bad = editor.post(f"/admin/blocks/{block.id}", data=_form(csrf_token=token, title=" "))
    assert bad.status_code == 400 and _error(bad.text, "title") == "a block needs a title"
    assert _stored(engine)[0].title == "Beekeepers in Gaziantep bring in the harvest"


def test_the_preview_is_the_block_in_the_email(editor: httpx.Client, story: int) -> None:
    token = form_token(editor, "/admin/blocks/new")
    answer = editor.post("/admin/blocks/preview", data=_form(
        csrf_token=token, title="Kilis’te gezici klinik", body="Doktorlar **200 aile** gördü.",
        language="tr", area="migration-health", event_date="2026-10-14", kind="event"))  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == PREVIEW_CSP
    assert answer.headers["x-frame-options"] == "SAMEORIGIN"
    assert "Kilis’te gezici klinik" in answer.text
    assert "<strong>200 aile</strong>" in answer.text
    assert "14 Ekim 2026" in text_of(answer.text)  # an event's date, in the block's language
    assert "Ayşe Yılmaz" in answer.text  # the sample reader, as in `issues preview`
    assert "[[nl:" not in answer.text
    wrong = editor.post("/admin/blocks/preview", data=_form(csrf_token=token, title=""))
    assert wrong.status_code == 400 and "title: a block needs a title" in wrong.text
    saved = editor.get(f"/admin/blocks/{story}/preview")
    assert "Mobile clinic opens in Kilis" in saved.text
    assert 'src="https://example.org/clinic.jpg"' in saved.text
    page = editor.get(f"/admin/blocks/{story}").text
    assert f'src="/admin/blocks/{story}/preview"' in page
    assert 'formaction="/admin/blocks/preview" formtarget="block-preview"' in page
    assert '<iframe class="preview" name="block-preview"' in page
    assert '<script src="/admin/static/blocks.js" defer></script>' in page
    assert editor.get("/admin/static/blocks.js").text.count("requestSubmit") >= 1


def test_a_translation_starts_from_the_original_and_joins_its_group(
    editor: httpx.Client, story: int, engine: Engine
) -> None:
    # ?lang= would switch the workspace itself to Turkish: it becomes ?language=.
    moved = editor.get(f"/admin/blocks/{story}/translate?lang=tr")
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/admin/blocks/{story}/translate?language=tr"
    assert "nl_admin_lang" not in moved.headers.get("set-cookie", "")
    page = editor.get(moved.headers["location"])
    assert page.status_code == 200 and page.headers["content-language"] == "en"
    form = page.text.split(f'action="/admin/blocks/{story}/translate"')[2]
    for name, value in {"event_date": "2026-10-14", "event_date_end": "2026-10-16",
                        "places": "Kilis", "partners": "WHO",
                        "image_url": "https://example.org/clinic.jpg",
                        "image_alt": "A doctor talks with a mother", "image_credit": "Ayşe Demir",
                        "link_url": "https://example.org/clinic", "title": ""}.items():  # fmt: skip
        assert _value(form, name) == value, name
    assert re.search(r'<option value="migration-health" selected>', form)
    assert re.search(r'<select id="f-language" name="language">.*?<option value="tr" selected>',
                     form, re.S)  # fmt: skip
    original = text_of(page.text.split('class="panel original"', 1)[1].split("</section>")[0])
    assert "Mobile clinic opens in Kilis" in original and "200 families" in original

    token = form_token(editor, f"/admin/blocks/{story}")
    posted = _form(csrf_token=token, title="Kilis’te gezici klinik açıldı", language="tr",
                   body="Doktorlar iki günde **200 aile** gördü.", area="migration-health",
                   event_date="2026-10-14", event_date_end="2026-10-16", places="Kilis",
                   partners="WHO", tags="health", image_url="https://example.org/clinic.jpg",
                   image_alt="Bir doktor bir anneyle konuşuyor", image_credit="Ayşe Demir",
                   link_url="https://example.org/clinic")  # fmt: skip
    answer = editor.post(f"/admin/blocks/{story}/translate", data=posted)
    original_block, made = _stored(engine)
    assert answer.headers["location"] == f"/admin/blocks/{made.id}"
    assert (made.language, made.translation_group) == ("tr", original_block.translation_group)
    assert made.translation_group == f"block-{story}"
    assert made.image_alt == "Bir doktor bir anneyle konuşuyor"
    assert _trail(engine, made.id) == [("created", PEOPLE["editor"])]
    assert _trail(engine, story) == [("translated", PEOPLE["editor"])]
    shown = editor.get(f"/admin/blocks/{story}").text
    assert f'href="/admin/blocks/{made.id}" lang="tr"' in shown
    assert f"/admin/blocks/{story}/translate?language=ar" in shown
    assert f"/admin/blocks/{story}/translate?language=tr" not in shown
    assert f'href="/admin/blocks/{story}" lang="en"' in editor.get(f"/admin/blocks/{made.id}").text

    again = editor.post(f"/admin/blocks/{story}/translate", data={**posted, "title": "İkinci"})
    assert again.status_code == 400
    assert _error(again.text, "language") == (
        f"block {story} already has a translation in 'tr': block {made.id}"
    )
    assert len(_stored(engine)) == 2


def test_ready_draft_archive_and_the_trail(editor: httpx.Client, engine: Engine,
                                           config: Config) -> None:  # fmt: skip
    block_id = _add(engine, config, title="Guessed story", area="protection", guessed=["area"])
    token = form_token(editor, f"/admin/blocks/{block_id}")
    page = editor.get(f"/admin/blocks/{block_id}").text
    assert "Programme area (guess)" in text_of(page)
    ready = _follow(editor, editor.post(f"/admin/blocks/{block_id}/ready",
                                        data={"csrf_token": token}))  # fmt: skip
    assert f"Block {block_id} is ready for an issue." in text_of(ready.text)
    assert (_stored(engine)[0].status, _stored(engine)[0].guessed) == ("ready", [])
    editor.post(f"/admin/blocks/{block_id}/archive", data={"csrf_token": token})
    assert _stored(engine)[0].status == "archived"
    editor.post(f"/admin/blocks/{block_id}/draft", data={"csrf_token": token})
    assert _stored(engine)[0].status == "draft"
    assert [a for a, _ in _trail(engine, block_id)] == ["marked ready", "archived",
                                                        "moved to draft"]  # fmt: skip


def test_deleting_asks_first(editor: httpx.Client, story: int, engine: Engine) -> None:
    token = form_token(editor, f"/admin/blocks/{story}")
    page = editor.get(f"/admin/blocks/{story}/delete")
    assert f"Delete block {story}?" in text_of(page.text)
    assert 'name="confirm" value="yes"' in page.text
    unconfirmed = editor.post(f"/admin/blocks/{story}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and len(_stored(engine)) == 1
    answer = editor.post(f"/admin/blocks/{story}/delete",
                         data={"csrf_token": token, "confirm": "yes"})  # fmt: skip
    assert answer.headers["location"] == "/admin/blocks"
    assert f"Block {story} deleted: Mobile clinic opens in Kilis" in text_of(
        _follow(editor, answer).text
    )
    assert _stored(engine) == []
    assert _trail(engine, story) == [("deleted", PEOPLE["editor"])]


def _photo(engine: Engine, stem: str, alt: str, credit: str) -> int:
    with session_scope(engine) as db:
        item = MediaItem(stem=stem, original_name=f"{stem}.jpg", extension="jpg", width=1200,
                         height=800, widths=[600, 1200], alt=alt, credit=credit,
                         uploaded_by=PEOPLE["editor"], created_at=NOW)  # fmt: skip
        db.add(item)
        db.flush()
        return item.id or 0


def test_a_photo_from_the_media_library_becomes_the_image(
    editor: httpx.Client, engine: Engine
) -> None:
    older = _photo(engine, "a1b2c3", "Hives on a hillside", "Mehmet Kaya")
    photo = _photo(engine, "d4e5f6", "A beekeeper holds a frame of honey", "Zeynep Arslan")
    page = editor.get("/admin/blocks/new").text
    assert "Choose from the media library" in page
    url = "https://news.example.org/media/d4e5f6-600.jpg"
    assert re.search(rf'name="media_id" value="{photo}" data-url="{url}"', page)
    assert page.index(f'value="{photo}"') < page.index(f'value="{older}"')  # newest first
    token = form_token(editor, "/admin/blocks/new")
    answer = editor.post("/admin/blocks/new", data=_form(
        csrf_token=token, title="Honey", media_id=str(photo)))  # fmt: skip
    assert answer.status_code == 303, answer.text
    (block,) = _stored(engine)
    assert (block.image_url, block.image_alt, block.image_credit) == (
        url, "A beekeeper holds a frame of honey", "Zeynep Arslan")  # fmt: skip
    # Chosen again with its fields already filled (by the script) and the alt text changed:
    # the officer's words stay.
    editor.post(
        f"/admin/blocks/{block.id}",
        data=_form(
            csrf_token=token,
            title="Honey",
            media_id=str(photo),
            image_url=url,
            image_alt="A beekeeper in Gaziantep holds up a frame",
            image_credit="Zeynep Arslan",
        ),
    )
    assert _stored(engine)[0].image_alt == "A beekeeper in Gaziantep holds up a frame"
    missing = editor.post("/admin/blocks/new", data=_form(csrf_token=token, title="X",
                                                          media_id="999"))  # fmt: skip
    assert missing.status_code == 400 and _error(missing.text, "image_url") == (
        "photo 999 is not in the media library (any more); choose another"
    )


def test_a_block_in_a_sent_issue_cannot_be_deleted(
    editor: httpx.Client, story: int, engine: Engine
) -> None:
    with session_scope(engine) as db:
        issue = Issue(title="October update", status="sent", created_at=NOW, updated_at=NOW)
        db.add(issue)
        db.flush()
        section = Section(issue_id=issue.id or 0, heading="Health")
        db.add(section)
        db.flush()
        db.add(Placement(section_id=section.id or 0, block_id=story))
    page = editor.get(f"/admin/blocks/{story}/delete")
    assert "It is placed in these issues: October update (sent)" in text_of(page.text)
    token = form_token(editor, f"/admin/blocks/{story}")
    answer = editor.post(f"/admin/blocks/{story}/delete",
                         data={"csrf_token": token, "confirm": "yes"})  # fmt: skip
    assert answer.status_code == 409
    assert f"it cannot be deleted (archive it instead: newsletter blocks archive {story})" in (
        text_of(answer.text)
    )
    assert len(_stored(engine)) == 1 and _trail(engine, story) == []


def test_the_translation_page_offers_a_language_the_story_lacks(
    editor: httpx.Client, engine: Engine, config: Config
) -> None:
    turkish = _add(engine, config, title="Gaziantep'te arıcılar", language="tr")
    page = editor.get(f"/admin/blocks/{turkish}/translate").text
    assert re.search(r'<select id="f-language" name="language">.*?<option value="en" selected>',
                     page, re.S)  # fmt: skip
    assert '<option value="tr"' not in page.split('id="f-language"')[1].split("</select>")[0]
