"""The scheduling commands as a user types them: schedule, unschedule, reschedule, worker --once,
and their errors (one line on stderr, exit 1, nothing changed)."""

from __future__ import annotations

import configparser
import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from newsletter.audience import lists
from newsletter.core.clock import utcnow
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import Issue
from newsletter.delivery import ledger

IST = ZoneInfo("Europe/Istanbul")


def local(days: float, tz: ZoneInfo = IST) -> str:
    """A local wall time some days from the real now, as typed after --at."""
    return f"{(utcnow() + timedelta(days=days)).astimezone(tz):%Y-%m-%d %H:%M}"


def issue_row(engine: Engine, issue_id: int) -> Issue:
    with session_scope(engine) as s:
        return s.get(Issue, issue_id)


@pytest.fixture
def ready(engine: Engine, config: Config, ready_issue):
    return ready_issue(now=utcnow())


def test_schedule_prints_the_local_time_and_stores_it(cli, engine: Engine, ready) -> None:
    at = local(9)
    result = cli("issues", "schedule", str(ready.issue_id), "--list", "ortaklar", "--at", at)
    assert result.exit_code == 0, result.stderr
    expected = f"issue {ready.issue_id} scheduled for {at} +03 (Europe/Istanbul) to ortaklar"
    assert result.stdout.strip() == expected
    row = issue_row(engine, ready.issue_id)
    assert row.status == "scheduled"
    assert f"{row.scheduled_at.astimezone(IST):%Y-%m-%d %H:%M}" == at


