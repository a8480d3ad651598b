"""`newsletter demo`: the whole month's work on the embedded defaults, as the README promises."""

from __future__ import annotations

import email
import email.policy
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.accounts import passwords
from newsletter.cli.main import app
from newsletter.core.errors import UserError
from newsletter.demo import fictitious_people, month_of


def test_demo_sends_the_sample_issue_to_the_outbox(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--folder", str(folder), "--recipients", "5"])
    assert result.exit_code == 0, result.stderr or result.output
    assert "issue:        #1, sent: Monthly update, March 2026" in result.stdout
    messages = sorted((folder / "outbox").glob("*.eml"))
    assert len(messages) == 5
    parsed = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in messages
    ]
    recipients = {str(m["To"]) for m in parsed}
    assert len(recipients) == 5  # everyone once, nobody twice
    first = next(m for m in parsed if str(m["Subject"]).startswith("Our work this month"))
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = first.get_body(("html",)).get_content()
    assert "Job Fair in Gaziantep" in html
    assert "Örnek Sokak 12" in html  # the postal address from the demo config
    preview = (folder / "preview" / "issue-1.html").read_text(encoding="utf-8")
    assert "Harmonisation Week" in preview


def test_demo_refuses_to_overwrite_without_fresh(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--folder", str(folder), "--recipients", "1"]).exit_code == 0
    again = runner.invoke(app, ["demo", "--folder", str(folder), "--recipients", "1"])
    assert again.exit_code == 1
    assert "--fresh" in again.stderr
    fresh = runner.invoke(app, ["demo", "--folder", str(folder), "--recipients", "2", "--fresh"])
    assert fresh.exit_code == 0
    assert len(list((folder / "outbox").glob("*.eml"))) == 2


def test_demo_will_not_remove_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["demo", "--folder", str(tmp_path), "--fresh"])
    assert result.exit_code == 1
    assert "not a demo folder" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_demo_rejects_a_bad_recipient_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--folder", str(tmp_path / "d"), "--recipients", "0"])
    assert result.exit_code == 1
    assert "--recipients 0" in result.stderr


def test_fictitious_people_use_reserved_domains_and_unique_addresses() -> None:
    people = fictitious_people(40)
    addresses = [p[1] for p in people]
    assert len(set(addresses)) == 40
    assert all(a.endswith(("@example.org", "@example.com")) for a in addresses)
    assert any("ş" in p[0].lower() or "ç" in p[0].lower() for p in people)


def _run(folder: Path, recipients: int = 4) -> str:
    result = CliRunner().invoke(app, ["demo", "--folder", str(folder), "--recipients",
                                      str(recipients)])  # fmt: skip
    assert result.exit_code == 0, result.stderr or result.output
    return result.stdout


def test_demo_issue_holds_twelve_stories_of_the_month_its_title_names(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    out = _run(folder)
    with sqlite3.connect(folder / "newsletter.db") as conn:
        stories = conn.execute(
            "SELECT b.event_date, b.event_date_end, b.area FROM placements p "
            "JOIN blocks b ON b.id = p.block_id"
        ).fetchall()
        (title,) = conn.execute("SELECT title FROM issues WHERE id = 1").fetchone()
    assert len(stories) == 12
    days = [date.fromisoformat(d) for row in stories for d in row[:2] if d]
    assert {(d.year, d.month) for d in days} == {(2026, 3)}
    assert title == "Monthly update, March 2026"
    assert len({row[2] for row in stories}) >= 6  # across the programme areas
    assert f"database:     {folder / 'newsletter.db'}" in out


def test_demo_sends_three_editions_each_reader_in_their_language(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    out = _run(folder, recipients=4)  # languages tr, en, ar, en
    assert "editions:     en, ar, tr" in out
    subjects = sorted(
        str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"])
        for p in (folder / "outbox").glob("*.eml")
    )
    assert subjects == [
        "Bu ayki çalışmalarımız: Mart 2026",
        "Our work this month: March 2026",
        "Our work this month: March 2026",
        "عملنا هذا الشهر: مارس 2026",
    ]
    for language in ("en", "tr", "ar"):
        stem = "issue-1" if language == "en" else f"issue-1-{language}"
        assert f"preview ({language}): {(folder / 'preview' / stem).resolve()}.html" in out
    turkish = (folder / "preview" / "issue-1-tr.html").read_text(encoding="utf-8")
    assert "Aylık bülten, Mart 2026" in turkish
    assert "İş Fuarı 300 İş Arayanı" in turkish  # a translated story
    assert "Göç ve sağlık" in turkish  # a translated section heading
    arabic = (folder / "preview" / "issue-1-ar.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in arabic
    assert "أسبوع التناغم يجمع الجيران في شانلي أورفا" in arabic
    assert "Household Survey Findings Presented in Ankara" in arabic  # untranslated, in English


def test_demo_issue_passes_its_checks_with_warnings_only(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    _run(folder, recipients=1)
    config = folder / "newsletter.toml"
    check = CliRunner().invoke(app, ["--config", str(config), "issues", "check", "1"])
    assert check.exit_code == 0, check.stderr or check.output
    assert "0 error(s)" in check.stdout


def test_a_period_is_the_one_month_of_its_stories() -> None:
    assert month_of([date(2026, 2, 3), date(2026, 2, 28)]) == (date(2026, 2, 1),
                                                               date(2026, 2, 28))  # fmt: skip
    with pytest.raises(UserError, match="several months"):
        month_of([date(2026, 2, 25), date(2026, 3, 2)])


def test_demo_prints_the_sign_in_of_its_workspace_accounts(tmp_path: Path) -> None:
    out = _run(tmp_path / "demo", recipients=1)
    found = re.findall(r"as (\S+@demo\.example) with password (\S+) \((\w+)\)", out)
    assert [(email, role) for email, _, role in found] == [
        ("admin@demo.example", "admin"),
        ("approver@demo.example", "approver"),
        ("editor@demo.example", "editor"),
    ]
    assert "Sign in at http://127.0.0.1:8000/admin/login as admin@demo.example with password" in out
    with sqlite3.connect(tmp_path / "demo" / "newsletter.db") as conn:
        stored = dict(conn.execute("SELECT email, password_hash FROM users").fetchall())
    for address, password, _role in found:
        assert len(password) >= 10 and passwords.verify(stored[address], password)
    again = _run(tmp_path / "other", recipients=1)
    assert found[0][1] not in again  # made up at run time, not written in the source
