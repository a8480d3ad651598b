"""Right-to-left editions in the MJML, the HTML and the text part: direction on every column,
mirrored sides and arrows, isolated Latin values, a gender-neutral greeting, the English block
that has no Arabic translation yet kept left to right."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

from newsletter.rendering import email_render
from newsletter.rendering.bidi import LRM, RLM
from newsletter.rendering.personalise import PersonalFields, compile_parts
from newsletter.rendering.view import SectionView
from tests.plugins.compose import arabic_view, june_view

READER = PersonalFields(
    name="Ayşe Yılmaz",
    email="ayse@example.org",
    unsubscribe_url="https://news.example.org/u/tok",
    preferences_url="https://news.example.org/p/tok",
    view_online_url="https://news.example.org/archive/3",
)
ANONYMOUS = PersonalFields(view_online_url="https://news.example.org/archive/3")
FALLBACK = '<div lang="en" dir="ltr" class="flip">'


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _filled(config, view, fields=READER) -> tuple[str, str]:
    out = email_render.render_issue(view, config)
    return compile_parts(out.html, out.text).fill(fields)


def _arabic_only(view):
    """The edition without its English block: everything in it is Arabic."""
    return replace(
        view,
        sections=tuple(
            SectionView(s.heading, tuple(b for b in s.blocks if b.language == "ar"), s.area)
            for s in view.sections
        ),
    )


def test_every_column_of_an_arabic_edition_is_right_to_left(config):
    out = email_render.render_issue(_arabic_only(arabic_view()), config)
    assert out.mjml.startswith('<mjml lang="ar" dir="rtl">')
    assert '<mj-column padding="0" direction="rtl" />' in out.mjml
    assert "direction:ltr" not in out.html  # MJML's default on every column, before
    columns = re.findall(r'class="mj-outlook-group-fix[^"]*" style="([^"]*)"', out.html)
    assert len(columns) > 10 and all("direction:rtl" in style for style in columns)


def test_the_english_block_alone_reads_left_to_right(config):
    out = email_render.render_issue(arabic_view(), config)
    # Exactly one column is ltr: the one holding the English block, marked lang="en".
    assert out.html.count("direction:ltr") == 1
    start = out.html.index("direction:ltr")
    column = out.html[start : out.html.index("mj-outlook-group-fix", start)]
    assert FALLBACK in column and "Grant applications open" in column
    assert out.html.count('lang="en"') == 1
    # Its quote bar and its list bullets move to the left, where its lines start.
    assert "border-left:4px solid" in column and "text-align:left" in column
    assert ".content .flip ul, .content .flip ol { padding-right: 0; padding-left: 22px; }" in (
        out.html
    )
    # The theme's "read more" inside it stays Arabic and right to left, its arrow too.
    assert (
        '<p style="margin:0;" lang="ar" dir="rtl"><a href="https://example.org/grants/apply">'
        "اقرأ المزيد &#8592;</a></p>" in column
    )


def test_left_to_right_editions_carry_no_mirroring_rules(config):
    out = email_render.render_issue(june_view("tr"), config)
    assert ".flip" not in out.html and "direction:rtl" not in out.html
    assert out.html.count('<div lang="en" dir="ltr">') == 5  # the untranslated blocks
    assert "<bdi>" not in out.html


def test_arrows_point_the_way_the_line_reads(config):
    html, text = _filled(config, arabic_view())
    visible = _visible(html)
    assert "اقرأ المزيد ←" in visible and "→" not in visible
    english = replace(june_view(), language="en")
    assert "Programme →" in _visible(_filled(config, english)[0])
    # A label the English block brings is English, so its arrow is too.
    own = arabic_view()
    grants = replace(own.sections[0].blocks[1], link_label="Apply now")
    own = replace(own, sections=(SectionView("S", (grants,)),))
    html = _filled(config, own)[0]
    assert '<p style="margin:0;"><a href="https://example.org/grants/apply">Apply now &#8594;' in (
        html
    )
    assert "←" not in text and "→" not in text


def test_arabic_greeting_is_gender_neutral_and_isolates_the_name(config):
    out = email_render.render_issue(arabic_view(), config)
    assert "عزيزي" not in out.html and "عزيزتي" not in out.html
    html, text = compile_parts(out.html, out.text).fill(READER)
    assert "<p>مرحباً <bdi>Ayşe Yılmaz</bdi>،</p>" in html
    assert f"\n{RLM}مرحباً Ayşe Yılmaz،\n" in text
    html, text = compile_parts(out.html, out.text).fill(ANONYMOUS)
    assert "<p>مرحباً،</p>" in html and f"\n{RLM}مرحباً،\n" in text


def test_an_edition_can_change_its_greeting(config):
    view = arabic_view(greeting="أهلاً وسهلاً {name}!")
    html, text = _filled(config, view)
    assert "<p>أهلاً وسهلاً <bdi>Ayşe Yılmaz</bdi>!</p>" in html
    assert "أهلاً وسهلاً Ayşe Yılmaz!" in text
    html, text = _filled(config, view, ANONYMOUS)
    assert "<p>أهلاً وسهلاً!</p>" in html and "أهلاً وسهلاً!" in text
    # Words without {name} are the same for every reader.
    html = _filled(config, june_view(greeting="Hello friends,"))[0]
    assert "<p>Hello friends,</p>" in html and "Dear" not in html
    # An edition's greeting is text: no personal field comes out of it.
    html = _filled(config, june_view(greeting="Hi [[nl:email]] {name}"))[0]
    assert "ayse@example.org</p>" not in html and "<p>Hi [[ nl:email]] Ayşe Yılmaz</p>" in html


def test_an_edition_can_leave_the_greeting_out(config):
    html, text = _filled(config, arabic_view(greeting=""))
    assert "مرحباً" not in html and "مرحباً" not in text
    assert f"نشرة يونيو\n\n{RLM}أهلاً بكم" in text
    html, text = _filled(config, june_view(greeting=" "))
    assert "Dear" not in html and "Hello," not in text


def test_latin_values_are_isolated_in_arabic_text(config):
    html = _filled(config, arabic_view())[0]
    assert "<bdi>Ödemiş</bdi>، <bdi>İzmir</bdi>" in html
    assert "تصوير: <bdi>Zeynep Çelik</bdi>" in html
    assert "لأن العنوان <bdi>ayse@example.org</bdi> مشترك في نشرة <bdi>Örnek Kuruluş</bdi>." in (
        html
    )


def test_untranslated_note_is_off_unless_the_edition_asks(config):
    assert "متوفر باللغة" not in _filled(config, arabic_view())[0]
    html, text = _filled(config, arabic_view(untranslated_note=True))
    note = (
        '<p lang="ar" dir="rtl" style="margin:0 0 6px 0;font-size:14px;color:#52606d;">'
        "هذا الخبر متوفر باللغة الإنجليزية فقط.</p>"
    )
    assert f"{FALLBACK}{note}" in html and html.count(note) == 1
    assert f"{RLM}(هذا الخبر متوفر باللغة الإنجليزية فقط.)\n{LRM}Grant applications open" in text
    html, text = _filled(config, june_view("tr", untranslated_note=True))
    assert html.count("Bu haber yalnızca İngilizce olarak yayımlandı.") == 5
    assert "(Bu haber yalnızca İngilizce olarak yayımlandı.)\nForty women" in text


def test_arabic_typography(config):
    arabic = email_render.render_issue(arabic_view(), config).html
    english = email_render.render_issue(june_view(), config).html
    stack = "font-family:'Segoe UI', Tahoma, 'Geeza Pro', 'Noto Naskh Arabic', Arial, sans-serif"
    assert stack in arabic and "Noto Naskh" not in english
    assert "font-size:17px;line-height:1.8;" in arabic and "font-size:16px;line-height:1.6;" in (
        english
    )
    # Letter-spacing pulls joined Arabic letters apart; no slanted Arabic either.
    assert "letter-spacing" not in arabic and "letter-spacing:1px" in english
    assert "font-style:italic" not in arabic and "font-style:italic" in english
    # The quote opens with the language's own mark.
    assert ">«</p>" in arabic and ">“</p>" in english


def test_arabic_marks_survive_in_attributes(config):
    view = arabic_view(subject="مرحباً بكم في نشرة يونيو")
    html = email_render.render_issue(view, config).html
    assert "\\u{" not in html  # mrml's way of writing a combining mark in an attribute
    assert 'alt="متدر&#1617;بات أمام آلات الخياطة"' in html
    assert 'aria-label="مرحبا&#1611; بكم في نشرة يونيو"' in html
    assert "<title>مرحبا&#1611; بكم في نشرة يونيو</title>" in html


def test_text_part_fixes_the_direction_of_every_line(config):
    _, text = _filled(config, arabic_view())
    lines = [line for line in text.split("\n") if line.strip()]
    assert all(line[0] in (RLM, LRM) for line in lines if line != "-- ")
    assert "\n-- \n" in text  # the signature delimiter stays as mail readers know it
    english = text[text.index("Grant applications open") - 1 : text.index("two references")]
    assert all(line.startswith(LRM) for line in english.split("\n") if line.strip())
    assert f"{LRM}- a business plan\n" in text
    assert f"{RLM}- دروس في القصّ والتفصيل\n" in text
    assert f"{RLM}اقرأ المزيد: https://example.org/grants/apply\n" in text
    # An RLM after the Arabic comma keeps two Latin names in reading order.
    assert f"{RLM}المكان: Ödemiş،{RLM} İzmir\n" in text
    assert f"{RLM}(تصوير: Zeynep Çelik)\n" in text


def test_left_to_right_text_parts_have_no_marks(config):
    for language in ("en", "tr"):
        text = _filled(config, june_view(language))[1]
        assert RLM not in text and LRM not in text


def test_an_arabic_block_in_the_english_edition_reads_right_to_left(config):
    arabic = arabic_view().sections[0].blocks[0]  # the story, with an Arabic list
    view = replace(june_view(), sections=(SectionView("Stories", (arabic,)),))
    out = email_render.render_issue(view, config)
    html, text = compile_parts(out.html, out.text).fill(READER)
    assert '<div lang="ar" dir="rtl" class="flip">' in html
    assert html.count("direction:rtl") == 1 and "text-align:right" in html
    assert ".content .flip ul, .content .flip ol { padding-left: 0; padding-right: 22px; }" in html
    assert "اقرأ المزيد" not in html
    assert 'border-collapse:separate;" lang="en" dir="ltr"><tr><td' in html
    # In the text part only the Arabic block's lines are marked; the English ones are not.
    assert f"\n{RLM}أربعون امرأة" in text and f"\n{RLM}- دروس في القصّ والتفصيل\n" in text
    assert "\n(Photo: Zeynep Çelik)\nRead more: https://example.org/ar/stories/tailoring\n" in text
