"""The approval workflow on the composer page, over HTTP: submit, approve or send back with a
note, test sends (outbox and a real SMTP server), schedule at a local time, send now with its
confirmation, and who may do which."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.accounts import users
from newsletter.audience import lists, roster
from newsletter.compose import issues, placements
from newsletter.core import audit, db
from newsletter.core.clock import FixedClock
from newsletter.core.config import Config, load_config
from newsletter.core.db import session_scope
from newsletter.core.models import Delivery, Issue, Send
from newsletter.library import blocks
from newsletter.scheduling.worker import Worker
from tests.conftest import write_config
from tests.plugins.admin import PASSWORD, PEOPLE, form_token, sign_in
from tests.plugins.scheduling import STORIES
from tests.plugins.web import START, WebServer, serve, text_of

Client = Callable[[str | None], httpx.Client]
EDITOR, APPROVER = PEOPLE["editor"], PEOPLE["approver"]
READERS = ["okur0@example.org", "okur1@example.org", "okur2@example.org"]
STEPS = ("submit", "approve", "send-back", "test", "schedule", "unschedule", "send")


def make_issue(engine: Engine, config: Config, author: str = EDITOR, status: str = "draft") -> int:
    """A draft by ``author`` with two ready blocks (it passes its checks), a list "ortaklar"
    of three confirmed readers and a proof list of one colleague; submitted and approved
    as ``status`` asks."""
    with session_scope(engine) as s:
        if lists.find(s, "ortaklar") is None:
            lists.create(s, "ortaklar", "Ortaklar", START, opt_in="single")
            lists.create(s, "proofs", "Proof readers", START, opt_in="single")
            for email_ in READERS:
                roster.add(s, config.secret_key, email_, START, list_slugs=["ortaklar"],
                           consent_source="admin test")  # fmt: skip
            roster.add(s, config.secret_key, "colleague@example.org", START,
                       list_slugs=["proofs"], consent_source="admin test")  # fmt: skip
        ids = []
        for title, body, area in STORIES:
            block = blocks.create(s, config.library, {
                "title": title, "body": body, "summary": body, "area": area, "status": "ready",
                "event_date": (START - timedelta(days=3)).date()}, START)  # fmt: skip
            ids.append(block.id)
        issue = issues.create(s, config, title="Kasım bülteni", now=START, author=author,
                              subject="Kasım’da sahadan haberler",
                              preheader="Gaziantep ve İzmir’den kısa notlar")  # fmt: skip
        placements.add_blocks(s, config, issue.id, ids, author, START)
        if status in ("in_review", "approved"):
            issues.submit(s, issue.id, author, START)
        if status == "approved":
            issues.approve(s, config, issue.id, "chief@example.org", START)
        return issue.id  # type: ignore[return-value]


def _issue(engine: Engine, issue_id: int) -> Issue:
    with Session(engine) as s:
        found = s.get(Issue, issue_id)
        assert found is not None
        return found


def _post(client: httpx.Client, issue_id: int, step: str, **data: str) -> httpx.Response:
    token = form_token(client, f"/admin/issues/{issue_id}")
    return client.post(f"/admin/issues/{issue_id}/{step}", data={"csrf_token": token, **data})


def _outbox(config: Config) -> list[email.message.EmailMessage]:
    folder = Path(config.sending.outbox_dir)
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


@pytest.fixture
def issue_id(engine: Engine, config: Config, staff: dict[str, int]) -> int:
    return make_issue(engine, config)


# --- Who may do what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_an_editor_may_only_submit(
    signed_in: Client, issue_id: int, engine: Engine
) -> None:
    anonymous = signed_in(None)
    for step in STEPS:
        answer = anonymous.post(f"/admin/issues/{issue_id}/{step}", data={"note": "x"})
        assert answer.status_code == 303, step
        assert answer.headers["location"] == f"/admin/login?next=/admin/issues/{issue_id}/{step}"
    assert anonymous.get(f"/admin/issues/{issue_id}/send").status_code == 303
    editor = signed_in("editor")
    for step in STEPS[1:]:
        answer = _post(editor, issue_id, step, note="looks fine", to="me", lists="ortaklar",
                       at="2026-12-01T09:00", confirm="yes", expected="3")  # fmt: skip
        assert answer.status_code == 403, step
        assert "approver" in text_of(answer.text)
    assert editor.get(f"/admin/issues/{issue_id}/send").status_code == 403
    assert _issue(engine, issue_id).status == "draft"
    page = editor.get(f"/admin/issues/{issue_id}").text
    assert f'action="/admin/issues/{issue_id}/submit"' in page
    for step in STEPS[1:]:
        assert f'action="/admin/issues/{issue_id}/{step}"' not in page


def test_a_post_without_the_csrf_token_is_refused(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    issue_id = make_issue(engine, config, status="in_review")
    approver = signed_in("approver")
    for step in ("approve", "send-back", "test", "send"):
        answer = approver.post(f"/admin/issues/{issue_id}/{step}", data={"note": "x"})
        assert answer.status_code == 403, step
    assert _issue(engine, issue_id).status == "in_review"
    assert Path(config.sending.outbox_dir).is_dir() is False


# --- Submit, approve, send back ----------------------------------------------------------------


def test_submit_puts_the_issue_in_review_with_the_editor_in_its_history(
    signed_in: Client, issue_id: int, engine: Engine, web_server: WebServer
) -> None:
    editor = signed_in("editor")
    web_server.clock.advance(minutes=5)
    answer = _post(editor, issue_id, "submit", note="Ready for Selin’s eyes")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/issues/{issue_id}#review"
    assert _issue(engine, issue_id).status == "in_review"
    page = text_of(editor.get(f"/admin/issues/{issue_id}").text)
    history = page[page.index("History") :]
    submitted = f"2026-11-22 09:05 UTC · {EDITOR} · submitted : Ready for Selin’s eyes"
    created = f"2026-11-22 09:00 UTC · {EDITOR} · created"
    assert submitted in history and created in history
    assert history.index(submitted) < history.index(created)  # newest first
    with Session(engine) as s:
        trail = [(e.action, e.actor, e.note) for e in audit.for_subject(s, "issue", issue_id)]
    assert ("submitted", EDITOR, "Ready for Selin’s eyes") in trail
    # Twice: a clear state error at the top of the page, not a 500.
    again = _post(editor, issue_id, "submit")
    assert again.status_code == 409
    assert f"issue {issue_id} is already in review: only a draft can be submitted" in text_of(
        again.text
    )


def test_a_second_submit_of_an_approved_issue_is_a_clear_state_error(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    issue_id = make_issue(engine, config, status="approved")
    answer = _post(signed_in("editor"), issue_id, "submit")
    assert answer.status_code == 409
    assert f"issue {issue_id} is approved: only a draft can be submitted for review" in text_of(
        answer.text
    )
    assert _issue(engine, issue_id).status == "approved"


def test_an_approver_approves_but_not_their_own_issue(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    theirs = make_issue(engine, config, status="in_review")
    own = make_issue(engine, config, author=APPROVER, status="in_review")
    approver = signed_in("approver")
    page = approver.get(f"/admin/issues/{own}").text
    assert "You wrote this issue: another approver must approve it." in text_of(page)
    assert f'action="/admin/issues/{own}/approve"' not in page
    refused = _post(approver, own, "approve")
    assert refused.status_code == 409
    assert f"issue {own} was written by {APPROVER}: another approver must approve it" in text_of(
        refused.text
    )
    assert _issue(engine, own).status == "in_review"
    page = approver.get(f"/admin/issues/{theirs}").text
    assert f'action="/admin/issues/{theirs}/approve"' in page
    done = _post(approver, theirs, "approve", note="Good to go")
    assert done.status_code == 303
    assert _issue(engine, theirs).status == "approved"
    page = text_of(approver.get(f"/admin/issues/{theirs}").text)
    assert f"UTC · {APPROVER} · approved : Good to go" in page
    admin = signed_in("admin")
    assert _post(admin, own, "approve").status_code == 303
    assert _issue(engine, own).status == "approved"


Office = tuple[WebServer, Engine, Config]


def _office(folder: Path, extra: str) -> Iterator[Office]:
    """A second app of its own (config, database, server) with one approver."""
    folder.mkdir()
    config = load_config(write_config(folder, extra))
    engine = db.make_engine(config)
    db.upgrade(engine)
    with session_scope(engine) as s:
        users.add(s, APPROVER, "approver", PASSWORD, START)
    servers = serve(config, FixedClock(START))
    try:
        yield next(servers), engine, config
    finally:
        servers.close()
        engine.dispose()


@pytest.fixture
def one_person_office(tmp_path: Path) -> Iterator[Office]:
    """An app whose config lets an author approve their own issue."""
    yield from _office(tmp_path / "solo", "[workspace]\nallow_self_approval = true\n")


def test_a_one_person_office_may_approve_its_own_issue(
    one_person_office: Office,
) -> None:
    server, engine, config = one_person_office
    own = make_issue(engine, config, author=APPROVER, status="in_review")
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
        assert sign_in(client, APPROVER).status_code == 303
        page = client.get(f"/admin/issues/{own}").text
        assert f'action="/admin/issues/{own}/approve"' in page
        assert _post(client, own, "approve").status_code == 303
    assert _issue(engine, own).status == "approved"


def test_send_back_needs_a_note_which_the_author_then_sees(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    issue_id = make_issue(engine, config, status="in_review")
    approver = signed_in("approver")
    empty = _post(approver, issue_id, "send-back", note="   ")
    assert empty.status_code == 400
    assert re.search(
        r'<p class="error" id="e-send-back-note">say what the author should change', empty.text
    )
    assert _issue(engine, issue_id).status == "in_review"
    note = "Kaynak atölyesinin fotoğrafına alt metin ekleyin, lütfen."
    answer = _post(approver, issue_id, "send-back", note=note)
    assert answer.status_code == 303
    assert _issue(engine, issue_id).status == "draft"
    page = signed_in("editor").get(f"/admin/issues/{issue_id}").text
    sent_back = re.search(r'<div class="sent-back"[^>]*>(.*?)</div>', page, re.S)
    assert sent_back, "the send-back note is not shown"
    shown = text_of(sent_back.group(1))
    assert f"Sent back by {APPROVER}" in shown and note in shown
    assert "submit the issue again" in shown
    # Once submitted again, the old verdict no longer stands.
    _post(signed_in("editor"), issue_id, "submit")
    assert 'class="sent-back"' not in signed_in("editor").get(f"/admin/issues/{issue_id}").text


# --- Test sends ------------------------------------------------------------------------------


def test_a_test_goes_to_me_or_a_proof_list_through_the_outbox(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    issue_id = make_issue(engine, config, status="in_review")
    approver = signed_in("approver")
    answer = _post(approver, issue_id, "test", to="me")
    assert answer.status_code == 303, text_of(answer.text)
    [proof] = _outbox(config)
    assert proof["To"] == APPROVER
    assert proof["Subject"].startswith("[TEST]")
    assert "List-Unsubscribe" not in proof
    assert _post(approver, issue_id, "test", to="list", proof_list="proofs").status_code == 303
    # File names start with the time and a random run id: compare the recipients as a set.
    assert sorted(m["To"] for m in _outbox(config)) == [APPROVER, "colleague@example.org"]
    # The three readers are a real audience, not a proof list: still within the limit, but a
    # typo in an address is refused beside the field and nothing goes.
    bad = _post(approver, issue_id, "test", to="addresses", addresses="ana@example.org, ana@")
    assert bad.status_code == 400
    assert re.search(r'id="e-addresses">invalid email address \'ana@\'', unescape(bad.text))
    none = _post(approver, issue_id, "test", to="list", proof_list="")
    assert none.status_code == 400 and 'id="e-proof_list"' in none.text
    assert len(_outbox(config)) == 2
    with Session(engine) as s:
        notes = [e.note for e in audit.for_subject(s, "issue", issue_id) if e.action == "sent"]
    assert notes == [f"a test to {APPROVER}", "a test to colleague@example.org"]
    assert _issue(engine, issue_id).status == "in_review"  # a test changes nothing else


@pytest.fixture
def smtp_office(tmp_path: Path, smtp_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    """An app whose [sending] transport is SMTP, pointed at the loopback aiosmtpd server (the
    test config already has a [sending] table, so the transport comes from the environment)."""
    monkeypatch.setenv("NEWSLETTER_SENDING_TRANSPORT", "smtp")
    for office in _office(tmp_path / "smtp", smtp_server.config_toml()):
        assert office[2].sending.transport == "smtp"
        yield office


def test_a_test_send_reaches_a_real_smtp_server(smtp_office: Office, smtp_server) -> None:
    server, engine, config = smtp_office
    issue_id = make_issue(engine, config, author=EDITOR, status="in_review")
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
        assert sign_in(client, APPROVER).status_code == 303
        answer = _post(client, issue_id, "test", to="me")
        assert answer.status_code == 303, text_of(answer.text)
    [received] = smtp_server.messages
    assert received.rcpt_tos == [APPROVER]
    assert received.message["Subject"].startswith("[TEST]")
    assert not Path(config.sending.outbox_dir).exists()


def test_a_refused_test_is_reported_at_the_top(smtp_office: Office, smtp_server) -> None:
    server, engine, config = smtp_office
    smtp_server.handler.rcpt_replies[APPROVER] = ["550 5.1.1 no such mailbox"]
    issue_id = make_issue(engine, config, status="in_review")
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
        assert sign_in(client, APPROVER).status_code == 303
        answer = _post(client, issue_id, "test", to="me")
    assert answer.status_code == 502
    assert f"The test to {APPROVER} was not sent" in text_of(answer.text)
    assert smtp_server.messages == []


# --- Schedule, send now ------------------------------------------------------------------------


def test_schedule_at_a_local_time_in_istanbul_stores_the_utc_instant(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    issue_id = make_issue(engine, config, status="approved")
    approver = signed_in("approver")
    page = approver.get(f"/admin/issues/{issue_id}").text
    assert 'type="datetime-local"' in page and 'value="ortaklar"' in page
    past = _post(approver, issue_id, "schedule", at="2026-11-01T09:00", tz="Europe/Istanbul",
                 lists="ortaklar")  # fmt: skip
    assert past.status_code == 400 and re.search(r'id="e-at">[^<]*is in the past', past.text)
    nolist = _post(approver, issue_id, "schedule", at="2026-12-01T09:00", tz="Europe/Istanbul")
    assert nolist.status_code == 400 and 'id="e-lists"' in nolist.text
    zone = _post(approver, issue_id, "schedule", at="2026-12-01T09:00", tz="Europe/Atlantis",
                 lists="ortaklar")  # fmt: skip
    assert zone.status_code == 400 and re.search(r'id="e-tz">unknown time zone', zone.text)
    assert _issue(engine, issue_id).status == "approved"
    done = _post(approver, issue_id, "schedule", at="2026-12-01T09:00", tz="Europe/Istanbul",
                 lists="ortaklar")  # fmt: skip
    assert done.status_code == 303, text_of(done.text)
    issue = _issue(engine, issue_id)
    assert issue.status == "scheduled"
    assert issue.scheduled_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert (issue.schedule_tz, issue.schedule_lists) == ("Europe/Istanbul", ["ortaklar"])
    shown = text_of(approver.get(f"/admin/issues/{issue_id}").text)
    assert f"{APPROVER} · scheduled : for 2026-12-01 09:00 +03 (Europe/Istanbul) to ortaklar" in (
        shown
    )
    assert _post(approver, issue_id, "unschedule").status_code == 303
    assert _issue(engine, issue_id).status == "approved"
    assert _issue(engine, issue_id).scheduled_at is None


def _sends(engine: Engine) -> list[Send]:
    with Session(engine) as s:
        return list(s.exec(select(Send)))


def test_send_now_asks_for_the_ticked_box_then_the_worker_sends_it(
    signed_in: Client, engine: Engine, config: Config, staff: dict[str, int]
) -> None:
    issue_id = make_issue(engine, config, status="approved")
    approver = signed_in("approver")
    page = approver.get(f"/admin/issues/{issue_id}/send", params={"lists": "ortaklar"})
    assert page.status_code == 200
    assert 'id="recipients-total">3<' in page.text
    assert "send it to 3 people now" in text_of(page.text)
    assert "No worker is running" in text_of(page.text)
    token = form_token(approver, f"/admin/issues/{issue_id}")
    url = f"/admin/issues/{issue_id}/send"
    unticked = approver.post(url, data={"csrf_token": token, "lists": "ortaklar", "expected": "3"})
    assert unticked.status_code == 400
    assert re.search(r'id="e-confirm">tick the box', unticked.text)
    stale = approver.post(url, data={"csrf_token": token, "lists": "ortaklar", "expected": "2",
                                     "confirm": "yes"})  # fmt: skip
    assert stale.status_code == 400 and "now reach 3 people, not the 2 shown" in stale.text
    assert _sends(engine) == [] and _issue(engine, issue_id).status == "approved"
    sent = approver.post(url, data={"csrf_token": token, "lists": "ortaklar", "expected": "3",
                                    "confirm": "yes"})  # fmt: skip
    assert sent.status_code == 303, text_of(sent.text)
    assert _issue(engine, issue_id).status == "sending"
    [send] = _sends(engine)
    assert (send.status, send.lists) == ("running", ["ortaklar"])
    with Session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.send_id == send.id)).all()
        assert sorted(r.status for r in rows) == ["queued"] * 3
        [event] = [e for e in audit.for_subject(s, "issue", issue_id) if e.action == "sent"]
        assert (event.actor, event.note) == (APPROVER, "send now to ortaklar: 3 people")
    # The web app only wrote the send: the worker claims it and delivers it.
    worker = Worker(engine, config, clock=FixedClock(START + timedelta(seconds=5)))
    report = worker.tick()
    worker.shutdown()
    assert report.ran == [send.id]
    assert sorted(m["To"] for m in _outbox(config)) == READERS
    assert _issue(engine, issue_id).status == "sent"


def test_send_now_is_refused_for_a_draft_and_an_unknown_list(
    signed_in: Client, issue_id: int, engine: Engine
) -> None:
    approver = signed_in("approver")
    page = approver.get(f"/admin/issues/{issue_id}/send", params={"lists": "ortaklar"})
    assert "only an approved" in text_of(page.text) and 'name="confirm"' not in page.text
    token = form_token(approver, f"/admin/issues/{issue_id}")
    draft = approver.post(f"/admin/issues/{issue_id}/send", data={
        "csrf_token": token, "lists": "ortaklar", "expected": "3", "confirm": "yes"})  # fmt: skip
    assert draft.status_code == 409 and "approve it before freezing" in text_of(draft.text)
    unknown = approver.get(f"/admin/issues/{issue_id}/send", params={"lists": "nope"})
    assert unknown.status_code == 400 and "no list with slug 'nope'" in text_of(unknown.text)
    assert approver.get("/admin/issues/999/send").status_code == 404
    assert _sends(engine) == [] and _issue(engine, issue_id).status == "draft"
