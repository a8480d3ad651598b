"""`newsletter issues …` end to end: a real config, a real SQLite file, in-process CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsletter.core import db
from newsletter.core.models import Block
from tests.plugins.compose import JUNE_BLOCKS, NOW


@pytest.fixture
def library(engine):
    """The June blocks, committed so the CLI's own sessions see them."""
    with db.session_scope(engine) as session:
        for fields in JUNE_BLOCKS:
            session.add(
                Block(status="ready", language="en", created_at=NOW, updated_at=NOW, **fields)
            )
    return engine


def _new(cli, *extra: str) -> int:
    result = cli(
        "issues",
        "new",
        "June update",
        "--subject",
        "June: courses and festivals",
        "--preheader",
        "Forty graduates, a festival in Ödemiş",
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["id"]


def test_monthly_update_from_new_to_approved(cli, library, tmp_path):
    issue = _new(cli)
    composed = cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    assert composed.exit_code == 0, composed.stderr
    assert "Added 5 blocks" in composed.stdout
    assert "Economic recovery and labour integration: 2" in composed.stdout

    shown = cli("issues", "show", str(issue))
    assert "Issue 1: June update  [draft]" in shown.stdout
    assert "Grant applications open" in shown.stdout

    check = cli("issues", "check", str(issue), "--json")
    assert check.exit_code == 0, check.stdout
    assert [f for f in json.loads(check.stdout) if f["severity"] == "error"] == []

    assert cli("issues", "submit", str(issue)).stdout.strip() == "Issue 1 is now in_review."
    approved = cli("issues", "approve", str(issue), "--note", "looks good")
    assert approved.stdout.strip() == "Issue 1 is now approved."
    data = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert [e["to_status"] for e in data["events"]] == ["draft", "in_review", "approved"]
    assert data["events"][-1]["note"] == "looks good"

    listed = json.loads(cli("issues", "list", "--json").stdout)
    assert [(i["id"], i["status"]) for i in listed] == [(1, "approved")]


def test_preview_writes_html_and_text_with_a_sample_recipient(cli, library, tmp_path):
    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    out = tmp_path / "pv"
    result = cli("issues", "preview", str(issue), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    html_path, text_path = result.stdout.split()
    html = Path(html_path).read_text(encoding="utf-8")
    text = Path(text_path).read_text(encoding="utf-8")
    assert "Dear Ayşe Yılmaz," in html and "Dear Ayşe Yılmaz," in text
    assert "https://news.example.org/unsubscribe/sample-token" in html
    assert "[[nl:" not in html and "[[nl:" not in text
    anonymous = cli("issues", "preview", str(issue), "--out", str(out), "--name", "", "--json")
    assert anonymous.exit_code == 0, anonymous.stderr
    assert json.loads(anonymous.stdout) == {"html": html_path, "text": text_path}
    for path in (html_path, text_path):
        page = Path(path).read_text(encoding="utf-8")
        assert "Hello," in page and "Dear" not in page and "Ayşe Yılmaz" not in page


def test_add_move_override_remove_section(cli, library):
    issue = _new(cli)
    assert cli("issues", "add", str(issue), "1", "2", "--section", "Highlights").exit_code == 0
    assert cli("issues", "add", str(issue), "3").exit_code == 0
    assert cli("issues", "move", str(issue), "2", "--position", "1").exit_code == 0
    assert (
        cli(
            "issues", "override", str(issue), "1", "--title", "Tailoring graduates", "--hide-image"
        ).exit_code
        == 0
    )
    assert (
        cli(
            "issues", "section", str(issue), "2", "--heading", "Cohesion", "--position", "1"
        ).exit_code
        == 0
    )
    data = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert [s["heading"] for s in data["sections"]] == ["Cohesion", "Highlights"]
    assert [b["block_id"] for b in data["sections"][1]["blocks"]] == [2, 1]
    assert data["sections"][1]["blocks"][1]["title"] == "Tailoring graduates"
    assert data["sections"][1]["blocks"][1]["hide_image"] is True
    assert cli("issues", "remove", str(issue), "3").exit_code == 0
    data = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert [s["heading"] for s in data["sections"]] == ["Highlights"]


def test_edit_fields_and_back_to_draft(cli, library):
    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    cli("issues", "submit", str(issue))
    result = cli(
        "issues",
        "edit",
        str(issue),
        "--subject",
        "Haziran",
        "--language",
        "tr",
        "--date",
        "2021-06-30",
    )
    assert result.exit_code == 0, result.stderr
    assert "Issue 1 updated (draft): issue_date, language, subject" in result.stdout
    data = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert (data["subject"], data["language"], data["issue_date"]) == (
        "Haziran",
        "tr",
        "2021-06-30",
    )


def test_check_exits_non_zero_on_errors(cli, library):
    issue = _new(cli, "--subject", "")
    result = cli("issues", "check", str(issue))
    assert result.exit_code == 1
    assert "ERROR   subject-missing" in result.stdout
    assert "ERROR   empty-issue" in result.stdout
    cli("issues", "submit", str(issue))
    refused = cli("issues", "approve", str(issue))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: issue 1 cannot be approved: 2 check error(s)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["issues", "show", "42"], "Error: no issue with id 42"),
        (
            ["issues", "compose", "1", "--from", "June", "--to", "2021-06-30"],
            "Error: --from 'June': not a date (use YYYY-MM-DD)",
        ),
        (["issues", "add", "1", "99"], "Error: no block with id 99"),
        (["issues", "edit", "1"], "Error: nothing to change"),
        (["issues", "edit", "1", "--language", "klingon"], "Error: language 'klingon'"),
        (
            ["issues", "edit", "1", "--intro-file", "missing.md"],
            "Error: --intro-file missing.md: cannot read it",
        ),
        (["issues", "move", "1", "1"], "Error: give --section, --position or both"),
        (["issues", "override", "1", "1"], "Error: nothing to change: give --title"),
        (["issues", "approve", "1"], "Error: issue 1 is draft: it cannot move to approved"),
        (["issues", "remove", "1", "1"], "Error: block 1 is not in issue 1"),
    ],
)
def test_bad_input_gives_one_line_errors(cli, library, args, message):
    _new(cli)
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1


