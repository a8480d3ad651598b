"""Filling the personal parts of a rendered issue, per recipient."""

from __future__ import annotations

import pytest

from newsletter.core.errors import UserError
from newsletter.rendering.personalise import (
    PersonalFields,
    compile_parts,
    markers,
    public_fields,
)

p = markers()
GREETING = f"{p['if_name']}Dear {p['name']},{p['end']}{p['if_no_name']}Hello,{p['end']}"
HTML = (
    f"<p>{GREETING}</p><p>Sent to {p['email']}</p>"
    f'<a href="{p["view_online_url"]}">online</a>'
    f'{p["if_unsubscribe_url"]}<a href="{p["unsubscribe_url"]}">Unsubscribe</a>{p["end"]}'
)
TEXT = f"{GREETING}\nSent to {p['email']}\nUnsubscribe: {p['unsubscribe_url']}\n"
AYSE = PersonalFields(
    name="Ayşe Öztürk",
    email="ayse@example.org",
    unsubscribe_url="https://news.example.org/u/abc?x=1&y=2",
    preferences_url="https://news.example.org/p/abc",
    view_online_url="https://news.example.org/archive/3",
)


def test_fill_puts_each_value_in_place():
    html, text = compile_parts(HTML, TEXT).fill(AYSE)
    assert html == (
        "<p>Dear Ayşe Öztürk,</p><p>Sent to ayse@example.org</p>"
        '<a href="https://news.example.org/archive/3">online</a>'
        '<a href="https://news.example.org/u/abc?x=1&amp;y=2">Unsubscribe</a>'
    )
    assert text == (
        "Dear Ayşe Öztürk,\nSent to ayse@example.org\n"
        "Unsubscribe: https://news.example.org/u/abc?x=1&y=2\n"
    )


def test_empty_name_falls_back_without_a_dangling_comma():
    html, text = compile_parts(HTML, TEXT).fill(PersonalFields(email="a@example.org"))
    assert html.startswith("<p>Hello,</p>") and text.startswith("Hello,\n")
    assert "Dear" not in html + text and "Unsubscribe" not in html
    blank = compile_parts(HTML, TEXT).fill(PersonalFields(name="   ", email="a@example.org"))
    assert blank[1].startswith("Hello,")


def test_values_are_escaped_in_html_only():
    evil = PersonalFields(name='<script>x</script> "Ali" & Co', email="a@example.org")
    html, text = compile_parts(HTML, TEXT).fill(evil)
    assert "&lt;script&gt;x&lt;/script&gt; &quot;Ali&quot; &amp; Co" in html
    assert '<script>x</script> "Ali" & Co' in text


def test_line_breaks_in_a_name_cannot_add_lines():
    _, text = compile_parts(HTML, TEXT).fill(PersonalFields(name="Ali\r\nBcc: x", email="e"))
    assert text.startswith("Dear Ali Bcc: x,\n")


def test_the_personaliser_is_reused_across_recipients():
    personaliser = compile_parts(HTML, TEXT)
    first = personaliser.fill(AYSE)
    personaliser.fill(PersonalFields())
    assert personaliser.fill(AYSE) == first
    assert personaliser.fields_used() == {"name", "email", "view_online_url", "unsubscribe_url"}


def test_public_fields_have_no_personal_links():
    fields = public_fields("https://news.example.org/", 7)
    assert fields.view_online_url == "https://news.example.org/archive/7"
    assert (fields.name, fields.email, fields.unsubscribe_url, fields.preferences_url) == (
        "",
        "",
        "",
        "",
    )
    html, _ = compile_parts(HTML, TEXT).fill(fields)
    assert "Unsubscribe" not in html and "Hello," in html


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("[[nl:phone]]", "unknown personal field 'phone'"),
        ("[[nl:?name]]open", "opened but never closed"),
        ("close[[nl:/]]", "closed but never opened"),
        ("[[nl:NAME]]", "malformed personal-field marker"),
    ],
)
def test_bad_markers_are_refused(source, message):
    with pytest.raises(UserError, match=message):
        compile_parts(source, "")
