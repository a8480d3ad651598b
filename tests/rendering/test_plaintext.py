"""The plain-text part: written from the content, readable, every link with its URL."""

from __future__ import annotations

from newsletter.rendering import email_render
from newsletter.rendering.personalise import PersonalFields, compile_parts
from newsletter.rendering.plaintext import markdown_to_text
from tests.plugins.compose import june_view

AYSE = PersonalFields(
    name="Ayşe",
    email="ayse@example.org",
    unsubscribe_url="https://news.example.org/u/tok",
    preferences_url="https://news.example.org/p/tok",
    view_online_url="https://news.example.org/archive/3",
)


def _text(config, view=None, fields=AYSE):
    out = email_render.render_issue(view or june_view(), config)
    return compile_parts(out.html, out.text).fill(fields)[1]


def test_text_part_has_headings_blocks_and_links(config):
    text = _text(config)
    assert text.startswith("Örnek Kuruluş\nJune 2021 · June update\n\nDear Ayşe,\n")
    assert "Economic recovery\n=================\n" in text
    assert (
        "Forty women finish a tailoring course in Gaziantep\n"
        "--------------------------------------------------\n"
        "After twelve weeks at the Şahinbey workshop, forty women received\n"
        "certificates — and eleven already have job offers.\n"
        "(Photo: Zeynep Çelik)\n"
        "Read more: https://example.org/stories/tailoring\n"
    ) in text
    assert "Read the call <https://example.org/grants>." in text
    assert "When: Jun 19\u2009–\u200920, 2021\nWhere: Ödemiş, İzmir\n" in text
    assert "Programme: https://example.org/events/odemis" in text
    assert "  “I can finally plan my own workshop — and hire two neighbours.”\n" in text
    assert "  — Ayşe, course graduate in Kilis\n" in text
    assert "<strong>" not in text and "**" not in text


def test_footer_has_address_reason_and_links(config):
    text = _text(config)
    footer = text[text.index("\n-- \n") :]
    assert "Atatürk Bulvarı 1, 06420 Çankaya, Ankara, Türkiye" in footer
    # The reason is wrapped like the rest of the text part, so it may span lines.
    reason = "because ayse@example.org is subscribed to updates from Örnek Kuruluş."
    assert reason in " ".join(footer.split())
    assert "View online: https://news.example.org/archive/3" in footer
    assert "Manage preferences: https://news.example.org/p/tok" in footer
    assert "Unsubscribe: https://news.example.org/u/tok" in footer


def test_public_version_has_no_greeting_name_or_personal_links(config):
    text = _text(config, fields=PersonalFields(view_online_url="https://n.example/archive/3"))
    assert "\nHello,\n" in text and "Dear" not in text
    assert "Unsubscribe" not in text and "This is the web version" in text


def test_turkish_text_part(config):
    text = _text(config, june_view("tr"))
    assert "Haziran 2021 · June update" in text
    assert "Devamını okuyun: https://example.org/stories/tailoring" in text
    assert "Abonelikten çıkın: https://news.example.org/u/tok" in text


def test_markdown_structures_keep_their_shape():
    text = markdown_to_text(
        "## Plan\n\nSee [the report](https://example.org/r) or <https://example.org/a>; "
        "[old](http://example.org/o) links lose their URL.\n\n"
        "1. first\n2. second **bold**\n   - nested\n\n> quoted *words*\n\n"
        "```\nkod bloğu\n```\n\n<div>raw <b>HTML</b> içerik</div>\n\nLine one  \nline two"
    )
    assert text == (
        "Plan\n\n"
        "See the report <https://example.org/r> or https://example.org/a; old links\n"
        "lose their URL.\n\n"
        "1. first\n2. second bold\n  - nested\n\n"
        "> quoted words\n\n"
        "    kod bloğu\n\n"
        "raw HTML içerik\n\n"
        "Line one\nline two"
    )


def test_mailto_links_show_the_address():
    assert markdown_to_text("[Write to us](mailto:info@example.org)") == (
        "Write to us <info@example.org>"
    )
    assert markdown_to_text("[info@example.org](mailto:info@example.org)") == "info@example.org"


def test_long_words_and_urls_are_not_broken():
    url = "https://example.org/" + "a" * 100
    assert url in markdown_to_text(f"Long link: <{url}>")


def test_the_reason_is_wrapped_within_the_line_width(config):
    long_name = "Örnek Kuruluş Türkiye Ülke Ofisi İletişim ve Dış İlişkiler Birimi"
    config.organisation.name = long_name
    text = _text(config)
    footer = text[text.index("\n-- \n") :]
    reason = [line for line in footer.splitlines() if "receive" in line or "Birimi" in line]
    assert len(reason) >= 2, footer  # one long sentence became several lines
    assert all(len(line) <= 76 for line in reason), reason
    assert f"subscribed to updates from {long_name}." in " ".join(footer.split())