def test_failed_command_leaves_nothing_half_written(cli, library):
    issue = _new(cli)
    result = cli("issues", "add", str(issue), "1", "77")
    assert result.exit_code == 1
    data = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert data["sections"] == []


def test_intro_file_and_help(cli, library, tmp_path):
    intro = tmp_path / "intro.md"
    intro.write_text("This month in **Şanlıurfa**…", encoding="utf-8")
    issue = _new(cli, "--intro-file", str(intro))
    data = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert data["intro"] == "This month in **Şanlıurfa**…"
    helped = cli("issues", "--help")
    for command in (
        "new",
        "compose",
        "add",
        "move",
        "remove",
        "show",
        "submit",
        "approve",
        "reject",
        "preview",
        "check",
        "list",
        "edit",
        "override",
        "section",
    ):
        assert command in helped.stdout


def test_list_empty_and_by_status(cli, library):
    assert cli("issues", "list").stdout.strip() == "No issues."
    _new(cli)
    assert json.loads(cli("issues", "list", "--status", "sent", "--json").stdout) == []
    assert "June update" in cli("issues", "list").stdout
    _new(cli, "--date", "2021-06-30")
    lines = cli("issues", "list", "--status", "draft").stdout.splitlines()
    assert lines == [
        "   2  draft      en  2021-06-30  June update",
        "   1  draft      en  -           June update",
    ]
    bad = cli("issues", "list", "--status", "done")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: --status 'done': choose one of draft, in_review")


def test_compose_reports_when_nothing_is_new(cli, library):
    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    again = cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    assert again.exit_code == 0
    assert "already holds every ready block of 2021-06-01 to 2021-06-30" in again.stdout


def test_reject_sends_back_to_draft_with_a_note(cli, library):
    issue = _new(cli)
    submitted = cli("issues", "submit", str(issue), "--json")
    assert json.loads(submitted.stdout)["status"] == "in_review"
    result = cli("issues", "reject", str(issue), "--note", "subject too vague")
    assert result.stdout.strip() == "Issue 1 is now draft."
    shown = cli("issues", "show", str(issue)).stdout
    assert "in_review -> draft by" in shown and "subject too vague" in shown


def test_preview_of_a_frozen_issue_shows_what_will_be_sent(cli, library, config, tmp_path):
    from newsletter.compose import issues

    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    cli("issues", "submit", str(issue))
    cli("issues", "approve", str(issue))
    with db.session_scope(library) as session:
        issues.freeze(session, issue, NOW, config)
        block = session.get(Block, 1)
        block.title = "Renamed in the library after freezing"
        session.add(block)
    html_path = cli("issues", "preview", str(issue), "--out", str(tmp_path)).stdout.split()[0]
    html = Path(html_path).read_text(encoding="utf-8")
    assert "Forty women finish a tailoring course" in html
    assert "Renamed in the library" not in html


def test_translate_and_preview_an_edition(cli, library, tmp_path):
    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    result = cli(
        "issues",
        "translate",
        str(issue),
        "tr",
        "--title",
        "Haziran bülteni",
        "--subject",
        "Haziran",
        "--heading",
        "1=Ekonomik kalkınma",
    )
    assert result.exit_code == 0, result.stderr
    assert "Other editions: tr" in cli("issues", "show", str(issue)).stdout
    paths = cli("issues", "preview", str(issue), "--language", "tr", "--out", str(tmp_path))
    html_path, text_path = paths.stdout.split()
    assert html_path.endswith("issue-1-tr.html")
    text = Path(text_path).read_text(encoding="utf-8")
    assert text.startswith("Örnek Kuruluş\nHaziran 2021 · Haziran bülteni\n\nSayın Ayşe Yılmaz,")
    assert "Ekonomik kalkınma\n=================" in text
    bad = cli("issues", "translate", str(issue), "tr", "--heading", "first=Giriş")
    assert bad.stderr.startswith("Error: --heading 'first=Giriş': write it as N=TEXT")
    missing = cli("issues", "preview", str(issue), "--language", "ar")
    assert missing.stderr.startswith("Error: issue 1 has no 'ar' edition (it has: en, tr)")
    removed = cli("issues", "translate", str(issue), "tr", "--remove")
    assert removed.stdout.strip() == "Issue 1: tr edition removed."


