"""The themes as readers and spam filters meet them: images, colours, dark mode, digests."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest

from newsletter.core.config import load_config
from newsletter.rendering import email_render, html_audit, mjml_schema
from newsletter.rendering.personalise import compile_parts, public_fields
from newsletter.rendering.sample import sample_fields
from newsletter.rendering.view import BlockView, SectionView
from tests.conftest import write_config
from tests.plugins.compose import arabic_view, june_view

THEMES = ("monthly", "monthly-full", "bulletin")
EDITIONS = {"en": june_view, "tr": lambda: june_view("tr"), "ar": arabic_view}
SOCIAL = '{"facebook": "https://facebook.com/ornek", "Mastodon": "https://mastodon.example/@o"}'
LOGO = "https://images.example.org/logo.png"


@pytest.fixture
def branded(tmp_path):
    environ = {
        "NEWSLETTER_ORGANISATION_SOCIAL": SOCIAL,
        "NEWSLETTER_ORGANISATION_LOGO_URL": LOGO,
    }
    return load_config(write_config(tmp_path), environ=environ)


def _sent(view, config) -> str:
    out = email_render.render_issue(view, config)
    return compile_parts(out.html, out.text).fill(sample_fields("https://news.example.org", 3))[0]


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("language", EDITIONS)
def test_images_have_whole_widths_alt_text_and_known_hosts(branded, theme, language):
    view = replace(EDITIONS[language](), theme=theme)
    html = _sent(view, branded)
    content = {b.image_url for b in view.blocks} | {LOGO}
    images = re.findall(r"<img\b[^>]*>", html)
    assert images and "mailjet" not in html
    for img in images:
        assert re.search(r'\swidth="[0-9]+"', img), img
        assert re.search(r'\salt="[^"]+"', img), img
        src = re.search(r'\ssrc="([^"]+)"', img).group(1)
        icon = src.startswith("https://news.example.org/static/social/") and src.endswith(".png")
        assert icon or src in content, src
    icons = re.findall(r'src="https://news.example.org/static/social/([a-z]+).png"', html)
    assert icons == ["facebook", "mastodon"]


def test_story_photos_are_as_wide_as_their_column(config):
    html = email_render.render_issue(june_view(), config).html
    # The lead story's photo spans the 600 px column less 2 × 32 px padding.
    assert 'src="https://images.example.org/tailoring.png" width="536"' in html
    second = replace(june_view().sections[0].blocks[0], block_id=9, title="Second story")
    view = replace(june_view(), sections=(SectionView("S", (june_view().blocks[1], second)),))
    html = email_render.render_issue(view, config).html
    # A teaser's photo: a 200 px column less 2 × 12 px padding.
    assert 'src="https://images.example.org/tailoring.png" width="176"' in html


class _WhiteText(html_audit._Audit):
    """The audit's reading of colours, noting the background under every white text."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.under_white: set[str] = set()

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if data.strip() and not top.hidden and top.colour == "#ffffff":
            self.under_white.add(top.background)


@pytest.mark.parametrize("theme", THEMES)
def test_no_white_text_without_an_inline_background(branded, theme):
    html = _sent(replace(june_view(), theme=theme), branded)
    reader = _WhiteText()
    reader.feed(html)
    # Only the buttons (the bulletin has none) sit on a colour here: the logo is an image.
    assert reader.under_white == ({"#0033a0"} if theme != "bulletin" else set())
    button = re.search(r'<a class="button"[^>]*>', html)
    assert theme == "bulletin" or "background-color:#0033a0" in button.group(0)
    preheader = re.search(r'<div style="display:none;[^"]*">Forty graduates', html)
    assert preheader and "#ffffff" not in preheader.group(0)
    assert "<mj-preview" not in email_render.render_issue(june_view(), branded).mjml


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("language", EDITIONS)
def test_the_accessibility_pass_finds_nothing_in_the_themes(branded, theme, language):
    html = _sent(replace(EDITIONS[language](), theme=theme), branded)
    problems, height = html_audit.audit(html)
    assert problems == []
    assert 1000 < height < 6000


def test_dark_mode_is_declared(config):
    html = email_render.render_issue(june_view(), config).html
    assert '<meta name="color-scheme" content="light dark" />' in html
    assert '<meta name="supported-color-schemes" content="light dark" />' in html
    assert "@media (prefers-color-scheme: dark)" in html


def test_logo_alt_text_is_white_on_the_brand_colour(branded):
    html = email_render.render_issue(june_view(), branded).html
    logo = re.search(r'<img src="https://images.example.org/logo.png"[^>]*>', html).group(0)
    assert 'alt="Örnek Kuruluş"' in logo and "color:#ffffff" in logo


def test_the_month_is_not_repeated_above_a_title_that_says_it(config):
    assert _visible(_sent(june_view(), config)).count("June 2021") == 1
    titled = _visible(_sent(june_view(title="June 2021 update"), config))
    assert titled.count("June 2021") == 1 and "June 2021 update" in titled


LONG = BlockView(
    8,
    "story",
    "Mobile clinics reach Hatay",
    "Two vans now visit six villages a week.\n\nThe second paragraph tells the whole story.",
)


@pytest.mark.parametrize("theme", ["monthly", "bulletin"])
def test_a_teaser_shows_the_first_paragraph_and_the_web_version_all(config, theme):
    lead = june_view().blocks[0]
    view = replace(june_view(), theme=theme, sections=(SectionView("News", (lead, LONG)),))
    out = email_render.render_issue(view, config)
    parts = compile_parts(out.html, out.text)
    email = parts.fill(sample_fields("https://news.example.org", 3))[0]
    assert "Two vans now visit" in email and "second paragraph" not in email
    assert 'href="https://news.example.org/archive/3#story-8"' in email
    web = parts.fill(public_fields("https://news.example.org", 3))[0]
    assert "second paragraph tells the whole story" in web and "#story-8" not in web


def test_the_full_layout_shows_every_story_in_full(config):
    view = replace(june_view(), theme="monthly-full", sections=(SectionView("News", (LONG,)),))
    email = _sent(view, config)
    assert "second paragraph tells the whole story" in email and "#story-8" not in email


@pytest.mark.parametrize("language", EDITIONS)
def test_the_bulletin_renders_valid_mjml_and_is_denser(config, language):
    view = EDITIONS[language]()
    bulletin = email_render.render_issue(replace(view, theme="bulletin"), config)
    monthly = email_render.render_issue(view, config)
    assert mjml_schema.validate(bulletin.mjml) == []
    assert len(bulletin.html) < 0.7 * len(monthly.html)
    assert html_audit.audit(bulletin.html)[1] < html_audit.audit(monthly.html)[1]
