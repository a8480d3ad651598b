"""`newsletter status`: scheduled issues in local time, sends with counts and rate, missed and
paused issues, workers, and the last errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.models import (
    Delivery,
    EventLog,
    Issue,
    MailingList,
    Send,
    Subscriber,
    WorkerHeartbeat,
)
from newsletter.scheduling import status_report

NOW = datetime(2026, 12, 1, 6, 10, tzinfo=UTC)


def _issue(s, title: str, status_: str, at: datetime | None, tz: str | None = None) -> Issue:
    issue = Issue(
        title=title, status=status_, scheduled_at=at, schedule_tz=tz, schedule_lists=["ortaklar"]
    )
    s.add(issue)
    s.flush()
    return issue


def _send_with_deliveries(s, issue: Issue, sent_minutes_ago: list[float], queued: int) -> Send:
    send = Send(
        issue_id=issue.id, lists=["ortaklar"], status="running",
        started_at=NOW - timedelta(minutes=30), lease_owner="host:1:ab",
        lease_expires_at=NOW + timedelta(seconds=60),
    )  # fmt: skip
    s.add(send)
    s.flush()
    mlist = MailingList(slug=f"l{send.id}", name="Ortaklar")
    s.add(mlist)
    for n, minutes in enumerate(sent_minutes_ago + [None] * queued):
        person = Subscriber(email=f"kişi{send.id}-{n}@örnek.org", email_ascii=f"k{send.id}-{n}@x")
        s.add(person)
        s.flush()
        s.add(Delivery(
            issue_id=issue.id, send_id=send.id, subscriber_id=person.id,
            status="queued" if minutes is None else "sent",
            sent_at=None if minutes is None else NOW - timedelta(minutes=minutes),
        ))  # fmt: skip
    return send


def seed(engine: Engine) -> None:
    with session_scope(engine) as s:
        _issue(s, "Aralık bülteni", "scheduled", datetime(2026, 12, 15, 6, 0, tzinfo=UTC),
               "Europe/Istanbul")  # fmt: skip
        _issue(s, "Ocak bülteni", "scheduled", datetime(2027, 1, 5, 8, 0, tzinfo=UTC),
               "Europe/Berlin")  # fmt: skip
        _issue(s, "Ekim bülteni", "missed", datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
               "Europe/Istanbul")  # fmt: skip
        sending = _issue(s, "Kasım bülteni", "sending", None)
        # 10 sent in the last 5 minutes, 20 earlier, 40 still queued
        _send_with_deliveries(s, sending, [1.0] * 10 + [20.0] * 20, queued=40)
        paused = _issue(s, "Eylül bülteni", "paused", None)
        s.add(Send(issue_id=paused.id, lists=["ortaklar"], status="paused",
                   pause_reason="10 policy rejections in a row (5.7.1)"))  # fmt: skip
        s.add(EventLog(at=NOW - timedelta(minutes=3), level="error", issue_id=2,
                       event="send.start_failed", message="list 'gönüllüler' is gone"))  # fmt: skip
        s.add(EventLog(at=NOW - timedelta(minutes=2), level="info", event="send.started",
                       message="not an error"))  # fmt: skip
        s.add(EventLog(at=NOW - timedelta(minutes=1), level="warning", issue_id=3,
                       event="issue.missed", message="Ekim was missed"))  # fmt: skip
        s.add(
            WorkerHeartbeat(
                owner="host:1:ab",
                hostname="host",
                pid=1,
                send_id=1,
                started_at=NOW - timedelta(hours=1),
                seen_at=NOW - timedelta(seconds=5),
            )
        )
        s.add(
            WorkerHeartbeat(
                owner="host:2:cd",
                hostname="host",
                pid=2,
                started_at=NOW - timedelta(hours=2),
                seen_at=NOW - timedelta(hours=1),
            )
        )


def test_collect_reports_every_section(engine: Engine, config: Config) -> None:
    seed(engine)
    with session_scope(engine) as s:
        report = status_report.collect(s, config.scheduler, NOW)
    scheduled = report["scheduled"]
    assert [i["title"] for i in scheduled] == ["Aralık bülteni", "Ocak bülteni"]
    assert scheduled[0]["local"] == "2026-12-15 09:00 +03 (Europe/Istanbul)"
    assert scheduled[1]["local"] == "2027-01-05 09:00 CET (Europe/Berlin)"
    assert scheduled[0]["when"] == "in 13d"
    [sending] = report["sending"]
    assert sending["counts"] == {
        "queued": 40, "sending": 0, "sent": 30, "failed": 0, "skipped": 0, "total": 70
    }  # fmt: skip
    assert sending["rate_per_minute"] == 2.0  # 10 messages in the last 5 minutes
    assert sending["eta_minutes"] == 20.0
    assert sending["worker"] == "host:1:ab"
    [paused] = report["paused"]
    assert paused["title"] == "Eylül bülteni" and "policy" in paused["pause_reason"]
    [missed] = report["missed"]
    assert missed["local"] == "2026-11-30 09:00 +03 (Europe/Istanbul)"
    assert missed["when"] == "24h10m ago"
    assert [e["event"] for e in report["errors"]] == ["issue.missed", "send.start_failed"]
    states = {w["owner"]: w["state"] for w in report["workers"]}
    assert states == {"host:1:ab": "running", "host:2:cd": "not responding"}


def test_text_output_reads_as_a_summary(engine: Engine, config: Config) -> None:
    seed(engine)
    with session_scope(engine) as s:
        text = status_report.format_text(status_report.collect(s, config.scheduler, NOW))
    assert "Scheduled (2):" in text
    assert "issue 1 “Aralık bülteni” to ortaklar, at 2026-12-15 09:00 +03 (Europe/Istanbul)" in text
    assert "30/70 sent, 2/min, about 20 min left, worker host:1:ab" in text
    assert "Paused (1):" in text and "paused: 10 policy rejections" in text
    assert "Missed (1):\n  issue 3 “Ekim bülteni”" in text
    assert "send now with 'newsletter issues send 3 --list ortaklar'" in text
    assert "new time with 'newsletter issues reschedule 3 --at \"YYYY-MM-DD HH:MM\"'" in text
    assert "error issue 2 send.start_failed: list 'gönüllüler' is gone" in text


def test_long_error_messages_show_their_first_line(engine: Engine, config: Config) -> None:
    with session_scope(engine) as s:
        s.add(EventLog(at=NOW, level="error", event="send.crashed",
                       message="(OperationalError) disk I/O error\n[SQL: SELECT …]"))  # fmt: skip
    with session_scope(engine) as s:
        text = status_report.format_text(status_report.collect(s, config.scheduler, NOW))
    assert "send.crashed: (OperationalError) disk I/O error\n" in text + "\n"
    assert "[SQL:" not in text


def test_an_empty_database_says_none_everywhere(engine: Engine, config: Config) -> None:
    with session_scope(engine) as s:
        text = status_report.format_text(status_report.collect(s, config.scheduler, NOW))
    for title in ("Workers", "Scheduled", "Sending", "Paused", "Missed", "Last errors"):
        assert f"{title}: none" in text


def test_a_send_without_a_live_lease_waits_for_a_worker(engine: Engine, config: Config) -> None:
    with session_scope(engine) as s:
        issue = _issue(s, "Kasım", "sending", None)
        s.add(Send(issue_id=issue.id, status="running", lease_owner="gone:9:zz",
                   lease_expires_at=NOW - timedelta(seconds=1)))  # fmt: skip
    with session_scope(engine) as s:
        report = status_report.collect(s, config.scheduler, NOW)
    assert report["sending"][0]["worker"] is None
    assert "waiting for a worker" in status_report.format_text(report)


def test_cli_status_json(cli, engine: Engine) -> None:
    seed(engine)
    result = cli("status", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [i["title"] for i in data["scheduled"]] == ["Aralık bülteni", "Ocak bülteni"]
    assert data["missed"][0]["title"] == "Ekim bülteni"
    assert data["errors"][0]["message"] == "Ekim was missed"


def test_cli_status_text_and_error_limit(cli, engine: Engine) -> None:
    seed(engine)
    result = cli("status", "--errors", "1")
    assert result.exit_code == 0, result.stderr
    assert "Last errors (1):" in result.stdout
    bad = cli("status", "--errors", "-1")
    assert bad.exit_code != 0
