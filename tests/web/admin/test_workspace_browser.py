"""The monthly round in headless Chromium, as the office does it: an editor imports a bulletin,
accepts its drafts, uploads a photo, composes the issue, checks the preview and submits it; an
approver sends it back with a note; the editor fixes it and resubmits; the approver approves,
sends a test that arrives at a real SMTP server, and schedules it; the worker sends it.

Every main page is checked with axe-core (no serious or critical violation) and saved as a
screenshot in test-artifacts/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from sqlmodel import Session, select

from newsletter.audience import lists, roster
from newsletter.core.clock import utcnow
from newsletter.core.config import load_config
from newsletter.core.db import make_engine, session_scope, upgrade
from newsletter.core.models import Issue
from tests.conftest import write_config
from tests.plugins.admin import PASSWORD, PEOPLE
from tests.plugins.scheduling import wait_for
from tests.plugins.smtp import SmtpServer
from tests.plugins.web import WebServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BULLETIN = """Monthly field notes, November 2026

Beekeepers in Gaziantep Sell Their First Honey

Twelve beekeepers who finished the livelihoods course in Gaziantep sold their first honey at \
the city market on 14 November 2026, with support from UNDP.

The group plans to open a small shop in the spring.


Sewing Workshop Opens in Kilis

A sewing workshop for women opened in Kilis on 20 November 2026. Twenty trainees learn \
pattern cutting and run small orders for local schools.
"""
READERS = ["okur1@example.org", "okur2@example.org", "okur3@example.org"]


class RealClock:
    """The worker runs on the wall clock; so does this server, or a schedule made in the page
    would be due at once (or missed) for the worker."""

    def __call__(self):  # noqa: ANN204
        return utcnow()


def _photo() -> bytes:
    image = Image.new("RGB", (1600, 1000), (40, 120, 90))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return buf.getvalue()


@pytest.fixture
def office(tmp_path: Path, smtp_server: SmtpServer, staff: dict[str, int]) -> Iterator[dict]:
    """The config (SMTP to the test server, a worker polling every second), the staff of
    tests/plugins/admin.py, a list of three readers, and the server on the wall clock."""
    path = write_config(tmp_path, smtp_server.config_toml() + "[scheduler]\npoll_seconds = 1\n")
    path.write_text(
        path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n'),
        encoding="utf-8",
    )
    config = load_config(path)
    engine = make_engine(config)
    upgrade(engine)
    with session_scope(engine) as db:
        lists.create(db, "ortaklar", "Partners", utcnow(), opt_in="single")
        for email in READERS:
            roster.add(db, config.secret_key, email, utcnow(), list_slugs=["ortaklar"],
                       consent_source="browser test")  # fmt: skip
    gen = serve(config, RealClock())  # type: ignore[arg-type]
    server: WebServer = next(gen)
    try:
        yield {"config": config, "path": path, "engine": engine, "url": server.url,
               "tmp": tmp_path}  # fmt: skip
    finally:
        gen.close()
        engine.dispose()


def _check_page(page, artifacts: Path, name: str) -> None:
    """No serious or critical axe-core violation; a screenshot for people to look at."""
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    page.screenshot(path=str(artifacts / f"workspace-{name}.png"), full_page=True)
    assert bad == [], f"{name}: {bad}"


def _sign_in(page, base: str, role: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("E-mail address").fill(PEOPLE[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/**")


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/admin/login**")


def test_the_monthly_round_in_the_browser(
    browser, office: dict, artifacts: Path, smtp_server: SmtpServer, start_worker
) -> None:
    base, tmp = office["url"], office["tmp"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # --- The editor: sign in, import the bulletin, accept its drafts. --------------------------
    page.goto(f"{base}/admin/blocks")
    assert "/admin/login?next=" in page.url
    _check_page(page, artifacts, "login")
    _sign_in(page, base, "editor")
    bulletin = tmp / "field-notes.txt"
    bulletin.write_text(BULLETIN, encoding="utf-8")
    page.goto(f"{base}/admin/import")
    _check_page(page, artifacts, "import")
    page.locator("input[name='files']").set_input_files(str(bulletin))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/admin/import/review**")
    assert page.get_by_text("Beekeepers in Gaziantep Sell Their First Honey").count() >= 1
    _check_page(page, artifacts, "import-review")
    page.get_by_role("button", name="Accept all").click()
    page.wait_for_load_state()

    # --- A photo with its alt text. ------------------------------------------------------------
    photo = tmp / "honey.jpg"
    photo.write_bytes(_photo())
    page.goto(f"{base}/admin/media")
    page.locator("input[name='file']").set_input_files(str(photo))
    page.get_by_label("Alt text").fill("Beekeepers holding jars of honey at a market stall")
    page.get_by_label("Credit").fill("Field team")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert page.locator("img[alt='Beekeepers holding jars of honey at a market stall']").count()
    _check_page(page, artifacts, "media")

    page.goto(f"{base}/admin/blocks")
    _check_page(page, artifacts, "blocks")
    page.get_by_role("link", name="Beekeepers in Gaziantep Sell Their First Honey").first.click()
    page.wait_for_load_state()
    page.locator("details.media-pick summary").click()
    page.locator("input[name='media_id']:not([value=''])").first.check()
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()
    _check_page(page, artifacts, "block")

    # --- Compose the month's issue, see the preview and the checks, submit. --------------------
    page.goto(f"{base}/admin/issues")
    page.get_by_label("Title").fill("November update")
    page.get_by_label("Issue date").fill("2026-11-30")
    page.get_by_role("button", name="Create the issue").click()
    page.wait_for_url("**/admin/issues/*")
    issue_url = page.url.split("?")[0].split("#")[0]
    page.get_by_role("button", name="Add every ready block of the period").click()
    page.wait_for_load_state()
    preview = page.frame_locator("iframe.preview").first
    assert preview.get_by_text("Beekeepers in Gaziantep Sell Their First Honey").count() >= 1
    assert page.locator(".checks, #checks").count() >= 1
    page.locator("#f-subject").fill("November: honey in Gaziantep, sewing in Kilis")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_load_state()
    _check_page(page, artifacts, "composer")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    _sign_out(page)

    # --- The approver sends it back with a note. -----------------------------------------------
    _sign_in(page, base, "approver")
    page.goto(issue_url)
    page.get_by_text("Send back to draft").click()
    page.get_by_label("What should the author change?").fill(
        "Please name the market in the subject."
    )
    page.get_by_role("button", name="Send back with this note").click()
    page.wait_for_load_state()
    _sign_out(page)

    # --- The editor sees the note, fixes the subject, resubmits. -------------------------------
    _sign_in(page, base, "editor")
    page.goto(issue_url)
    assert page.get_by_text("Please name the market in the subject.").count() >= 1
    page.locator("#f-subject").fill("November: honey at the Gaziantep market, sewing in Kilis")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    _sign_out(page)

    # --- The approver approves, sends a test, schedules; the worker sends. ---------------------
    _sign_in(page, base, "approver")
    page.goto(issue_url)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    page.get_by_text("Send a test", exact=True).click()
    page.get_by_role("button", name="Send the test").click()
    page.wait_for_load_state()
    wait_for(lambda: any(PEOPLE["approver"] in m.rcpt_tos for m in smtp_server.messages), 30,
             "the test message at the SMTP server")  # fmt: skip
    local = (utcnow() + timedelta(minutes=1)).astimezone(ZoneInfo("Europe/Istanbul"))
    page.locator("summary", has_text="Schedule").click()
    page.get_by_label("Send at (local time)").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone").fill("Europe/Istanbul")
    page.locator("input[name='lists'][value='ortaklar']").check()
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_load_state()
    _check_page(page, artifacts, "approved")
    with Session(office["engine"]) as db:
        issue = db.exec(select(Issue)).one()
        assert issue.status == "scheduled"
    worker = start_worker(office["path"])
    worker.wait_started()
    arrived = lambda: {r for m in smtp_server.messages for r in m.rcpt_tos} >= set(READERS)  # noqa: E731
    wait_for(arrived, 150, "the worker to send the issue")
    worker.stop()
    page.goto(issue_url)
    _check_page(page, artifacts, "sent")
    assert errors == [], errors
    context.close()
