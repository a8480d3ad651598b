"""A database made by an earlier release upgrades cleanly and keeps everything in it.

``tests/fixtures/newsletter-0006.sqlite3`` was written by the code before the move into
capability subpackages (schema revision 0006): the demo's month (imported blocks, an issue sent
to six readers, its snapshot and ledger), one more unconfirmed reader and one erased person.
The test upgrades a copy through the real command line and reads it back with today's commands.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from newsletter.core.migrations import HEAD
from tests.conftest import write_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "newsletter-0006.sqlite3"


def _newsletter(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsletter", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(path: Path) -> dict[str, int]:
    tables = ("blocks", "issues", "issue_snapshots", "subscribers", "deliveries", "sends")
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_revision_0006_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    database = tmp_path / "newsletter.db"
    shutil.copy(FIXTURE, database)
    before = _counts(database)
    assert before["deliveries"] == 6 and before["subscribers"] == 7

    refused = _newsletter(config, "blocks", "list")
    # out of date: the error says what to do
    assert refused.returncode == 1 and "db upgrade" in refused.stderr

    upgraded = _newsletter(config, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    assert _counts(database) == before

    blocks = _newsletter(config, "blocks", "list", "--json")
    assert blocks.returncode == 0, blocks.stderr
    assert len(json.loads(blocks.stdout)) == before["blocks"]
    report = _newsletter(config, "issues", "report", "1", "--json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["counts"]["sent"] == 6
    people = _newsletter(config, "subscribers", "list", "--json")
    assert people.returncode == 0, people.stderr
    emails = {p["email"] for p in json.loads(people.stdout)["subscribers"]}
    assert "zz-last@example.org" in emails and "zz-erased@example.org" not in emails