def test_broken_theme_override_gives_one_line_error_naming_file_line_and_block(
    cli, library, tmp_path, monkeypatch
):
    from newsletter.rendering import templating

    folder = tmp_path / "theme" / "email" / "monthly" / "partials"
    folder.mkdir(parents=True)
    source = (templating.BUILTIN / "email/monthly/partials/quote.mjml.j2").read_text("utf-8")
    assert "{{ block.title }}" in source
    broken = source.replace("{{ block.title }}", "{{ block.speaker }}")
    (folder / "quote.mjml.j2").write_text(broken, encoding="utf-8")
    monkeypatch.setenv("NEWSLETTER_RENDERING_TEMPLATES_DIR", str(tmp_path / "theme"))
    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    result = cli("issues", "preview", str(issue), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    line = (
        broken.splitlines().index(next(x for x in broken.splitlines() if "block.speaker" in x)) + 1
    )
    assert result.stderr == (
        f"Error: {folder / 'quote.mjml.j2'}, line {line}: 'dict object' has no attribute "
        f"'speaker' (rendering block 5 \"Ayşe, course graduate in Kilis\")\n"
    )
    assert not (tmp_path / "out").exists()


def _with_tr_edition(cli, engine) -> int:
    """An issue of the June blocks with a Turkish edition translating only the first one."""
    with db.session_scope(engine) as session:
        session.add(Block(status="ready", language="tr", created_at=NOW, updated_at=NOW,
                          title="Kırk kadın terzilik kursunu bitirdi", summary="Kırk kadın.",
                          translation_group="tailoring", event_date=JUNE_BLOCKS[0]["event_date"],
                          link_url="https://example.org/tr/terzilik"))  # fmt: skip
        first = session.get(Block, 1)
        first.translation_group = "tailoring"
        session.add(first)
    issue = _new(cli)
    cli("issues", "compose", str(issue), "--from", "2021-06-01", "--to", "2021-06-30")
    cli("issues", "translate", str(issue), "tr", "--title", "Haziran", "--subject", "Haziran",
        "--preheader", "Haziranda neler oldu")  # fmt: skip
    return issue


def test_an_untranslated_edition_fails_the_check_until_fallback_is_allowed(cli, library):
    issue = _with_tr_edition(cli, library)
    checked = cli("issues", "check", str(issue), "--json")
    assert checked.exit_code == 1
    found = {(f["id"], f["severity"]) for f in json.loads(checked.stdout)}
    assert {("block-untranslated", "error"), ("translation-incomplete", "error")} <= found
    allowed = cli("issues", "translate", str(issue), "tr", "--allow-fallback")
    assert allowed.exit_code == 0, allowed.stderr
    again = json.loads(cli("issues", "check", str(issue), "--json").stdout)
    assert {f["severity"] for f in again if f["id"].startswith(("block-un", "translation"))} == {
        "warning"
    }
    assert cli("issues", "check", str(issue)).exit_code == 0
    shown = json.loads(cli("issues", "show", str(issue), "--json").stdout)
    assert shown["translations"]["tr"]["allow_fallback"] is True
    cli("issues", "translate", str(issue), "tr", "--no-allow-fallback")
    assert cli("issues", "check", str(issue)).exit_code == 1


def test_editions_shows_what_each_edition_translated_and_lost(cli, library):
    issue = _with_tr_edition(cli, library)
    data = json.loads(cli("issues", "editions", str(issue), "--json").stdout)
    [tr] = data["editions"]
    assert (data["language"], tr["language"], tr["allow_fallback"]) == ("en", "tr", False)
    assert (tr["translated"], tr["untranslated"]) == (1, 4)
    first = next(b for b in tr["blocks"] if b["block_id"] == 1)
    assert (first["section"], first["translated"], first["shown_block_id"]) == (1, True, 6)
    assert first["lost"] == ["image", "places"]
    assert tr["missing_texts"] == ["heading of section 1, 2, 3"]
    text = cli("issues", "editions", str(issue)).stdout
    assert text.splitlines()[:5] == [
        "Issue 1 (en): 1 other edition",
        "tr: 1 of 5 blocks translated; fallback not allowed (untranslated blocks are errors)",
        "  not translated: heading of section 1, 2, 3",
        '  1.     4 "Grant applications open": not translated (shown in en)',
        '  1.     1 "Forty women finish a tailoring course in Gaziantep" -> block 6, lost: image, '
        "places",
    ]
    none = _new(cli)
    assert cli("issues", "editions", str(none)).stdout.strip() == (
        f"Issue {none} (en) has no other language editions: add one with "
        f"'issues translate {none} LANGUAGE'"
    )
    assert cli("issues", "editions", "99").stderr.strip() == "Error: no issue with id 99"
