"""`newsletter demo`: the whole month's work on the embedded defaults, as the README promises."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from typer.testing import CliRunner

from newsletter.cli.main import app
from newsletter.demo import fictitious_people


def test_demo_sends_the_sample_issue_to_the_outbox(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--folder", str(folder), "--recipients", "5"])
    assert result.exit_code == 0, result.stderr or result.output
    assert "issue:       #1, sent" in result.stdout
    messages = sorted((folder / "outbox").glob("*.eml"))
    assert len(messages) == 5
    parsed = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in messages
    ]
    recipients = {str(m["To"]) for m in parsed}
    assert len(recipients) == 5  # everyone once, nobody twice
    first = parsed[0]
    assert first["Subject"].startswith("Our work this month")
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
