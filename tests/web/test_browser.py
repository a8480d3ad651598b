"""End to end in headless Chromium: subscribe, confirm from a real email, unsubscribe from an
issue's link, and the next send skips the address. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from newsletter.audience import lists, subscriptions
from newsletter.core.clock import FixedClock
from newsletter.core.config import Config, load_config
from newsletter.core.db import session_scope
from newsletter.core.models import Subscription
from newsletter.delivery import ledger, sender
from tests.conftest import SECRET
from tests.plugins.delivery import make_issue
from tests.plugins.smtp import SmtpServer, free_port
from tests.plugins.web import WebServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
LINK = re.compile(r"https?://\S+?/(?:confirm|unsubscribe)/[A-Za-z0-9._-]+")


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def config_path(tmp_path: Path, smtp_server: SmtpServer) -> Path:
    from tests.conftest import write_config

    return write_config(tmp_path, smtp_server.config_toml())


@pytest.fixture
def config(config_path: Path, port: int) -> Config:
    # The emails must link to this very server, over real SMTP without TLS on loopback.
    # The secret comes from the environment given to load_config: the tests' one, so the
    # links made here with SECRET are the server's own.
    env = {"NEWSLETTER_SENDING_TRANSPORT": "smtp", "NEWSLETTER_SECRET_KEY": SECRET,
           "NEWSLETTER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    return load_config(config_path, environ=env)


@pytest.fixture
def site(config: Config, engine, port: int) -> Iterator[WebServer]:
    with session_scope(engine) as session:
        lists.create(session, "aylik-bulten", "Aylık Bülten", NOW, visibility="public",
                     description="Mersin ve Adana’dan “sahadan” haberler.")  # fmt: skip
        lists.create(session, "etkinlikler", "Etkinlikler", NOW, visibility="public")
        # Someone else on the list, so the second send has a recipient to go to.
        subscriptions.subscribe(
            session, SECRET, "komsu@example.org", "Komşu", "tr", ["aylik-bulten"], "test",
            None, None, "consent", "v1", NOW,
        )  # fmt: skip
        for sub in session.exec(select(Subscription)):
            sub.status = "confirmed"
    yield from serve(config, FixedClock(NOW), port)


def _recipients(smtp_server: SmtpServer) -> list[str]:
    return [r for m in smtp_server.messages for r in m.rcpt_tos]


def _send_issue(engine, config: Config) -> None:
    with session_scope(engine) as session:
        issue = make_issue(session)
        send = ledger.start_send(session, issue.id or 0, ["aylik-bulten"], NOW, config)
    result = sender.run_send(engine, config, send.id or 0, FixedClock(NOW))
    assert result.status == "done"


def test_subscribe_confirm_unsubscribe_end_to_end(
    page, site: WebServer, smtp_server: SmtpServer, engine, config: Config, artifacts: Path
) -> None:
    # 1. Subscribe on the list's page, in Turkish.
    page.goto(f"{site.url}/subscribe/aylik-bulten?lang=tr")
    assert page.locator("html").get_attribute("lang") == "tr"
    page.screenshot(path=artifacts / "web-subscribe-tr.png", full_page=True)
    page.get_by_label("E-posta adresi").fill("Gülay.Şahin@example.org")
    page.get_by_label("Adınız").fill("Gülay Şahin")
    page.get_by_label("Bültenin dili").select_option("tr")
    page.get_by_label("Kabul ediyorum").check()
    page.get_by_role("button", name="Abone ol").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Teşekkürler"
    page.screenshot(path=artifacts / "web-subscribe-thanks.png", full_page=True)

    # 2. The confirmation email arrives at the real SMTP server.
    from newsletter.delivery import confirmations

    sent = confirmations.send_due(engine, config, NOW)
    assert sent == 1
    (mail,) = [m for m in smtp_server.messages if "gülay.şahin@example.org" in m.rcpt_tos
               or "Gülay.Şahin@example.org".lower() in m.rcpt_tos]  # fmt: skip
    body = mail.message.get_body(("plain",)).get_content()
    confirm_url = next(u for u in LINK.findall(body) if "/confirm/" in u)
    assert confirm_url.startswith(site.url)

    # 3. Opening the link confirms.
    page.goto(confirm_url)
    assert page.get_by_role("heading", level=1).inner_text() == "Aboneliğiniz onaylandı"
    page.screenshot(path=artifacts / "web-confirmed.png", full_page=True)

    # 4. An issue goes out through the real sender; its unsubscribe link leads to our page.
    _send_issue(engine, config)
    issue_mail = next(m for m in smtp_server.messages[1:]
                      if "gülay.şahin@example.org" in m.rcpt_tos)  # fmt: skip
    header = issue_mail.message["List-Unsubscribe"]
    assert issue_mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = LINK.search(header).group(0)
    assert unsubscribe_url.startswith(f"{site.url}/unsubscribe/")
    # The email's "view online" link leads to the archive's copy, without personal links.
    text = issue_mail.message.get_body(("plain",)).get_content()
    view_url = re.search(r"Tarayıcıda aç: (\S+)", text).group(1)
    page.goto(f"{site.url}/archive?lang=tr")
    page.screenshot(path=artifacts / "web-archive.png", full_page=True)
    page.get_by_role("link", name="Kasım bülteni: Hatay’dan haberler").click()
    assert page.url.split("?")[0] == view_url.split("?")[0]
    assert "?key=" in view_url  # the email's own link also works for issues of private lists
    page.goto(view_url)
    assert "Hatay’da “yeni” toplum merkezi" in page.content()
    assert "/unsubscribe/" not in page.content()
    assert "Merhaba," in page.content() and "/unsubscribe/" not in page.content()
    page.goto(unsubscribe_url)
    assert "Aylık Bülten" in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "web-unsubscribe.png", full_page=True)
    page.get_by_role("button", name="Abonelikten çık", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Aboneliğiniz iptal edildi"
    page.screenshot(path=artifacts / "web-unsubscribed.png", full_page=True)

    # 5. The next send skips the address but still reaches the neighbour.
    before = len(smtp_server.messages)
    _send_issue(engine, config)
    later = _recipients_since(smtp_server, before)
    assert later == ["komsu@example.org"]


def _recipients_since(smtp_server: SmtpServer, start: int) -> list[str]:
    return [r for m in smtp_server.messages[start:] for r in m.rcpt_tos]


def test_form_is_usable_by_keyboard_and_labelled(page, site: WebServer, artifacts: Path) -> None:
    page.goto(f"{site.url}/subscribe?lang=en")
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select')]"
        ".filter(e => !e.labels || e.labels.length === 0).map(e => e.name)"
    )
    assert unlabelled == []
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    # The skip link first, then the form in reading order; the honeypot is never reached.
    assert order[0] == "A"
    assert order.index("email") < order.index("name") < order.index("language")
    assert "website" not in order
    # Submitting an empty form shows the errors, announced and linked to their fields.
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    page.screenshot(path=artifacts / "web-subscribe-errors.png", full_page=True)


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_button_and_text_contrast_meet_wcag_aa(page, site: WebServer) -> None:
    page.goto(f"{site.url}/subscribe")
    for selector, bg_selector in (("button[type=submit]", "button[type=submit]"),
                                  ("main p", "body"), ("label", "body")):  # fmt: skip
        fg = page.eval_on_selector(selector, "e => getComputedStyle(e).color")
        bg = page.eval_on_selector(bg_selector, "e => getComputedStyle(e).backgroundColor")
        light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, selector


def test_pages_fit_a_phone_screen(browser, site: WebServer, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        phone = context.new_page()
        for path, name in (("/subscribe", "web-phone-subscribe.png"),
                           ("/archive", "web-phone-archive.png")):  # fmt: skip
            phone.goto(site.url + path)
            wide = phone.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"{path} scrolls sideways ({wide}px)"
            phone.screenshot(path=artifacts / name, full_page=True)
    finally:
        context.close()


def test_preferences_and_erase_in_the_browser(
    page, site: WebServer, engine, artifacts: Path
) -> None:
    from newsletter.audience import tokens

    with session_scope(engine) as session:
        person = subscriptions.find(session, "komsu@example.org")
        token = tokens.make(SECRET, "preferences", person.id, now=NOW)
    page.goto(f"{site.url}/preferences/{token}")
    assert page.locator("html").get_attribute("lang") == "tr"  # her language, not the browser's
    page.get_by_label("Adınız").fill("Komşu Ayten")
    page.get_by_label("Etkinlikler").check()
    page.get_by_role("button", name="Tercihleri kaydet").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Tercihleriniz kaydedildi."
    assert page.get_by_label("Etkinlikler").is_checked()
    page.screenshot(path=artifacts / "web-preferences.png", full_page=True)
    page.get_by_role("link", name="Beni sil").click()
    page.screenshot(path=artifacts / "web-erase-confirm.png", full_page=True)
    page.get_by_role("button", name="Evet, beni sil").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Verileriniz silindi"
    with session_scope(engine) as session:
        assert subscriptions.find(session, "komsu@example.org") is None


RTL_LAYOUT = """() => {
    const box = e => e.getBoundingClientRect();
    const text = e => { const r = document.createRange(); r.selectNodeContents(e); return box(r); };
    const main = document.querySelector("main");
    const style = getComputedStyle(main);
    const label = document.querySelector("label[for=email]");
    const check = document.querySelector("#consent");
    return {
        html: getComputedStyle(document.documentElement).direction,
        main: style.direction,
        email: getComputedStyle(document.querySelector("#email")).direction,
        contentLeft: box(main).left + parseFloat(style.paddingLeft),
        contentRight: box(main).right - parseFloat(style.paddingRight),
        headingRight: text(document.querySelector("h1")).right,
        labelLeft: text(label).left,
        labelRight: text(label).right,
        checkLeft: box(check).left,
        agreeRight: text(document.querySelector("label[for=consent]")).right,
    };
}"""


def test_arabic_subscribe_page_runs_right_to_left(
    browser, site: WebServer, engine, artifacts: Path
) -> None:
    with session_scope(engine) as session:
        lists.translate(session, "aylik-bulten", "ar", name="النشرة الشهرية",
                        description="أخبار «من الميدان» من مرسين وأضنة.")  # fmt: skip
    # The browser asks for Arabic (Accept-Language), as an Arabic reader's does.
    context = browser.new_context(locale="ar")
    try:
        page = context.new_page()
        page.goto(f"{site.url}/subscribe")
        assert page.locator("html").get_attribute("dir") == "rtl"
        layout = page.evaluate(RTL_LAYOUT)
        assert (layout["html"], layout["main"]) == ("rtl", "rtl")
        assert layout["email"] == "ltr"  # an address reads left to right, even here
        # Text starts at the right edge of the content: the heading and labels end there…
        assert abs(layout["headingRight"] - layout["contentRight"]) < 2
        assert abs(layout["labelRight"] - layout["contentRight"]) < 2
        assert layout["labelLeft"] > layout["contentLeft"] + 50
        # …and a checkbox stands to the right of its label.
        assert layout["checkLeft"] > layout["agreeRight"]
        assert "النشرة الشهرية" in page.locator("main").inner_text()
        page.screenshot(path=artifacts / "web-subscribe-ar.png", full_page=True)
        page.get_by_role("link", name="English").click()
        assert page.locator("html").get_attribute("dir") == "ltr"
        assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    finally:
        context.close()


def test_arabic_pages_fit_a_phone_screen(browser, site: WebServer, artifacts: Path) -> None:
    """Right to left, anything pushed off the start side would scroll the page sideways."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  locale="ar")  # fmt: skip
    try:
        phone = context.new_page()
        for path, name in (("/subscribe", "web-phone-subscribe-ar.png"),
                           ("/archive", "web-phone-archive-ar.png")):  # fmt: skip
            phone.goto(site.url + path)
            assert phone.locator("html").get_attribute("dir") == "rtl"
            wide = phone.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"{path} scrolls sideways ({wide}px)"
            phone.screenshot(path=artifacts / name, full_page=True)
    finally:
        context.close()
