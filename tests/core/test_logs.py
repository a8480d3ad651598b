"""Structured worker log lines: fixed keys, safe quoting, journald priorities, EventLog rows."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.core import logs
from newsletter.core.db import session_scope
from newsletter.core.models import EventLog

LINE = re.compile(
    r"^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(\w+) issue=(\S+) event=(\S+) (.*)$"
)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    stream = io.StringIO()
    handler = logs.setup(verbose=False, stream=stream)
    yield stream
    logs.detach(handler)


def test_lines_carry_time_level_issue_and_event(captured: io.StringIO) -> None:
    logs.log("info", "send.started", "sending to ortaklar", issue=12, send=3)
    line = captured.getvalue().strip()
    match = LINE.match(line)
    assert match, line
    assert match.groups()[:3] == ("info", "12", "send.started")
    assert match[4] == 'send=3 msg="sending to ortaklar"'


def test_values_with_spaces_quotes_and_newlines_stay_on_one_line(captured: io.StringIO) -> None:
    logs.log("error", "send.crashed", 'SMTP said "550 no"\nthen İzmir closed', issue=None)
    out = captured.getvalue()
    assert out.count("\n") == 1
    assert 'issue=- event=send.crashed msg="SMTP said \\"550 no\\"\\nthen İzmir closed"' in out


def test_debug_lines_only_with_verbose(captured: io.StringIO) -> None:
    logs.log("debug", "lease.renewed", "kept")
    assert captured.getvalue() == ""
    stream = io.StringIO()
    handler = logs.setup(verbose=True, stream=stream)
    try:
        logs.log("debug", "lease.renewed", "kept", send=4)
    finally:
        logs.detach(handler)
    assert "level=debug issue=- event=lease.renewed send=4 msg=kept" in stream.getvalue()


def test_other_libraries_lines_use_their_logger_name_as_event(captured: io.StringIO) -> None:
    logging.getLogger("apscheduler.scheduler").error("job raised")
    logging.getLogger("apscheduler.scheduler").info("added job")  # quiet without --verbose
    out = captured.getvalue()
    assert 'level=error issue=- event=apscheduler.scheduler msg="job raised"' in out
    assert "added job" not in out


def test_exceptions_are_folded_into_the_line(captured: io.StringIO) -> None:
    try:
        raise ValueError("bozuk değer")
    except ValueError:
        logs.logger().exception("failed", extra={"event": "send.crashed", "issue": 5})
    out = captured.getvalue()
    assert out.count("\n") == 1
    assert "issue=5 event=send.crashed" in out and "ValueError: bozuk değer" in out


def test_journald_gets_syslog_priority_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    stream = io.StringIO()
    handler = logs.setup(stream=stream)
    try:
        logs.log("error", "send.crashed", "boom")
        logs.log("warning", "issue.missed", "late", issue=2)
        logs.log("info", "worker.started", "up")
    finally:
        logs.detach(handler)
    prefixes = [line[:3] for line in stream.getvalue().splitlines()]
    assert prefixes == ["<3>", "<4>", "<6>"]


def test_record_keeps_the_event_for_status(engine: Engine, captured: io.StringIO) -> None:
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        logs.record(s, "error", "send.start_failed", "list 'gönüllüler' is gone", now, issue=None)
    with session_scope(engine) as s:
        row = s.exec(select(EventLog)).one()
    assert (row.level, row.event, row.message, row.at) == (
        "error",
        "send.start_failed",
        "list 'gönüllüler' is gone",
        now,
    )
    assert "event=send.start_failed" in captured.getvalue()


def test_quote_leaves_simple_values_bare() -> None:
    assert logs.quote("send.started") == "send.started"
    assert logs.quote("a b") == '"a b"'
    assert logs.quote("") == '""'
    assert logs.quote(None) == '""'
    assert logs.quote("x=1") == '"x=1"'


def test_progress_lines_are_spaced_out(captured: io.StringIO) -> None:
    progress = SimpleNamespace(done_before=100, handled=20, total=400, sent=19, failed=1, rate=2.5)
    every_call = logs.ProgressLog(send_id=7, issue_id=12, every=0)
    every_call(progress)
    line = captured.getvalue()
    assert "issue=12 event=send.progress send=7 sent=19 failed=1 per_minute=150" in line
    assert line.endswith('msg="120/400 handled"\n')
    spaced = logs.ProgressLog(send_id=7, issue_id=12, every=3600)
    for _ in range(50):
        spaced(progress)
    assert captured.getvalue().count("event=send.progress") == 1
