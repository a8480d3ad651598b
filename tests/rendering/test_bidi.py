"""Direction helpers, the greeting's variants, MJML-safe attributes and the theme's words."""

from __future__ import annotations

from datetime import date

import pytest
from markupsafe import Markup

from newsletter.rendering import bidi, catalogue, greeting, templating
from newsletter.rendering.personalise import markers
from newsletter.rendering.view import view_from_dict
from tests.plugins.compose import arabic_view


@pytest.mark.parametrize(
    ("language", "rtl", "script"),
    [
        ("ar", True, "Arab"),
        ("ar-EG", True, "Arab"),
        ("fa", True, "Arab"),
        ("he", True, "Hebr"),
        ("ckb", True, "Arab"),
        ("en", False, "Latn"),
        ("tr-TR", False, "Latn"),
        ("xx", False, ""),
    ],
)
def test_direction_and_script_come_from_cldr(language, rtl, script):
    assert bidi.is_rtl(language) is rtl
    assert bidi.direction(language) == ("rtl" if rtl else "ltr")
    assert bidi.start_side(language) == ("right" if rtl else "left")
    assert bidi.script(language) == script


def test_language_names_are_in_the_editions_language():
    assert bidi.language_name("en", "ar") == "الإنجليزية"
    assert bidi.language_name("en-GB", "tr") == "İngilizce"
    assert bidi.language_name("ar", "en") == "Arabic"
    assert bidi.language_name("qq", "en") == "qq"


def test_isolation_escapes_and_wraps_only_when_asked():
    assert bidi.isolate("A&B <x>", True) == Markup("<bdi>A&amp;B &lt;x&gt;</bdi>")
    assert bidi.isolate("A&B", False) == Markup("A&amp;B")


def test_marks_go_at_the_start_of_every_line_that_has_text():
    lines = ["عنوان", "", "one\ntwo", "   "]
    assert bidi.mark_lines(lines, "rtl", "rtl") == [
        f"{bidi.RLM}عنوان",
        "",
        f"{bidi.RLM}one\n{bidi.RLM}two",
        "   ",
    ]
    assert bidi.mark_lines(["English"], "ltr", "rtl") == [f"{bidi.LRM}English"]
    assert bidi.mark_lines(["English"], "ltr", "ltr") == ["English"]


def test_text_lists_keep_latin_names_apart_in_rtl():
    assert bidi.join_text(["Ödemiş", "İzmir"], "، ", True) == f"Ödemiş،{bidi.RLM} İzmir"
    assert bidi.join_text(["Ödemiş", "İzmir"], ", ", False) == "Ödemiş, İzmir"


LABELS = {"greeting_named": "Dear {name},", "greeting": "Hello,"}


@pytest.mark.parametrize(
    ("custom", "named", "nameless"),
    [
        (None, "Dear [[nl:name]],", "Hello,"),
        ("مرحباً {name}،", "مرحباً [[nl:name]]،", "مرحباً،"),
        ("{name}, welcome!", "[[nl:name]], welcome!", "welcome!"),
        ("Hello  there\n{name} !", "Hello there [[nl:name]] !", "Hello there !"),
    ],
)
def test_greeting_variants(custom, named, nameless):
    p = markers()
    line = greeting.greeting(LABELS, custom)
    assert line.text == f"{p['if_name']}{named}{p['end']}{p['if_no_name']}{nameless}{p['end']}"
    assert str(line.html) == line.text  # nothing to escape, nothing isolated


def test_greeting_html_is_escaped_and_the_name_isolated():
    line = greeting.greeting(LABELS, "<b>Hi</b> {name}", isolate=True)
    assert "&lt;b&gt;Hi&lt;/b&gt; <bdi>[[nl:name]]</bdi>" in line.html
    assert "<b>Hi</b> [[nl:name]]" in line.text
    assert greeting.greeting(LABELS, "") == greeting.Line(Markup(""), "")
    assert greeting.greeting(LABELS, "Salut tout le monde") == greeting.Line(
        Markup("Salut tout le monde"), "Salut tout le monde"
    )


def test_mjml_attributes_write_marks_as_references():
    assert templating.mjml_attr("plain & <ascii>") == Markup("plain &amp; &lt;ascii&gt;")
    assert templating.mjml_attr("خرّيجة") == Markup("خر&#1617;يجة")
    assert templating.mjml_attr("می\u200cخواهم") == Markup("می&#8204;خواهم")
    assert templating.mjml_attr("Ödemiş İzmir") == Markup("Ödemiş İzmir")


def test_every_theme_word_is_written_in_arabic_english_and_turkish():
    # The words live in the "email" catalogues (tests/rendering/test_catalogue.py checks them).
    table = {lang: catalogue.translated(lang) for lang in ("ar", "en", "tr")}
    assert set(table["ar"]) == set(table["en"]) == set(table["tr"]) == set(catalogue.english())
    for language in ("ar", "tr"):
        same = {k for k, v in table[language].items() if v == table["en"][k]}
        assert same <= {"list_separator", "quote_mark"}, (language, same)
    assert table["ar"]["list_separator"] == "، "


def test_edition_options_survive_a_snapshot():
    view = arabic_view(greeting="أهلاً {name}،", untranslated_note=True)
    assert view_from_dict(view.to_dict()) == view
    old = view.to_dict()
    del old["greeting"], old["untranslated_note"]  # a snapshot from before these options
    again = view_from_dict(old)
    assert again.greeting is None and again.untranslated_note is False
    assert again.issue_date == date(2021, 6, 1)