def test_schedule_json_with_a_zone_and_comma_separated_lists(
    cli, engine: Engine, config: Config, ready
) -> None:
    with session_scope(engine) as s:
        lists.create(s, "gonulluler", "Gönüllüler", utcnow(), opt_in="single")
    at = local(9, ZoneInfo("America/New_York"))
    result = cli("issues", "schedule", str(ready.issue_id), "--list", "ortaklar,gonulluler",
                 "--at", at, "--tz", "America/New_York", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "scheduled"
    assert data["timezone"] == "America/New_York"
    assert data["lists"] == ["ortaklar", "gonulluler"]
    assert data["local"].startswith(at) and data["scheduled_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--at", "2020-01-01 09:00"],
            "Error: --at '2020-01-01 09:00' (Europe/Istanbul) is in the past",
        ),
        (["--at", "LATER", "--tz", "Mars/Olympus"], "Error: unknown time zone 'Mars/Olympus'"),
        (["--at", "2031-03-30 02:30", "--tz", "Europe/Berlin"], "does not exist in Europe/Berlin"),
        (["--at", "2031-10-26 02:30", "--tz", "Europe/Berlin"], "happens twice in Europe/Berlin"),
        (["--at", "1 Aralık"], "Error: --at '1 Aralık': expected a local time"),
        (["--at", "LATER", "--list", "yok"], "Error: no list with slug 'yok'"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(
    cli, engine: Engine, ready, args: list[str], message: str
) -> None:
    args = [local(9) if a == "LATER" else a for a in args]
    lists_ = [] if "--list" in args else ["--list", "ortaklar"]
    result = cli("issues", "schedule", str(ready.issue_id), *lists_, *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert issue_row(engine, ready.issue_id).status == "approved"


def test_the_default_zone_comes_from_the_config_and_a_bad_one_is_named(
    cli, engine: Engine, config_path: Path, ready
) -> None:
    base = config_path.read_text()
    config_path.write_text(base + '[scheduler]\ntimezone = "Mars/Olympus"\n')
    bad = cli("issues", "schedule", str(ready.issue_id), "--list", "ortaklar", "--at", local(9))
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("Error: scheduler.timezone: unknown time zone 'Mars/Olympus'")
    assert issue_row(engine, ready.issue_id).status == "approved"
    config_path.write_text(base + '[scheduler]\ntimezone = "Asia/Tokyo"\n')
    at = local(9, ZoneInfo("Asia/Tokyo"))
    good = cli("issues", "schedule", str(ready.issue_id), "--list", "ortaklar", "--at", at)
    assert good.exit_code == 0, good.stderr
    assert good.stdout.strip().endswith(f"for {at} JST (Asia/Tokyo) to ortaklar")
    assert issue_row(engine, ready.issue_id).schedule_tz == "Asia/Tokyo"


def test_a_draft_issue_cannot_be_scheduled(cli) -> None:
    created = cli("issues", "new", "Taslak sayı", "--json")
    assert created.exit_code == 0, created.stderr
    issue_id = json.loads(created.stdout)["id"]
    result = cli("issues", "schedule", str(issue_id), "--list", "x", "--at", local(3))
    assert result.exit_code == 1
    assert f"Error: issue {issue_id} is draft: submit and approve it first" in result.stderr


def test_missing_or_wrong_arguments_are_usage_errors(cli, ready) -> None:
    assert cli("issues", "schedule", str(ready.issue_id), "--at", local(3)).exit_code == 2
    assert (
        cli("issues", "schedule", "on-iki", "--list", "ortaklar", "--at", local(3)).exit_code == 2
    )
    result = cli("issues", "schedule", "999", "--list", "ortaklar", "--at", local(3))
    assert result.exit_code == 1 and "no issue with id 999" in result.stderr


def test_unschedule_and_reschedule(cli, engine: Engine, ready) -> None:
    issue = str(ready.issue_id)
    assert cli("issues", "schedule", issue, "-l", "ortaklar", "--at", local(5)).exit_code == 0
    later = local(6, ZoneInfo("Europe/Berlin"))
    result = cli("issues", "reschedule", issue, "--at", later, "--tz", "Europe/Berlin")
    assert result.exit_code == 0, result.stderr
    assert (
        f"rescheduled for {later}" in result.stdout
        and "(Europe/Berlin) to ortaklar" in result.stdout
    )
    assert issue_row(engine, ready.issue_id).schedule_tz == "Europe/Berlin"
    result = cli("issues", "unschedule", issue)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"issue {issue} unscheduled: it is approved again"
    again = cli("issues", "unschedule", issue)
    assert (
        again.exit_code == 1 and f"issue {issue} is approved: it is not scheduled" in again.stderr
    )
    result = cli("issues", "reschedule", issue, "--at", later)
    assert result.exit_code == 1 and "use 'newsletter issues schedule'" in result.stderr


def test_worker_once_resumes_a_send_and_reports(cli, engine: Engine, config: Config, ready) -> None:
    with session_scope(engine) as s:
        ledger.start_send(s, ready.issue_id, ["ortaklar"], utcnow(), config)
    result = cli("worker", "--once")
    assert result.exit_code == 0, result.stderr
    assert "ran 1, marked 0 missed" in result.stdout
    assert "event=send.running" in result.stderr and "event=send.done" in result.stderr
    written = list(Path(config.resolve_path(config.sending.outbox_dir)).glob("*.eml"))
    assert len(written) == len(ready.emails)
    assert issue_row(engine, ready.issue_id).status == "sent"


def test_worker_once_json_and_verbose(cli, engine: Engine, config: Config, ready) -> None:
    quiet = cli("worker", "--once", "--json")
    assert quiet.exit_code == 0, quiet.stderr
    assert json.loads(quiet.stdout) == {
        "started": [], "missed": [], "failed": [], "ran": [], "confirmations": 0,
        "confirmations_not_sent": 0,
    }  # fmt: skip
    assert "level=debug" not in quiet.stderr
    loud = cli("--verbose", "worker", "--once")
    assert "level=debug issue=- event=schedule.checked due=0" in loud.stderr
    endless = cli("worker", "--json")  # would otherwise run for ever, printing nothing
    assert endless.exit_code == 1
    assert (
        endless.stderr
        == "Error: --json needs --once: a running worker reports through its log lines\n"
    )


def test_help_texts_explain_the_commands(cli) -> None:
    schedule_help = cli("issues", "schedule", "--help").stdout
    assert "--list" in schedule_help and "--tz" in schedule_help and "approved" in schedule_help
    assert "SIGTERM" in cli("worker", "--help").stdout
    assert "missed" in cli("status", "--help").stdout
    assert "reschedule" in cli("issues", "--help").stdout


def test_the_systemd_unit_runs_the_worker_and_stops_it_gently() -> None:
    unit_file = Path(__file__).parents[2] / "docs" / "newsletter-worker.service"
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(unit_file.read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["ExecStart"].endswith("/newsletter worker")
    assert service["KillSignal"] == "SIGTERM" and int(service["TimeoutStopSec"]) >= 30
    assert service["Restart"] == "on-failure"
    assert "NEWSLETTER_CONFIG=" in service["Environment"]
    assert "SECRET" not in service["Environment"]  # secrets live in the EnvironmentFile
    assert unit["Install"]["WantedBy"] == "multi-user.target"
