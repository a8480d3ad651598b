"""The Arabic edition in headless Chromium at phone width, as a reader sees it: what the browser
computes (direction, sides) and where mixed runs land on the line, not what the HTML says.

The screenshot goes to test-artifacts/issue-ar-rtl-375.png.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsletter.rendering import email_render
from newsletter.rendering.personalise import PersonalFields, compile_parts
from tests.plugins.browser import solid_png
from tests.plugins.compose import arabic_view

pytestmark = pytest.mark.browser

READER = PersonalFields(
    name="Ayşe Yılmaz",
    email="ayse@example.org",
    unsubscribe_url="https://news.example.org/unsubscribe/tok",
    preferences_url="https://news.example.org/preferences/tok",
    view_online_url="https://news.example.org/archive/3",
)

# Every element whose own text has Arabic letters, with its computed direction; and every
# element inside the English block (lang="en") with Latin text of its own.
DIRECTIONS = """() => {
  const arabic = /[\\u0600-\\u06FF]/, latin = /[A-Za-z]/;
  const found = {arabic: [], english: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    const entry = [el.tagName, getComputedStyle(el).direction, node.nodeValue.trim()];
    const english = el.closest('[lang="en"]');
    if (arabic.test(node.nodeValue)) found.arabic.push(entry);
    else if (english && latin.test(node.nodeValue)) found.english.push(entry);
  }
  return found;
}"""

# The on-screen box of the first occurrence of `part` inside the first text node that holds
# `context`: where the browser put a run after reordering.
RECT = """([context, part]) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, at = node.nodeValue.indexOf(context);
    if (at < 0) continue;
    const start = node.nodeValue.indexOf(part, at);
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + part.length);
    const r = range.getClientRects()[0];
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }
  return null;
}"""


@pytest.fixture
def arabic_page(page, config, tmp_path, artifacts):
    # Every story in full: the English notice's list and quote are what these tests read.
    view = replace(arabic_view(untranslated_note=True), theme="monthly-full")
    _open(page, config, tmp_path, view)
    page.screenshot(path=str(artifacts / "issue-ar-rtl-375.png"), full_page=True)
    return page


def _open(page, config, tmp_path, view):
    photo = solid_png(400, 300, (201, 122, 64))
    page.route(
        "https://images.example.org/**",
        lambda route: route.fulfill(body=photo, content_type="image/png"),
    )
    out = email_render.render_issue(view, config)
    html, _ = compile_parts(out.html, out.text).fill(READER)
    path = tmp_path / "issue-ar.html"
    path.write_text(html, encoding="utf-8")
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def _rect(page, context: str, part: str | None = None) -> dict[str, float]:
    box = page.evaluate(RECT, [context, part or context])
    assert box is not None, context
    return box


def test_every_arabic_element_computes_rtl_and_the_english_block_ltr(arabic_page):
    found = arabic_page.evaluate(DIRECTIONS)
    assert len(found["arabic"]) > 30  # headings, paragraphs, list items, links, footer…
    wrong = [entry for entry in found["arabic"] if entry[1] != "rtl"]
    assert wrong == []
    tags = {tag for tag, _, _ in found["arabic"]}
    assert {"H1", "H2", "H3", "P", "LI", "A", "STRONG"} <= tags
    english = found["english"]
    assert {text for _, _, text in english} >= {"Grant applications open", "two references"}
    assert [entry for entry in english if entry[1] != "ltr"] == []
    assert arabic_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_mixed_lines_read_in_order(arabic_page):
    page = arabic_page
    # "مرحباً Ayşe Yılmaz،": the greeting word on the right, the name to its left.
    hello, name = _rect(page, "مرحباً "), _rect(page, "Ayşe Yılmaz")
    assert name["right"] <= hello["left"] + 1
    # "يونيو 2021": the month first, on the right.
    month, year = _rect(page, "يونيو 2021", "يونيو"), _rect(page, "يونيو 2021", "2021")
    assert year["right"] <= month["left"] + 1
    # İŞKUR ends its sentence, so it sits at the left end, after "عبر".
    via, iskur = _rect(page, "عروض عمل عبر", "عبر"), _rect(page, "عروض عمل عبر", "İŞKUR")
    assert iskur["right"] <= via["left"] + 1
    # Two places: the first one read is the right one.
    odemis, izmir = _rect(page, "Ödemiş"), _rect(page, "İzmir")
    assert abs(odemis["top"] - izmir["top"]) < 5 and izmir["right"] <= odemis["left"]
    # The photo credit: the label on the right, the photographer to its left.
    credit, photographer = _rect(page, "تصوير"), _rect(page, "Zeynep Çelik")
    assert photographer["right"] <= credit["left"] + 1
    # Footer: "… لأن العنوان ayse@example.org مشترك …" in that order, right to left.
    address, email = _rect(page, "لأن العنوان", "العنوان"), _rect(page, "ayse@example.org")
    subscribed = _rect(page, "مشترك في نشرة", "مشترك")
    if abs(address["top"] - email["top"]) < 5:
        assert email["right"] <= address["left"] + 1
    if abs(subscribed["top"] - email["top"]) < 5:
        assert subscribed["right"] <= email["left"] + 1


def test_sides_and_arrows_are_mirrored(arabic_page):
    page = arabic_page
    styles = page.evaluate(
        """() => [...document.querySelectorAll('ul')].map(ul => {
          const s = getComputedStyle(ul), english = !!ul.closest('[lang="en"]');
          return [english, s.direction, s.paddingRight, s.paddingLeft];
        })"""
    )
    assert [False, "rtl", "22px", "0px"] in styles  # bullets on the right in Arabic
    assert [True, "ltr", "0px", "22px"] in styles  # and on the left in the English block
    # Bullets (list-style outside) sit in the list's padding, on the side items start from.
    items = page.locator("ul", has_text="دروس في القصّ")
    outer, item = items.bounding_box(), items.locator("li").first.bounding_box()
    assert outer["x"] + outer["width"] - (item["x"] + item["width"]) == pytest.approx(22, abs=1)
    assert item["x"] == pytest.approx(outer["x"], abs=1)
    assert _rect(page, "دروس في القصّ")["right"] == pytest.approx(item["x"] + item["width"], abs=2)
    # The "read more" arrow points left, at the end of the Arabic line.
    words, arrow = _rect(page, "اقرأ المزيد ←", "اقرأ"), _rect(page, "اقرأ المزيد ←", "←")
    assert arrow["right"] <= words["left"]
    # The highlight's bar is on the right; the English notice's on the left.
    bars = page.evaluate(
        """() => [...document.querySelectorAll('div.mj-outlook-group-fix td')]
          .map(t => getComputedStyle(t))
          .filter(s => s.borderRightWidth === '4px' || s.borderLeftWidth === '4px')
          .map(s => s.borderRightWidth === '4px' ? 'right' : 'left')"""
    )
    assert sorted(bars) == ["left", "right"]


def test_story_picture_sits_on_the_right_on_wide_screens(page, config, tmp_path):
    # A teaser (the story after the highlight, not the lead): its photo beside the text.
    view = arabic_view()
    story, *others = view.blocks
    view = replace(view, sections=(replace(view.sections[0], blocks=(*others[:1], story)),))
    _open(page, config, tmp_path, view)
    page.set_viewport_size({"width": 600, "height": 900})
    image = page.locator("img[alt^='متدر']").bounding_box()
    title = _rect(page, "أربعون امرأة")
    assert image["x"] >= title["right"] - 1, "the picture comes first, on the right"
