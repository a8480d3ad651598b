"""The default theme in headless Chromium at 600 px and 375 px: visible, stacked, no scrolling.

Screenshots go to test-artifacts/ for people to look at.
"""

from __future__ import annotations

import pytest

from newsletter.rendering import email_render
from newsletter.rendering.personalise import PersonalFields, compile_parts
from tests.plugins.browser import solid_png
from tests.plugins.compose import june_view

pytestmark = pytest.mark.browser

READER = PersonalFields(
    name="Ayşe Yılmaz",
    email="ayse@example.org",
    unsubscribe_url="https://news.example.org/unsubscribe/tok",
    preferences_url="https://news.example.org/preferences/tok",
    view_online_url="https://news.example.org/archive/3",
)


@pytest.fixture
def email_page(page, config, tmp_path):
    """Open the rendered June issue (as a reader gets it) at a given width."""
    photo = solid_png(400, 300, (201, 122, 64))
    page.route(
        "https://images.example.org/**",
        lambda route: route.fulfill(body=photo, content_type="image/png"),
    )

    def open_at(width: int, language: str = "en"):
        out = email_render.render_issue(june_view(language), config)
        html, _ = compile_parts(out.html, out.text).fill(READER)
        path = tmp_path / f"issue-{language}.html"
        path.write_text(html, encoding="utf-8")
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page

    return open_at


def _box(page, text: str):
    locator = page.get_by_text(text, exact=False).first
    assert locator.is_visible(), text
    return locator.bounding_box()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _image_box(page):
    image = page.locator('img[alt="Trainees at sewing machines"]')
    assert image.is_visible()
    assert page.evaluate("document.querySelector('img[alt^=Trainees]').naturalWidth") == 400
    return image.bounding_box()


def test_wide_layout_at_600px(email_page, artifacts):
    page = email_page(600)
    page.screenshot(path=str(artifacts / "issue-600.png"), full_page=True)
    for text in (
        "Örnek Kuruluş",
        "June update",
        "Dear Ayşe Yılmaz,",
        "12,400 health consultations",
        "Neighbourhood festival in Ödemiş",
        "Grant applications open",
        "Atatürk Bulvarı 1",
        "Unsubscribe",
        "Manage preferences",
        "View online",
    ):
        _box(page, text)
    image = _image_box(page)
    title = _box(page, "Forty women finish a tailoring course")
    # The lead story: its photo across the column (600 less 2 × 32 px), the title below it.
    assert image["y"] + image["height"] <= title["y"], "the lead's photo is above its title"
    assert image["width"] == 536 and image["x"] == 32
    when = _box(page, "Jun 19")
    festival = _box(page, "Neighbourhood festival in Ödemiş")
    assert when["x"] + when["width"] <= festival["x"]
    assert _no_horizontal_scroll(page)


def test_columns_stack_at_375px(email_page, artifacts):
    page = email_page(375)
    page.screenshot(path=str(artifacts / "issue-375.png"), full_page=True)
    image = _image_box(page)
    title = _box(page, "Forty women finish a tailoring course")
    assert image["y"] + image["height"] <= title["y"], "image should be above the text"
    assert image["width"] > 280, "the image should take the phone's width"
    when = _box(page, "Jun 19")
    festival = _box(page, "Neighbourhood festival in Ödemiş")
    assert when["y"] + when["height"] <= festival["y"]
    assert _no_horizontal_scroll(page)
    link = page.get_by_role("link", name="Unsubscribe")
    assert link.get_attribute("href") == "https://news.example.org/unsubscribe/tok"


def test_arabic_issue_reads_right_to_left(email_page, artifacts):
    page = email_page(375, "ar")
    page.screenshot(path=str(artifacts / "issue-ar-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    month = _box(page, "يونيو 2021")
    assert month["x"] + month["width"] > 375 - 40, "RTL text should hug the right edge"
    # The June blocks have no Arabic translation: shown in English, they read left to right.
    title = _box(page, "Forty women finish a tailoring course")
    assert title["x"] < 40, "an English block in the Arabic edition starts at the left"
    assert _no_horizontal_scroll(page)
