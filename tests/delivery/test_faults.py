"""Delivery under faults, against real loopback servers that misbehave: a list is never lost
quietly, a failed send is never called a success, nobody is mailed twice by the tool itself."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import Config, load_config
from newsletter.core.models import Delivery, EventLog, Issue, Send
from newsletter.delivery import breaker, ledger, ledger_faults
from newsletter.delivery.sender import run_send
from newsletter.scheduling import status_report
from newsletter.scheduling.worker import Worker
from tests.conftest import write_config
from tests.plugins.delivery import add_people, make_issue, make_list, people
from tests.plugins.smtp import SmtpServer


def setup(
    tmp_path: Path, server: SmtpServer, n: int, sending: str = "", smtp: str = ""
) -> tuple[Config, Engine, int]:
    """An issue for ``n`` confirmed people, sent over ``server`` with a small breaker."""
    smtp_lines = server.config_toml() + "timeout_seconds = 0.4\n" + smtp
    path = write_config(tmp_path, smtp_lines)
    head = (
        'transport = "smtp"\nretry_base_seconds = 0.01\nbreaker_failures = 3\n'
        "breaker_backoff_seconds = 0.3\n" + sending
    )
    path.write_text(path.read_text().replace("[sending]\n", "[sending]\n" + head, 1))
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        issue = make_issue(s)
        add_people(s, make_list(s, "genel"), people(n))
        issue_id = issue.id or 0
    return config, engine, issue_id


def start(engine: Engine, config: Config, issue_id: int) -> int:
    with db.session_scope(engine) as s:
        return ledger.start_send(s, issue_id, ["genel"], utcnow(), config).id or 0


def statuses(engine: Engine) -> Counter[str]:
    with db.session_scope(engine) as s:
        return Counter(s.exec(select(Delivery.status)).all())


def received(server: SmtpServer) -> Counter[str]:
    return Counter(r for m in server.messages for r in m.rcpt_tos)


def send_row(engine: Engine, send_id: int) -> Send:
    with db.session_scope(engine) as s:
        send = s.get(Send, send_id)
        s.expunge(send)
        return send


def run_worker_until(engine: Engine, config: Config, done, seconds: float = 20) -> int:
    """Wake an in-process worker up (as its poll would) until ``done()``; how many wake-ups."""
    worker, ticks = Worker(engine, config), 0
    end = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < end, "the worker never got there"
        worker.tick()
        ticks += 1
        time.sleep(0.1)
    return ticks


def test_a_server_hanging_after_data_pauses_the_send_and_it_resumes_by_itself(
    tmp_path: Path, fault_server: SmtpServer
) -> None:
    config, engine, issue_id = setup(tmp_path, fault_server, n=20)
    fault_server.handler.hang_data = 2.0
    send_id = start(engine, config, issue_id)
    began = time.monotonic()
    result = run_send(engine, config, send_id, utcnow)
    # Three messages without a reply trip the breaker: the other 17 are not touched.
    assert result.status == "paused" and time.monotonic() - began < 5
    assert result.reason.startswith(breaker.REASON_PREFIX)
    assert "3 messages without a reply after the data in a row" in result.reason
    assert statuses(engine) == Counter(queued=17, sending=3)
    assert result.exit_code == 3
    send = send_row(engine, send_id)
    assert breaker.parse(send.last_error) is not None and send.status == "paused"
    with db.session_scope(engine) as s:
        assert s.get(Issue, issue_id).status == "paused"
        report = ledger.report(s, issue_id)
    assert report["last_error"].startswith("circuit breaker trip 1")
    assert len(report["possibly_sent"]) == 3

    fault_server.handler.hang_data = 0.0  # the server recovers; the worker resumes on its own
    run_worker_until(engine, config, lambda: send_row(engine, send_id).status != "paused")
    assert statuses(engine) == Counter(sent=17, sending=3)
    send = send_row(engine, send_id)
    assert send.status == "done"  # 85% got through: above the 50% share
    assert max(received(fault_server).values()) == 1 and len(received(fault_server)) == 17

    # The remedy: the three possibly-sent go again (the server sat on them: none arrived).
    with db.session_scope(engine) as s:
        assert ledger_faults.requeue_possibly_sent(s, issue_id, utcnow()) == 3
    assert run_send(engine, config, send_id, utcnow).status == "done"
    assert received(fault_server) == Counter(p[0] for p in people(20))
    assert statuses(engine) == Counter(sent=20)


def test_a_temporary_outage_pauses_and_then_everyone_gets_it_once(
    tmp_path: Path, fault_server: SmtpServer
) -> None:
    # Two attempts each: without the breaker, the outage would fail nearly everyone.
    config, engine, issue_id = setup(tmp_path, fault_server, n=15, sending="max_attempts = 2\n")
    fault_server.handler.outage_until = time.monotonic() + 1.5
    send_id = start(engine, config, issue_id)
    run_worker_until(engine, config, lambda: send_row(engine, send_id).status == "done")
    assert received(fault_server) == Counter(p[0] for p in people(15))
    assert statuses(engine) == Counter(sent=15)
    with db.session_scope(engine) as s:
        rows = s.exec(select(Delivery)).all()
        events = s.exec(select(EventLog.event, EventLog.message)).all()
        issue = s.get(Issue, issue_id)
    assert issue.status == "sent"
    assert fault_server.handler.refused >= 3
    paused = [m for e, m in events if e == "send_paused"]
    assert paused and all(breaker.REASON_PREFIX in m for m in paused)
    assert "452 4.3.1 Insufficient system storage" in paused[0]
    assert any(e == "send_resumed" for e, _ in events)
    # The outage cost nobody an attempt: each row's only counted attempt is the one that worked.
    assert {r.attempts for r in rows} == {1}


def test_retrying_one_recipient_does_not_trip_the_breaker(
    tmp_path: Path, fault_server: SmtpServer
) -> None:
    config, engine, issue_id = setup(tmp_path, fault_server, n=4, sending="max_attempts = 6\n")
    fault_server.handler.rcpt_replies = {"kisi0001@example.org": ["450 4.2.1 busy"] * 5}
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "done" and result.exit_code == 0
    assert received(fault_server) == Counter(p[0] for p in people(4))


def test_a_send_that_delivers_nothing_is_failed_not_done(
    tmp_path: Path, fault_server: SmtpServer
) -> None:
    config, engine, issue_id = setup(tmp_path, fault_server, n=4)
    fault_server.handler.rcpt_replies = {
        p[0]: ["550 5.7.1 relaying denied"] for p in people(4)
    }  # permanent, but not 5.1.x: nothing suppressed, nothing breaker-worthy
    send_id = start(engine, config, issue_id)
    result = run_send(engine, config, send_id, utcnow)
    assert result.status == "failed" and result.exit_code == 4
    assert "only 0 of 4 delivered" in result.reason
    with db.session_scope(engine) as s:
        assert s.get(Issue, issue_id).status == "failed"
        errors = s.exec(select(EventLog).where(EventLog.event == "send_failed")).all()
        report = status_report.collect(s, config.scheduler, utcnow())
    assert [e.level for e in errors] == ["error"]
    # `newsletter status` lists it under Failed, with the reason, until someone acts on it.
    assert [f["send"] for f in report["failed"]] == [send_id]
    shown = status_report.format_text(report)
    assert "Failed (1):" in shown and "failed: only 0 of 4 delivered" in shown


def test_a_share_below_the_threshold_is_failed(tmp_path: Path, fault_server: SmtpServer) -> None:
    config, engine, issue_id = setup(
        tmp_path, fault_server, n=4, sending="min_delivered_share = 0.9\n"
    )
    fault_server.handler.rcpt_replies = {"kisi0002@example.org": ["550 5.1.1 no such user"]}
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "failed" and "only 3 of 4 delivered (75%" in result.reason
