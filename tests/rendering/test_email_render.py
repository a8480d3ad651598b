"""Rendering an issue to MJML and HTML: content, languages, RTL, config, escaping."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html import unescape

import pytest

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.rendering import email_render
from newsletter.rendering.personalise import PersonalFields, compile_parts, marker
from newsletter.rendering.view import BlockView, SectionView
from tests.conftest import write_config
from tests.plugins.compose import june_view


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_every_block_kind_and_the_frame_are_rendered(config):
    out = email_render.render_issue(june_view(), config)
    assert out.mjml.startswith('<mjml lang="en" dir="ltr">')
    assert '<html lang="en" dir="ltr"' in out.html
    text = _visible(out.html)
    for expected in (
        "Örnek Kuruluş",  # organisation name in the header
        "June 2021",
        "June update",
        "Welcome to our June update from Ankara.",
        "Forty women finish a tailoring course in Gaziantep",
        "Photo: Zeynep Çelik",
        "12,400 health consultations",
        "Jun 19 – 20, 2021",  # the festival's dates (thin spaces collapsed)
        "Ödemiş, İzmir",
        "Programme",
        "“I can finally plan my own workshop — and hire two neighbours.”",
        "— Ayşe, course graduate in Kilis",
        "Atatürk Bulvarı 1, 06420 Çankaya, Ankara, Türkiye",
        "Read more",
    ):
        assert expected in text, expected
    assert 'alt="Trainees at sewing machines"' in out.html
    assert 'href="https://example.org/stories/tailoring"' in out.html
    assert out.subject == "June: courses, festivals and health"
    assert "Forty graduates and a festival in Ödemiş" in out.html  # the preheader


def test_personal_parts_are_markers_until_filled(config):
    out = email_render.render_issue(june_view(), config)
    for name in ("unsubscribe_url", "preferences_url", "view_online_url", "name", "email"):
        assert marker(name) in out.html and marker(name) in out.text
    html, _ = compile_parts(out.html, out.text).fill(
        PersonalFields(
            name="Ayşe",
            email="ayse@example.org",
            unsubscribe_url="https://n.example/u/1",
            preferences_url="https://n.example/p/1",
            view_online_url="https://n.example/archive/3",
        )
    )
    assert "Dear Ayşe," in html and 'href="https://n.example/u/1"' in html
    assert "ayse@example.org is subscribed to updates from Örnek Kuruluş" in html


def test_turkish_dates_and_labels(config):
    out = email_render.render_issue(june_view("tr"), config)
    text = _visible(out.html)
    assert "Haziran 2021" in text
    assert "19–20 Haz 2021" in text
    assert "Devamını okuyun" in text and "Abonelikten çıkın" in text
    assert '<mjml lang="tr" dir="ltr">' in out.mjml


@pytest.mark.parametrize("language", ["ar", "he", "fa", "ur"])
def test_right_to_left_languages(config, language):
    out = email_render.render_issue(june_view(language), config)
    assert out.mjml.startswith(f'<mjml lang="{language}" dir="rtl">')
    assert f'lang="{language}" dir="rtl"' in out.html
    assert 'direction="rtl"' in out.mjml and 'align="right"' in out.mjml


def test_arabic_month_is_written_in_arabic(config):
    out = email_render.render_issue(june_view("ar"), config)
    assert "يونيو 2021" in out.html and "اقرأ المزيد" in out.html


def test_unknown_language_is_an_error(config):
    with pytest.raises(UserError, match="language 'zz-top': not a known locale"):
        email_render.render_issue(june_view("zz-top"), config)


def test_brand_colour_logo_and_social_links_come_from_config(tmp_path):
    environ = {
        "NEWSLETTER_ORGANISATION_BRAND_COLOUR": "#b3261e",
        "NEWSLETTER_ORGANISATION_LOGO_URL": "https://images.example.org/logo.png",
        "NEWSLETTER_ORGANISATION_SOCIAL": '{"facebook": "https://facebook.com/ornek", '
        '"Mastodon": "https://mastodon.example/@ornek"}',
    }
    config = load_config(write_config(tmp_path), environ=environ)
    out = email_render.render_issue(june_view(), config)
    assert 'src="https://images.example.org/logo.png"' in out.html
    assert "#b3261e" in out.html
    assert 'href="https://facebook.com/ornek"' in out.html
    assert "Mastodon" in out.html and "https://mastodon.example/@ornek" in out.text


def test_text_is_escaped_and_html_is_sanitised(config):
    evil = BlockView(
        9,
        "story",
        'Title <script>alert("x")</script>',
        "Body <img src=x onerror=alert(1)> **bold**",
        link_url='https://e.example/"><script>',
    )
    view = replace(june_view(), sections=(SectionView("S", (evil,)),))
    out = email_render.render_issue(view, config)
    assert "<script>" not in out.html and "onerror" not in out.html
    assert "Title &lt;script&gt;" in out.html
    assert "<strong>bold</strong>" in out.html


def test_hidden_image_and_empty_sections_are_left_out(config):
    view = june_view()
    story = replace(view.sections[0].blocks[0], image_url=None)
    view = replace(view, sections=(SectionView("Empty"), SectionView("Only", (story,))))
    out = email_render.render_issue(view, config)
    assert "tailoring.png" not in out.html
    assert "Empty" not in _visible(out.html)


def test_a_theme_mistake_names_the_template_line(tmp_path):
    folder = tmp_path / "theme" / "email" / "monthly" / "partials"
    folder.mkdir(parents=True)
    (folder / "quote.mjml.j2").write_text("<mj-section>\n{{ block.speaker }}\n</mj-section>\n")
    config = load_config(write_config(tmp_path, '[rendering]\ntemplates_dir = "theme"\n'))
    with pytest.raises(UserError, match=r"partials/quote.mjml.j2, line 2: .*speaker"):
        email_render.render_issue(june_view(), config)


def test_month_label_is_standalone_form():
    assert email_render.month_label(date(2021, 6, 1), "tr") == "Haziran 2021"
    assert email_render.month_label(date(2021, 6, 1), "en") == "June 2021"
    assert email_render.date_label(date(2021, 6, 19), None, "tr") == "19 Haziran 2021"


def test_mjml_that_cannot_be_converted_is_a_user_error():
    with pytest.raises(UserError, match="email/x.mjml.j2: MJML could not be converted"):
        email_render.mjml_to_html("<mjml><mj-body><mj-section>", "email/x.mjml.j2")
