"""Author Markdown becomes safe, MJML-ready HTML."""

from __future__ import annotations

import mjml
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.rendering.safe_markdown import (
    audit_html,
    is_allowed_url,
    neutralise_markers,
    raw_html,
    to_html,
)


def test_formatting_and_typographic_text_survive():
    html = to_html("Kırk kadın **dikiş** kursunu _bitirdi_ — “harika”.\n\n- Şanlıurfa\n- İzmir")
    assert html == (
        "<p>Kırk kadın <strong>dikiş</strong> kursunu <em>bitirdi</em> — “harika”.</p>\n"
        "<ul>\n<li>Şanlıurfa</li>\n<li>İzmir</li>\n</ul>"
    )


def test_only_https_and_mailto_links_keep_their_target():
    html = to_html(
        "[a](https://example.org/a) [b](http://example.org/b) [c](mailto:x@example.org)"
        " [d](javascript:alert(1)) [e](ftp://example.org)"
    )
    assert 'href="https://example.org/a"' in html
    assert 'href="mailto:x@example.org"' in html
    assert 'href="http:' not in html and 'href="javascript' not in html
    assert 'href="ftp:' not in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("url", ["/news/june", "//evil.example/x", "#top", "june.html"])
def test_relative_links_lose_their_target(url):
    # An email has no base address: such a link goes nowhere, or over http.
    html = str(to_html(f"[read]({url})"))
    assert "href" not in html and ">read</a>" in html


def test_scripts_styles_handlers_and_iframes_are_removed():
    html = to_html(
        '<script>alert(1)</script><style>p{}</style>Hi <b onclick="x()">there</b>'
        '<iframe src="https://evil.example"></iframe><img src=x onerror=alert(1)>'
    )
    assert html == "Hi <b>there</b>"


def test_unbalanced_author_html_is_repaired_and_audited():
    source = "Bold <b>start\n\n<div>never closed"
    audit = audit_html(raw_html(source))
    assert "<b> not closed" in audit.unbalanced and "div" in audit.removed_tags
    assert audit_html(to_html(source)).unbalanced == []


def test_audit_reports_attributes_and_refused_links():
    audit = audit_html('<a href="http://x.example" style="color:red">x</a>')
    assert audit.refused_links == ["http://x.example"]
    assert audit.removed_attributes == {"a style"}
    assert not audit.clean
    assert audit_html("</p>").unbalanced == ["</p> without <p>"]


def test_personal_markers_in_author_text_are_neutralised():
    assert neutralise_markers("hi [[nl:email]]") == "hi [[ nl:email]]"
    assert "[[nl:" not in to_html("Write to [[nl:email]]")


def test_empty_text_is_empty():
    assert to_html("   \n") == ""


@pytest.mark.parametrize("url", ["https://a.example", "HTTPS://A.EXAMPLE", "mailto:a@b.example"])
def test_allowed_urls(url):
    assert is_allowed_url(url)


@pytest.mark.parametrize("url", ["http://a.example", "data:text/html,x", "//a.example", ""])
def test_refused_urls(url):
    assert not is_allowed_url(url)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("<>/&;\"'=ab *_[]()#\n-çİ`")
            + [
                "<b>",
                "</i>",
                "<p>",
                "&amp",
                "<script>",
                "<a href='https://x'>",
                "<!--",
                "<br>",
                "</div>",
            ]
        ),
        max_size=40,
    )
)
def test_any_input_gives_html_that_mjml_accepts(pieces):
    html = to_html("".join(pieces))
    assert audit_html(html).unbalanced == []
    mjml.mjml2html(
        f"<mjml><mj-body><mj-section><mj-column><mj-text>{html}</mj-text>"
        "</mj-column></mj-section></mj-body></mjml>"
    )
