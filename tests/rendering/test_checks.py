"""Every pre-send check, triggered on purpose; and a good issue passes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from newsletter.compose import editions, issue_checks, issues, period
from newsletter.core.config import load_config
from newsletter.rendering import checks, email_render
from newsletter.rendering.view import BlockView, SectionView
from tests.conftest import write_config
from tests.plugins.compose import NOW, june_view


def _ids(findings):
    return {(f.id, f.severity) for f in findings}


def _with_blocks(*blocks, **fields):
    return replace(june_view(), sections=(SectionView("News", tuple(blocks)),), **fields)


def _one(findings, check_id):
    found = [f for f in findings if f.id == check_id]
    assert len(found) == 1, findings
    return found[0]


def test_a_good_issue_passes(config):
    assert checks.check_view(june_view(), config) == []


def test_check_issue_reads_the_database(session, config, june_blocks):
    issue = issues.create(session, config, title="June", now=NOW, subject="June", preheader="p")
    period.compose(session, config, issue.id, date(2021, 6, 1), date(2021, 6, 30), "e", NOW)
    assert issue_checks.check_issue(session, config, issue.id) == []
    june_blocks[0].status = "draft"
    session.add(june_blocks[0])
    finding = _one(issue_checks.check_issue(session, config, issue.id), "block-not-ready")
    assert finding.severity == "error" and finding.block_id == june_blocks[0].id
    assert finding.message == (
        f'block {june_blocks[0].id} "Forty women finish a tailoring course in Gaziantep" is draft'
    )


def test_subject_missing_or_too_long_and_preheader_missing(config):
    assert _ids(checks.check_view(replace(june_view(), subject=" "), config)) == {
        ("subject-missing", "error")
    }
    long = checks.check_view(replace(june_view(), subject="Ş" * 81, preheader=""), config)
    assert _ids(long) == {("subject-too-long", "warning"), ("preheader-missing", "warning")}
    assert "81 characters" in _one(long, "subject-too-long").message
    assert checks.check_view(replace(june_view(), subject="Ş" * 80), config) == []


def test_empty_issue_and_empty_section(config):
    empty = checks.check_view(replace(june_view(), sections=()), config)
    assert ("empty-issue", "error") in _ids(empty)
    view = june_view()
    sections = (*view.sections, SectionView("Protection"))
    finding = _one(checks.check_view(replace(view, sections=sections), config), "empty-section")
    assert finding.severity == "warning"
    assert finding.message == 'section 4 "Protection" has no blocks (it is left out)'


def test_images_without_alt_or_https(config):
    block = BlockView(7, "story", "Photo story", "Text", image_url="http://img.example/a.png")
    found = checks.check_view(_with_blocks(block), config)
    assert _ids(found) == {("image-alt-missing", "warning"), ("image-not-https", "error")}
    assert _one(found, "image-not-https").message == (
        'block 7 "Photo story": image is not https: http://img.example/a.png'
    )


def test_links_not_https_in_fields_and_in_text(config):
    block = BlockView(
        8,
        "story",
        "Links",
        "See [the site](http://old.example/page).",
        link_url="http://old.example/more",
    )
    found = [f for f in checks.check_view(_with_blocks(block), config) if f.id == "link-not-https"]
    assert [f.message for f in found] == [
        'block 8 "Links": link is not https: http://old.example/more',
        'block 8 "Links": link is not https or mailto and was removed: http://old.example/page',
    ]
    mail = BlockView(
        9, "story", "Mail", "Write [to us](mailto:a@example.org).", link_url="mailto:a@example.org"
    )
    assert checks.check_view(_with_blocks(mail), config) == []


def test_unsafe_html_removed_and_unbalanced_html_repaired(config):
    block = BlockView(
        5, "story", "Raw", 'Hi <b>bold <span style="x">s</span>\n\n<script>x</script>'
    )
    found = checks.check_view(_with_blocks(block), config)
    assert _one(found, "html-removed").message == (
        'block 5 "Raw": unsafe or unsupported HTML removed: <script>, span style'
    )
    assert (
        _one(found, "html-repaired").message == 'block 5 "Raw": unbalanced HTML repaired: '
        "<b> not closed"
    )
    assert {f.severity for f in found} == {"warning"}


def test_intro_is_checked_too(config):
    found = checks.check_view(replace(june_view(), intro="<iframe src=x></iframe>Hi"), config)
    assert _one(found, "html-removed").message.startswith("the intro: ")


def test_html_left_unbalanced_or_unsafe_after_sanitising_is_an_error():
    found = checks.sanitised_findings('block 1 "X"', '<p><b>open</p><i onclick="x">i</i>', 1)
    assert [(f.id, f.severity) for f in found] == [
        ("html-unbalanced", "error"),
        ("html-unsafe", "error"),
    ]
    assert "<b> not closed" in found[0].message and "i onclick" in found[1].message


def test_postal_address_not_configured(tmp_path):
    config = load_config(
        write_config(tmp_path),
        environ={"NEWSLETTER_ORGANISATION_POSTAL_ADDRESS": "Address not configured"},
    )
    finding = _one(checks.check_view(june_view(), config), "address-missing")
    assert finding.message.startswith("organisation.postal_address is not configured")


def test_insecure_logo_and_social_links(tmp_path):
    config = load_config(
        write_config(tmp_path),
        environ={
            "NEWSLETTER_ORGANISATION_LOGO_URL": "http://127.0.0.1/logo.png",
            "NEWSLETTER_ORGANISATION_SOCIAL": '{"facebook": "http://localhost/x"}',
        },
    )
    found = checks.check_view(june_view(), config)
    assert _one(found, "image-not-https").message.startswith("organisation.logo_url")
    assert _one(found, "link-not-https").message.startswith("organisation.social.facebook")


@pytest.fixture
def theme(tmp_path):
    """An override folder and a config using it; tests write broken copies of theme files."""
    from newsletter.rendering import templating

    folder = tmp_path / "theme" / "email" / "monthly"
    (folder / "partials").mkdir(parents=True)
    config = load_config(write_config(tmp_path, '[rendering]\ntemplates_dir = "theme"\n'))

    def override(name: str, old: str, new: str) -> None:
        source = (templating.BUILTIN / "email" / "monthly" / name).read_text(encoding="utf-8")
        assert old in source
        (folder / name).write_text(source.replace(old, new), encoding="utf-8")

    return config, override


def test_footer_without_unsubscribe_link(theme):
    config, override = theme
    override("partials/footer.mjml.j2", 'href="{{ p.unsubscribe_url }}"', "")
    found = checks.check_view(june_view(), config)
    assert _one(found, "unsubscribe-missing").message == "the HTML part has no unsubscribe link"


def test_footer_without_postal_address(theme):
    config, override = theme
    override("partials/footer.mjml.j2", "<br />{{ org.postal_address }}", "")
    found = checks.check_view(june_view(), config)
    assert _one(found, "address-missing").message == (
        "the HTML part does not show the postal address"
    )


def test_text_part_is_checked_for_unsubscribe_and_address(config):
    from newsletter.rendering import checks as c

    found = c.part_findings(
        f"{c.marker('unsubscribe_url')} {config.organisation.postal_address}",
        "no links here",
        config,
    )
    assert [f.message for f in found] == [
        "the text part has no unsubscribe link",
        "the text part does not show the postal address",
    ]


def test_mjml_typo_in_a_theme_names_the_template_line(theme):
    config, override = theme
    override("partials/quote.mjml.j2", 'font-size="19px"', 'font-sise="19px"')
    finding = _one(checks.check_view(june_view(), config), "mjml-invalid")
    assert finding.severity == "error"
    assert "<mj-text> has no attribute 'font-sise'" in finding.message
    assert "(template email/monthly/partials/quote.mjml.j2, line 4)" in finding.message


def test_template_error_names_file_and_line(theme):
    config, override = theme
    override("partials/event.mjml.j2", "{{ block.when }}", "{{ block.starts }}")
    finding = _one(checks.check_view(june_view(), config), "template-error")
    assert "partials/event.mjml.j2, line 4: 'dict object' has no attribute 'starts'" in (
        finding.message
    )
    # The one event block trips the partial: the finding names it.
    assert finding.message.endswith('(rendering block 3 "Neighbourhood festival in Ödemiş")')
    assert finding.block_id == 3


def test_template_error_in_the_frame_names_no_block(theme):
    config, override = theme
    override("issue.mjml.j2", "{{ issue.subject }}", "{{ issue.subjekt }}")
    finding = _one(checks.check_view(june_view(), config), "template-error")
    assert "email/monthly/issue.mjml.j2, line 11: 'dict object' has no attribute 'subjekt'" in (
        finding.message
    )
    assert finding.block_id is None and "rendering block" not in finding.message


def test_mjml_that_cannot_be_converted(theme):
    config, override = theme
    override("issue.mjml.j2", "</mj-body>", "<mj-section>")
    found = checks.check_view(june_view(), config)
    assert "mjml-error" in {f.id for f in found}
    assert (
        "email/monthly/issue.mjml.j2: MJML could not be converted"
        in _one(found, "mjml-error").message
    )


def test_unknown_language(config):
    finding = _one(
        checks.check_view(replace(june_view(), language="qq-zz"), config), "language-unknown"
    )
    assert finding.message == "language 'qq-zz': not a known locale"


def _sized(config, total_kb):
    """June plus one long block, sized so the whole HTML comes to about ``total_kb``."""
    base = len(email_render.render_issue(june_view(), config).html)
    words = (total_kb * 1024 - base) // 5
    heavy = BlockView(42, "story", "Annual report in full", "word " * words)
    view = june_view()
    return replace(view, sections=(*view.sections, SectionView("Reports", (heavy,))))


def test_html_size_warning_and_error_name_the_heaviest_blocks(config):
    assert "html-size" not in {f.id for f in checks.check_view(_sized(config, 85), config)}
    warn = _one(checks.check_view(_sized(config, 95), config), "html-size")
    assert warn.severity == "warning", warn.message
    assert re.search(r'Heaviest: block 42 "Annual report in full" \d+\.\d KB, block', warn.message)
    error = _one(checks.check_view(_sized(config, 105), config), "html-size")
    assert error.severity == "error"
    assert "Gmail clips it from 102 KB" in error.message


def test_every_check_id_is_tested():
    import pathlib
    import re

    source = pathlib.Path(checks.__file__).read_text(encoding="utf-8")
    ids = set(re.findall(r'Finding\(\s*"([a-z-]+)"', source))
    here = pathlib.Path(__file__).read_text(encoding="utf-8")
    assert ids and all(f'"{i}"' in here for i in ids), ids


def test_editions_are_checked_for_missing_texts_and_translations(session, config, make_block):
    issue = issues.create(
        session, config, title="June", now=NOW, subject="June", preheader="p", intro="Hello"
    )
    make_block(title="Clinic opens", translation_group="clinic")
    period.compose(session, config, issue.id, date(2021, 6, 1), date(2021, 6, 30), "e", NOW)
    edition = {"subject": "Haziran", "allow_fallback": True}
    editions.translate(session, issue.id, "tr", edition, {}, "e", NOW)
    found = issue_checks.check_issue(session, config, issue.id)
    assert [(f.id, f.severity) for f in found] == [
        ("translation-incomplete", "warning"),
        ("block-untranslated", "warning"),
    ]
    assert found[0].message == (
        "[tr] the edition has no title, preheader, intro, heading of section 1: "
        "the en text is shown"
    )
    assert found[1].message.startswith('[tr] block 1 "Clinic opens" is in en: no ready tr')
    make_block(title="Klinik açıldı", language="tr", translation_group="clinic")
    ids = {f.id for f in issue_checks.check_issue(session, config, issue.id)}
    assert ids == {"translation-incomplete"}


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8000", {"base-url-local", "base-url-not-https"}),
        ("https://localhost", {"base-url-local"}),
        ("https://10.0.0.5", {"base-url-local"}),
        ("https://192.168.1.20:8443", {"base-url-local"}),
        ("http://localhost:8000", {"base-url-local", "base-url-not-https"}),
        ("https://intranet", {"base-url-local"}),
    ],
)
def test_a_base_url_readers_cannot_reach(tmp_path, base_url, expected):
    for transport, severity in (("smtp", "error"), ("outbox", "warning")):
        environ = {
            "NEWSLETTER_PUBLIC_BASE_URL": base_url,
            "NEWSLETTER_SENDING_TRANSPORT": transport,
        }
        config = load_config(write_config(tmp_path), environ=environ)
        found = checks.base_url_findings(config)
        assert _ids(found) == {(i, severity) for i in expected}, (transport, found)
        assert all(base_url in f.message for f in found)
        assert set(_ids(checks.check_view(june_view(), config))) >= _ids(found)


def test_accessibility_findings_on_a_careless_theme(theme):
    config, override = theme
    override(
        "partials/read_more.mjml.j2",
        "{{ block.link_label or labels.read_more }}</a>",
        "click here</a>",
    )
    found = checks.check_view(june_view(), config)
    link = _one(found, "a11y-link-text")
    assert link.severity == "warning"
    assert link.message == 'accessibility: link text "click here" does not say where it goes'


def test_a_very_long_email_is_a_warning(config):
    text = "\n\n".join(["A paragraph of a long report about the month's work."] * 12)
    long = [BlockView(i, "story", f"Story {i}", text) for i in range(1, 30)]
    found = checks.check_view(_with_blocks(*long), config)
    finding = _one(found, "email-too-long")
    assert finding.severity == "warning" and "px tall on a phone" in finding.message
    digest = checks.check_view(_with_blocks(*long[:3]), config)
    assert "email-too-long" not in {f.id for f in digest}


def test_the_height_limit_is_configurable(tmp_path):
    key = "NEWSLETTER_RENDERING_MAX_HEIGHT_PX"
    strict = load_config(write_config(tmp_path), environ={key: "1000"})
    found = checks.check_view(june_view(), strict)
    assert "rendering.max_height_px" in _one(found, "email-too-long").message
    relaxed = load_config(write_config(tmp_path), environ={key: "100000"})
    assert "email-too-long" not in {f.id for f in checks.check_view(june_view(), relaxed)}
