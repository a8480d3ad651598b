"""The MJML allow-list: unknown tags and attributes, nesting, unclosed tags, with lines."""

from __future__ import annotations

from newsletter.rendering import email_render
from newsletter.rendering.mjml_schema import ATTRIBUTES, CHILDREN, ENDING_TAGS, validate
from tests.plugins.compose import june_view

GOOD = """<mjml lang="tr" dir="ltr">
  <mj-head>
    <mj-title>Başlık</mj-title>
    <mj-attributes>
      <mj-all font-family="Arial" />
      <mj-text color="#333" />
      <mj-class name="big" font-size="20px" />
    </mj-attributes>
  </mj-head>
  <mj-body width="600px">
    <mj-section>
      <mj-column width="50%">
        <mj-text css-class="x"><p>Merhaba <b>dünya</b><br>satır</p><mj-fake>x</mj-fake></mj-text>
        <mj-image src="https://x.example/a.png" alt="a" />
        <mj-button href="https://x.example">Git</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"""


def test_valid_mjml_has_no_problems():
    assert validate(GOOD) == []


def test_the_default_theme_is_valid_mjml(config):
    for language in ("en", "tr", "ar"):
        source, _ = email_render.render_mjml(june_view(language), config)
        assert validate(source) == []


def test_unknown_tag_with_its_line():
    source = GOOD.replace("<mj-image", "<mj-img")
    [problem] = validate(source)
    assert (problem.kind, problem.line) == ("unknown-tag", 14)
    assert problem.message == "line 14: unknown MJML tag <mj-img>"
    assert problem.needle == "<mj-img"


def test_unknown_attribute_with_its_line():
    [problem] = validate(GOOD.replace('width="50%"', 'widht="50%"'))
    assert problem.kind == "unknown-attribute"
    assert problem.message == "line 12: <mj-column> has no attribute 'widht'"


def test_misplaced_component():
    source = GOOD.replace("<mj-section>", "<mj-section><mj-text>direct</mj-text>")
    [problem] = validate(source)
    assert problem.message == "line 11: <mj-text> cannot be inside <mj-section>"


def test_attribute_defaults_accept_any_known_attribute_but_not_inventions():
    assert validate(GOOD.replace('<mj-all font-family="Arial" />', '<mj-all padding="0" />')) == []
    [problem] = validate(GOOD.replace('<mj-text color="#333" />', '<mj-text colour="#333" />'))
    assert problem.message == "line 6: <mj-text> has no attribute 'colour'"


def test_unclosed_and_stray_tags():
    problems = validate(GOOD.replace("      </mj-column>\n", ""))
    assert [p.kind for p in problems] == ["unclosed"]
    assert "line 12 is never closed" in problems[0].message
    stray = validate(GOOD + "</mj-section>")
    assert stray[-1].message.endswith("</mj-section> without a matching <mj-section>")


def test_html_inside_ending_tags_is_not_checked_as_mjml():
    assert "mj-text" in ENDING_TAGS and "mj-column" not in ENDING_TAGS


def test_tables_are_consistent():
    for parent, children in CHILDREN.items():
        assert parent == "" or parent in ATTRIBUTES
        assert children <= set(ATTRIBUTES), parent
