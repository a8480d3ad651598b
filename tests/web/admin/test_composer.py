"""The workspace's issue list and composer over HTTP: create, pick blocks, reorder, override,
edit, editions, the preview frames and the pre-send checks beside them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from html import unescape

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.compose import issues
from newsletter.compose.issue_content import load_view
from newsletter.core.account_models import AuditEvent
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import Block, Issue
from tests.plugins.admin import form_token
from tests.plugins.compose import JUNE_BLOCKS
from tests.plugins.web import text_of

Client = Callable[[str | None], httpx.Client]
CREATED = datetime(2021, 5, 20, 9, 0, tzinfo=UTC)
UNDATED = "Our new office in Hatay is open"


@pytest.fixture
def editor(signed_in: Client) -> httpx.Client:
    return signed_in("editor")


@pytest.fixture
def library(make_block: Callable[..., Block], session: Session) -> dict[str, int]:
    """The June blocks, one undated ready block, and three the picker must not offer: a July
    block, a draft and a Turkish block. Title -> id."""
    made = [make_block(**fields) for fields in JUNE_BLOCKS]
    made.append(make_block(title=UNDATED, event_date=None, created_at=CREATED))
    made.append(make_block(title="Harvest fair in July", event_date=date(2021, 7, 3)))
    made.append(make_block(title="A draft not yet checked", status="draft"))
    made.append(make_block(title="Gaziantep'te kırk kadın", language="tr", translation_group="g1"))
    made[0].translation_group = "g1"
    session.add(made[0])
    session.commit()  # the server under test reads them from its own connections
    return {b.title: b.id for b in made}  # type: ignore[misc]


@pytest.fixture
def issue_id(engine: Engine, config: Config) -> int:
    with session_scope(engine) as db:
        issue = issues.create(
            db, config, title="June update", now=CREATED, subject="June: courses and festivals",
            preheader="Forty graduates in Gaziantep", issue_date=date(2021, 6, 1),
        )  # fmt: skip
        db.flush()
        return issue.id  # type: ignore[return-value]


def _url(issue_id: int, rest: str = "") -> str:
    return f"/admin/issues/{issue_id}{rest}"


def _post(client: httpx.Client, path: str, token: str, **data: str | list[str]) -> httpx.Response:
    return client.post(path, data={"csrf_token": token, **data})


def _issue(engine: Engine, issue_id: int) -> Issue:
    with Session(engine) as db:
        found = db.get(Issue, issue_id)
        assert found is not None
        return found


def _order(engine: Engine, issue_id: int) -> list[list[str]]:
    """Block titles per section, as the issue would render them now."""
    with Session(engine) as db:
        view = load_view(db, issue_id)
    return [[b.title for b in s.blocks] for s in view.sections]


def _preview(client: httpx.Client, issue_id: int, **params: str) -> httpx.Response:
    answer = client.get(_url(issue_id, "/preview"), params=params)
    assert answer.status_code == 200, answer.text
    return answer


def _positions(html: str, *titles: str) -> list[int]:
    text = unescape(html)
    found = [text.find(t) for t in titles]
    assert -1 not in found, dict(zip(titles, found, strict=True))
    return found


def _composed(editor: httpx.Client, issue_id: int, library: dict[str, int]) -> str:
    """The June blocks added through the picker; the CSRF token for further posts."""
    token = form_token(editor, _url(issue_id))
    june = [str(library[f["title"]]) for f in JUNE_BLOCKS]
    answer = _post(editor, _url(issue_id, "/blocks"), token, block=june)
    assert answer.status_code == 303, answer.text
    return token


def test_every_route_needs_a_signed_in_editor(
    signed_in: Client, issue_id: int, library: dict[str, int]
) -> None:
    block = library["12,400 health consultations"]
    reads = ["/admin/issues", _url(issue_id), _url(issue_id, "/preview")]
    writes = ["/admin/issues", _url(issue_id), _url(issue_id, "/blocks"),
              _url(issue_id, "/compose"), _url(issue_id, "/order"),
              _url(issue_id, f"/blocks/{block}/move"), _url(issue_id, f"/blocks/{block}/override"),
              _url(issue_id, f"/blocks/{block}/remove"), _url(issue_id, "/sections/1")]  # fmt: skip
    anonymous = signed_in(None)
    for path in reads:
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=/admin/issues"), path
    for path in writes:
        answer = anonymous.post(path, data={"csrf_token": "x"})
        assert answer.status_code == 303 and "/admin/login" in answer.headers["location"], path
    for role in ("editor", "approver", "admin"):
        client = signed_in(role)
        for path in reads:
            assert client.get(path).status_code == 200, (role, path)


def test_forms_without_their_csrf_token_are_refused(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    block = str(library["12,400 health consultations"])
    form_token(editor, _url(issue_id))  # the CSRF cookie is set: only the token is missing
    refused = [
        editor.post("/admin/issues", data={"title": "Forged"}),
        editor.post(_url(issue_id), data={"subject": "Forged"}),
        editor.post(_url(issue_id, "/blocks"), data={"block": block, "csrf_token": "forged"}),
        editor.post(_url(issue_id, "/order"), data={"order": ""}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert _issue(engine, issue_id).subject == "June: courses and festivals"
    assert _order(engine, issue_id) == []
    with Session(engine) as db:
        assert [i.title for i in db.exec(select(Issue))] == ["June update"]


def test_a_new_issue_is_created_over_http_and_listed(editor: httpx.Client, engine: Engine) -> None:
    token = form_token(editor, "/admin/issues")
    answer = _post(editor, "/admin/issues", token, title="July update", issue_date="2021-07-01",
                   language="tr", theme="monthly")  # fmt: skip
    assert answer.status_code == 303, answer.text
    new_id = int(answer.headers["location"].rsplit("/", 1)[1])
    made = _issue(engine, new_id)
    assert (made.title, made.language, made.issue_date, made.author, made.status) == (
        "July update", "tr", date(2021, 7, 1), "editor@example.org", "draft"
    )  # fmt: skip
    with Session(engine) as db:
        trail = db.exec(select(AuditEvent).where(AuditEvent.subject == "issue")).all()
        assert [(e.action, e.subject_id, e.actor) for e in trail] == [
            ("created", new_id, "editor@example.org")
        ]
    listing = editor.get("/admin/issues")
    assert f'href="/admin/issues/{new_id}"' in listing.text
    assert '<span class="badge draft">' in listing.text
    assert editor.get("/admin/issues", params={"status": "sent"}).text.count("July update") == 0
    assert editor.get("/admin/issues", params={"status": "bogus"}).status_code == 400
    # A title on two lines, or a date that is not one: 400, the message beside the field.
    bad = _post(editor, "/admin/issues", token, title="Two\nlines", issue_date="2021-07-01")
    assert bad.status_code == 400
    assert re.search(r'id="e-title">title contains a line break', bad.text)
    bad = _post(editor, "/admin/issues", token, title="August", issue_date="1 August")
    assert bad.status_code == 400 and 'id="e-issue_date"' in bad.text
    with Session(engine) as db:
        assert len(db.exec(select(Issue)).all()) == 1


def test_the_picker_offers_the_period_and_the_undated_blocks(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    page = editor.get(_url(issue_id))
    picker = re.search(r'<section class="panel" id="picker".*?</section>', page.text, re.S)
    assert picker
    dated = re.search(r'id="pick-dated".*?</fieldset>', picker.group(0), re.S)
    undated = re.search(r'id="pick-undated".*?</fieldset>', picker.group(0), re.S)
    assert dated and undated
    assert all(unescape(f["title"]) in unescape(dated.group(0)) for f in JUNE_BLOCKS)
    assert UNDATED in undated.group(0)
    assert f'value="{library[UNDATED]}"' in undated.group(0)
    for absent in ("Harvest fair in July", "A draft not yet checked", "kırk kadın"):
        assert absent not in picker.group(0)
    # Another period: July's block, and the undated one still offered.
    july = editor.get(_url(issue_id), params={"from": "2021-07-01", "to": "2021-07-31"})
    assert "Harvest fair in July" in july.text and UNDATED in july.text
    assert "Forty women finish" not in july.text.split('id="picker"')[1]

    token = form_token(editor, _url(issue_id))
    chosen = [str(library["Neighbourhood festival in Ödemiş"]), str(library[UNDATED])]
    answer = _post(editor, _url(issue_id, "/blocks"), token, block=chosen)
    assert answer.status_code == 303
    assert answer.headers["location"] == _url(issue_id, "#sections")
    assert _order(engine, issue_id) == [["Neighbourhood festival in Ödemiş"], [UNDATED]]
    again = editor.get(_url(issue_id)).text.split('id="picker"')[1]
    assert UNDATED not in again and "Ödemiş" not in again  # placed blocks leave the picker
    nothing = _post(editor, _url(issue_id, "/blocks"), token)
    assert nothing.status_code == 400 and 'id="e-block"' in nothing.text


def test_composing_the_period_adds_it_by_area(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    token = form_token(editor, _url(issue_id))
    answer = _post(editor, _url(issue_id, "/compose"), token, **{"from": "2021-06-01",
                                                                  "to": "2021-06-30"})  # fmt: skip
    assert answer.status_code == 303, answer.text
    placed = [t for section in _order(engine, issue_id) for t in section]
    assert sorted(placed) == sorted(f["title"] for f in JUNE_BLOCKS)
    assert _issue(engine, issue_id).period_end == date(2021, 6, 30)


def test_moving_up_down_and_by_the_order_form_changes_the_preview(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    token = _composed(editor, issue_id, library)
    sections = _order(engine, issue_id)
    economic = sections[0]
    assert economic == ["Forty women finish a tailoring course in Gaziantep",
                        "Grant applications open"]  # fmt: skip
    grants = library["Grant applications open"]
    html = _preview(editor, issue_id).text
    first, second = _positions(html, *economic)
    assert first < second

    up = _post(editor, _url(issue_id, f"/blocks/{grants}/move"), token, direction="up")
    assert up.status_code == 303 and up.headers["location"].endswith(f"#p-{grants}")
    html = _preview(editor, issue_id).text
    first, second = _positions(html, *economic)
    assert second < first

    down = _post(editor, _url(issue_id, f"/blocks/{grants}/move"), token, direction="down")
    assert down.status_code == 303
    assert _order(engine, issue_id)[0] == economic

    # Down from the bottom of its section: to the top of the next one.
    _post(editor, _url(issue_id, f"/blocks/{grants}/move"), token, direction="down")
    assert _order(engine, issue_id)[1][0] == "Grant applications open"
    _post(editor, _url(issue_id, f"/blocks/{grants}/move"), token, direction="up")
    assert _order(engine, issue_id)[0] == economic

    # Drag and drop: the whole order in one field, blocks crossing sections.
    page = editor.get(_url(issue_id)).text
    field = re.search(r'name="order" id="order-field" value="([^"]+)"', page)
    assert field
    groups = [part.split(":") for part in field.group(1).split(";")]
    ids = [(int(s), [int(b) for b in bs.split(",")]) for s, bs in groups]
    (s1, b1), (s2, b2) = ids[0], ids[1]
    wanted = [(s1, [b1[1], b2[0], b1[0]]), (s2, b2[1:]), *ids[2:]]
    value = ";".join(f"{s}:{','.join(map(str, bs))}" for s, bs in wanted)
    answer = _post(editor, _url(issue_id, "/order"), token, order=value)
    assert answer.status_code == 303, answer.text
    titles = {v: k for k, v in library.items()}
    assert _order(engine, issue_id)[0] == [titles[b1[1]], titles[b2[0]], titles[b1[0]]]
    html = _preview(editor, issue_id).text
    a, b, c = _positions(html, titles[b1[1]], titles[b2[0]], titles[b1[0]])
    assert a < b < c
    # A stale page (a block missing from the order) changes nothing.
    stale = _post(editor, _url(issue_id, "/order"), token, order=f"{s1}:{b1[0]}")
    assert stale.status_code == 409 and "reload" in text_of(stale.text)
    assert _order(engine, issue_id)[0] == [titles[b1[1]], titles[b2[0]], titles[b1[0]]]
    broken = _post(editor, _url(issue_id, "/order"), token, order="one;two")
    assert broken.status_code == 400


def test_an_override_shows_in_the_preview_and_can_be_taken_back(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    token = _composed(editor, issue_id, library)
    block = library["12,400 health consultations"]
    path = _url(issue_id, f"/blocks/{block}/override")
    answer = _post(editor, path, token, title="Twelve thousand visits", summary="")
    assert answer.status_code == 303, answer.text
    html = unescape(_preview(editor, issue_id).text)
    assert "Twelve thousand visits" in html and "12,400 health consultations" not in html
    with Session(engine) as db:
        assert "12,400 health consultations" in db.get(Block, block).title  # type: ignore[union-attr]
    bad = _post(editor, path, token, title="Two\nlines")
    assert bad.status_code == 400 and f'id="e-{block}-title"' in bad.text
    _post(editor, path, token, title="")
    assert "12,400 health consultations" in unescape(_preview(editor, issue_id).text)
    removed = _post(editor, _url(issue_id, f"/blocks/{block}/remove"), token)
    assert removed.status_code == 303
    assert "12,400" not in str(_order(engine, issue_id))


@pytest.mark.parametrize(
    ("subject", "message"),
    [("June\r\nBcc: everyone@example.org", "subject contains a carriage return"),
     ("J" * 301, "subject: 301 characters, more than 300")],
)  # fmt: skip
def test_a_bad_subject_is_refused_beside_the_field(
    editor: httpx.Client, issue_id: int, engine: Engine, subject: str, message: str
) -> None:
    token = form_token(editor, _url(issue_id))
    answer = _post(editor, _url(issue_id), token, subject=subject, preheader="Changed too")
    assert answer.status_code == 400
    error = re.search(r'<p class="error" id="e-subject">(.*?)</p>', answer.text)
    assert error and unescape(error.group(1)).startswith(message)
    assert 'aria-describedby="e-subject' in answer.text
    assert 'name="preheader" type="text" value="Changed too"' in answer.text  # as typed
    assert 'name="title" type="text" value="June update"' in answer.text  # not posted: kept
    kept = _issue(engine, issue_id)
    assert (kept.subject, kept.preheader) == ("June: courses and festivals",
                                              "Forty graduates in Gaziantep")  # fmt: skip


def test_saving_the_fields_edits_the_issue_and_the_trail(
    editor: httpx.Client, issue_id: int, engine: Engine
) -> None:
    token = form_token(editor, _url(issue_id))
    answer = _post(editor, _url(issue_id), token, subject="June: new courses",
                   preheader="Forty graduates", title="June update", intro="Hello\r\nfrom Ankara",
                   issue_date="2021-06-01", theme="monthly")  # fmt: skip
    assert answer.status_code == 303, answer.text
    saved = _issue(engine, issue_id)
    assert (saved.subject, saved.preheader, saved.intro) == (
        "June: new courses", "Forty graduates", "Hello\nfrom Ankara"
    )  # fmt: skip
    with Session(engine) as db:
        event = db.exec(select(AuditEvent).where(AuditEvent.action == "changed")).one()
    assert event.details == {"fields": ["intro", "preheader", "subject"]}


def test_the_preview_frames_html_text_dark_and_widths(
    editor: httpx.Client, issue_id: int, library: dict[str, int]
) -> None:
    _composed(editor, issue_id, library)
    light = _preview(editor, issue_id)
    assert light.headers["content-type"].startswith("text/html")
    assert light.headers["x-frame-options"] == "SAMEORIGIN"
    assert "sandbox" in light.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in light.headers["content-security-policy"]
    assert "prefers-color-scheme: dark" in light.text and "Forty women finish" in light.text
    dark = _preview(editor, issue_id, mode="dark")
    assert "prefers-color-scheme" not in dark.text and "@media all" in dark.text
    text = _preview(editor, issue_id, format="text")
    assert "<pre>" in text.text and "<table" not in text.text
    assert "FORTY WOMEN FINISH" in text.text.upper()
    assert text.headers["x-frame-options"] == "SAMEORIGIN"
    assert editor.get(_url(issue_id, "/preview"), params={"mode": "sepia"}).status_code == 400
    assert editor.get(_url(issue_id, "/preview"), params={"lang": "de"}).status_code == 404

    page = editor.get(_url(issue_id))
    assert "script-src 'self'" in page.headers["content-security-policy"]
    frames = re.findall(r'<iframe class="preview (\w+)" src="([^"]+)"', page.text)
    assert [c for c, _ in frames] == ["desktop", "mobile"]
    assert all(unescape(src).endswith("mode=light&format=html") for _, src in frames)
    css = editor.get("/admin/static/admin.css").text
    assert "iframe.preview.desktop { width: 600px" in css
    assert "iframe.preview.mobile { width: 375px" in css
    dark_page = editor.get(_url(issue_id), params={"mode": "dark", "view": "text"})
    frames = re.findall(r'<iframe class="preview (\w+)" src="([^"]+)"', dark_page.text)
    assert [(c, unescape(s).split("?")[1]) for c, s in frames] == [
        ("text", "lang=en&mode=dark&format=text")
    ]
    assert 'id="order-field"' in page.text and "/admin/static/composer.js" in page.text
    # Every form keeps the tabs: after a change the page comes back as it was.
    assert dark_page.text.count('<input type="hidden" name="mode" value="dark">') > 5
    block = library["12,400 health consultations"]
    moved = editor.post(_url(issue_id, f"/blocks/{block}/move"), data={
        "csrf_token": form_token(editor, _url(issue_id)), "direction": "down", "mode": "dark",
        "view": "text"})  # fmt: skip
    assert moved.headers["location"] == _url(issue_id, f"?mode=dark&view=text#p-{block}")


def test_a_turkish_edition_previews_its_own_texts(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    token = _composed(editor, issue_id, library)
    added = _post(editor, _url(issue_id), token, for_edition="tr", new="1")
    assert added.status_code == 303, added.text
    assert "tr" in _issue(engine, issue_id).translations
    answer = _post(editor, _url(issue_id), token, for_edition="tr", title="Haziran bülteni",
                   subject="Haziran: kurslar ve festivaller", preheader="Kırk mezun",
                   **{"h-1": "Ekonomik kalkınma", "has-allow_fallback": "1",
                      "allow_fallback": "on"})  # fmt: skip
    assert answer.status_code == 303, answer.text
    edition = _issue(engine, issue_id).translations["tr"]
    assert edition["subject"] == "Haziran: kurslar ve festivaller" and edition["allow_fallback"]
    html = unescape(_preview(editor, issue_id, lang="tr").text)
    assert "Haziran bülteni" in html and "Ekonomik kalkınma" in html
    assert "Gaziantep'te kırk kadın" in html  # the block's Turkish translation
    assert "Haziran bülteni" not in unescape(_preview(editor, issue_id).text)
    page = editor.get(_url(issue_id), params={"edition": "tr"})
    frames = re.findall(r'<iframe class="preview \w+" src="([^"]+)"', page.text)
    assert frames and all("lang=tr" in unescape(src) for src in frames)
    bad = _post(editor, _url(issue_id), token, for_edition="tr", subject="Satır\natlayan")
    assert bad.status_code == 400 and 'id="e-tr-subject"' in bad.text
    assert _issue(engine, issue_id).translations["tr"]["subject"].startswith("Haziran")


def test_the_checks_link_each_finding_to_its_field_or_block(
    editor: httpx.Client, engine: Engine, config: Config, library: dict[str, int]
) -> None:
    with session_scope(engine) as db:
        bare = issues.create(db, config, title="No subject yet", now=CREATED)
        db.flush()
        bare_id = bare.id
    assert bare_id is not None
    token = form_token(editor, _url(bare_id))
    draft = str(library["A draft not yet checked"])
    assert _post(editor, _url(bare_id, "/blocks"), token, block=draft).status_code == 303
    page = editor.get(_url(bare_id)).text
    checks = re.search(r'<aside class="panel checks".*?</aside>', page, re.S)
    assert checks
    assert '<a href="#f-subject">the issue has no subject</a>' in checks.group(0)
    assert re.search(rf'<a href="/admin/blocks/{draft}">block {draft} [^<]* is draft</a>',
                     unescape(checks.group(0)))  # fmt: skip
    assert 'id="f-subject"' in page  # the anchor the link goes to


def test_a_scheduled_or_sent_issue_cannot_be_edited(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    token = _composed(editor, issue_id, library)
    block = library["12,400 health consultations"]
    before = _order(engine, issue_id)
    for status in ("scheduled", "sent"):
        with session_scope(engine) as db:
            row = db.get(Issue, issue_id)
            assert row is not None
            row.status = status
        for path, data in [
            (_url(issue_id), {"subject": "Changed after all"}),
            (_url(issue_id, f"/blocks/{block}/move"), {"direction": "up"}),
            (_url(issue_id, f"/blocks/{block}/override"), {"title": "Late change"}),
            (_url(issue_id, f"/blocks/{block}/remove"), {}),
            (_url(issue_id, "/blocks"), {"block": str(library[UNDATED])}),
        ]:
            answer = _post(editor, path, token, **data)
            assert answer.status_code == 409, (status, path)
            assert f"is {status}: its content is frozen" in text_of(answer.text)
        page = editor.get(_url(issue_id))
        assert "can no longer be edited" in text_of(page.text)
        assert 'id="order-form"' not in page.text and 'id="picker"' not in page.text
    kept = _issue(engine, issue_id)
    assert kept.subject == "June: courses and festivals" and _order(engine, issue_id) == before


def test_sections_are_renamed_and_moved(
    editor: httpx.Client, issue_id: int, library: dict[str, int], engine: Engine
) -> None:
    token = _composed(editor, issue_id, library)
    page = editor.get(_url(issue_id)).text
    ids = re.findall(r'<section class="compose-section" id="s-(\d+)"', page)
    assert len(ids) == 3
    first, second = _order(engine, issue_id)[:2]
    renamed = _post(editor, _url(issue_id, f"/sections/{ids[1]}"), token, heading="Health")
    assert renamed.status_code == 303 and renamed.headers["location"].endswith(f"#s-{ids[1]}")
    down = _post(editor, _url(issue_id, f"/sections/{ids[0]}"), token, direction="down")
    assert down.status_code == 303
    with Session(engine) as db:
        view = load_view(db, issue_id)
    assert [s.heading for s in view.sections][:2] == ["Health", "Economic recovery and labour "
                                                      "integration"]  # fmt: skip
    assert _order(engine, issue_id)[:2] == [second, first]
    empty = _post(editor, _url(issue_id, f"/sections/{ids[1]}"), token, heading="  ")
    assert empty.status_code == 400 and f'id="e-s{ids[1]}-heading"' in empty.text
    gone = _post(editor, _url(issue_id, "/sections/999"), token, heading="Nowhere")
    assert gone.status_code == 409 and "reload" in text_of(gone.text)


def test_editing_a_reviewed_issue_sends_it_back_to_draft_but_an_unchanged_form_does_not(
    editor: httpx.Client, issue_id: int, engine: Engine
) -> None:
    with session_scope(engine) as db:
        issues.submit(db, issue_id, "someone", CREATED)
    token = form_token(editor, _url(issue_id))
    page = editor.get(_url(issue_id)).text
    assert "any change sends it back to draft" in text_of(page)
    same = _post(editor, _url(issue_id), token, subject="June: courses and festivals")
    assert same.status_code == 303 and _issue(engine, issue_id).status == "in_review"
    changed = _post(editor, _url(issue_id), token, subject="June: courses")
    assert changed.status_code == 303
    assert (_issue(engine, issue_id).status, _issue(engine, issue_id).subject) == (
        "draft", "June: courses"
    )  # fmt: skip
