"""`newsletter init`, `db upgrade`, `db status`, `--version`, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from newsletter.cli.main import app


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsletter", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=60,
    )


def test_init_creates_config_secret_and_database(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "newsletter.toml").is_file()
    assert (tmp_path / "newsletter.db").is_file()
    assert "database ready" in result.stdout
    again = run("db", "status", cwd=tmp_path)
    assert again.returncode == 0 and "current: " in again.stdout


def test_commands_explain_a_missing_database_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_text("")
    result = CliRunner().invoke(app, ["db", "status"])
    assert result.exit_code == 1
    assert "no database at" in result.stderr and "newsletter init" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_config_is_one_line_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_text('[smtp]\nport = "x"\n')
    result = run("db", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "smtp.port" in lines[0]


def test_missing_config_file_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--config", "nope.toml", "db", "status"])
    assert result.exit_code == 1
    assert "config file not found: nope.toml" in result.stderr


def test_db_upgrade_reports_revisions(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_text("")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0
    assert result.stdout.startswith("schema empty -> ")


def test_version_and_help() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).stdout.startswith("newsletter ")
    help_text = runner.invoke(app, ["--help"]).stdout
    for group in ("blocks", "issues", "lists", "subscribers", "init", "db"):
        assert group in help_text
