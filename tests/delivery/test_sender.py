"""Sending against real SMTP servers: every message parsed back, every fault handled."""

from __future__ import annotations

import email
import email.policy
import email.utils
import threading
import time
from pathlib import Path

import dkim
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.audience import subscriptions, suppression, tokens
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import Config, load_config
from newsletter.core.errors import StateError
from newsletter.core.models import Delivery, EventLog, Issue, Subscriber
from newsletter.delivery import ledger, message, sender
from newsletter.delivery.rate import RateLimiter
from newsletter.delivery.sender import run_send
from newsletter.delivery.transport_factory import make_transport
from tests.conftest import SECRET, write_config
from tests.plugins.delivery import (
    ScriptedHandler,
    ScriptedServer,
    add_people,
    make_issue,
    make_list,
    people,
)
from tests.plugins.smtp import free_port


def setup(
    tmp_path: Path, server: ScriptedServer | None, extra: str = "", pool: int = 1, n: int = 6
) -> tuple[Config, Engine, int]:
    """A database with an issue and ``n`` confirmed people, and a config pointing at ``server``."""
    sending = ('transport = "smtp"\n' if server else "") + "retry_base_seconds = 0.01\n" + extra
    path = write_config(tmp_path, server.toml(pool) if server else "")
    path.write_text(path.read_text().replace("[sending]\n", "[sending]\n" + sending, 1))
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        issue = make_issue(s)
        list_id = make_list(s, "genel")
        add_people(s, list_id, people(n))
        issue_id = issue.id or 0
    return config, engine, issue_id


def start(engine: Engine, config: Config, issue_id: int, slugs: list[str] | None = None) -> int:
    with db.session_scope(engine) as s:
        return ledger.start_send(s, issue_id, slugs or ["genel"], utcnow(), config).id or 0


def rows(engine: Engine) -> dict[str, Delivery]:
    with db.session_scope(engine) as s:
        found = s.exec(select(Delivery, Subscriber.email).join(Subscriber)).all()
        return {e: d for d, e in found}


def check_message(data: bytes, to: str, subscriber_id: int, others: list[str]) -> None:
    """A received message: headers, both parts, the person's own links and nobody else's data."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    head, _, _ = data.partition(b"\r\n\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"") and head.isascii()
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    for line in head.split(b"\r\n"):  # 78, unless one unbreakable word (a URL) is longer
        assert len(line) <= 78 or b" " not in line.strip().partition(b": ")[2], line
    assert b"From: =?utf-8?" in head  # the display name RFC 2047-encoded
    assert b"Return-Path" not in head and b"X-Envelope-To" not in head  # the MTA's to add
    assert email.utils.parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    assert msg["To"].addresses[0].addr_spec == to
    assert msg["Subject"] == "Kasım bülteni: Hatay’dan haberler"
    assert msg["From"].addresses[0].display_name == "Örnek Kuruluş"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"].endswith("@example.org>")
    link = msg["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://news.example.org/unsubscribe/")
    token = tokens.read(SECRET, "unsubscribe", link.rsplit("/", 1)[1], utcnow())
    assert token.subscriber_id == subscriber_id
    text, html = msg.get_payload()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    for part in (text.get_content(), html.get_content()):
        assert to in part and link in part
        assert "Hatay’da “yeni” toplum merkezi" in part
        assert "/preferences/" in part and "https://news.example.org/archive/" in part
        for other in others:
            assert other not in part


def test_sends_everyone_once_with_their_own_links(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, pool=2, n=9)
    with db.session_scope(engine) as s:
        second = make_list(s, "ikinci")
        add_people(s, second, people(9)[3:] + [("yeni@example.org", "Yeni")])
    send_id = start(engine, config, issue_id, ["genel", "ikinci"])
    result = run_send(engine, config, send_id, utcnow)
    assert result.status == "done" and result.progress.sent == 10
    everyone = [p[0] for p in people(9)] + ["yeni@example.org"]
    received = sorted(r for m in server.messages for r in m.rcpt_tos)
    assert received == sorted(everyone)
    ids = {e: d.subscriber_id for e, d in rows(engine).items()}
    for m in server.messages:
        to = m.rcpt_tos[0]
        assert m.mail_from == "news@example.org"
        check_message(m.data, to, ids[to], [e for e in everyone if e != to])
    with db.session_scope(engine) as s:
        assert s.get(Issue, issue_id).status == "sent"
        report = ledger.report(s, issue_id)
    assert report["counts"]["sent"] == 10 and report["status"] == "done"
    assert all(d.message_id and d.sent_at for d in rows(engine).values())


def test_greeting_falls_back_without_a_name(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, n=9)
    run_send(engine, config, start(engine, config, issue_id), utcnow)
    nameless = next(m for m in server.messages if m.rcpt_tos == ["kisi0008@example.org"])
    text = m_text(nameless.data)
    assert text.startswith("Merhaba,") and "Sevgili ," not in text
    named = next(m for m in server.messages if m.rcpt_tos == ["kisi0001@example.org"])
    assert m_text(named.data).startswith("Sevgili Mehmet,")


def m_text(data: bytes) -> str:
    return (
        email.message_from_bytes(data, policy=email.policy.default).get_payload()[0].get_content()
    )


def test_451_then_250_is_retried(tmp_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(rcpt_replies={"kisi0002@example.org": ["451 4.3.0 Try again"]})
    server = smtp_factory(handler)
    config, engine, issue_id = setup(tmp_path, server)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "done" and result.progress.retrying == 1
    row = rows(engine)["kisi0002@example.org"]
    assert (row.status, row.attempts, row.last_code) == ("sent", 2, 250)
    assert sorted(r for m in server.messages for r in m.rcpt_tos) == [p[0] for p in people(6)]


def test_temporary_failures_give_up_after_max_attempts(tmp_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(rcpt_replies={"kisi0002@example.org": ["450 4.2.1 busy"] * 9})
    server = smtp_factory(handler)
    config, engine, issue_id = setup(tmp_path, server, extra="max_attempts = 3\n")
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "done", result
    row = rows(engine)["kisi0002@example.org"]
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_text.startswith("gave up after 3 attempts: 450 4.2.1 busy")


def test_550_fails_the_row_and_suppresses_the_address(tmp_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(rcpt_replies={"kisi0003@example.org": ["550 5.1.1 No such user"]})
    server = smtp_factory(handler)
    config, engine, issue_id = setup(tmp_path, server)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "done" and result.progress.failed == 1
    row = rows(engine)["kisi0003@example.org"]
    assert (row.status, row.last_code, row.last_text) == ("failed", 550, "5.1.1 No such user")
    with db.session_scope(engine) as s:
        found = suppression.find(s, SECRET, "kisi0003@example.org")
        assert found is not None and found.reason == "hard_bounce"
        report = ledger.report(s, issue_id)
    assert report["failed"] == [
        {
            "email": "kisi0003@example.org",
            "code": 550,
            "reason": "5.1.1 No such user",
            "attempts": 1,
            "message_id": row.message_id,
            "send_id": row.send_id,
        }
    ]
    assert len(server.messages) == 5


def test_421_and_hang_up_mid_batch_reconnects(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory(ScriptedHandler(hang_up_after=3))
    config, engine, issue_id = setup(tmp_path, server, n=8)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "done"
    received = sorted(r for m in server.messages for r in m.rcpt_tos)
    assert received == [p[0] for p in people(8)]  # everyone exactly once
    assert sum(d.attempts for d in rows(engine).values()) == 9


def test_554_at_data_fails_that_recipient(tmp_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(data_replies=["554 5.6.0 Message rejected as spam"])
    server = smtp_factory(handler)
    config, engine, issue_id = setup(tmp_path, server)
    run_send(engine, config, start(engine, config, issue_id), utcnow)
    row = rows(engine)["kisi0000@example.org"]
    assert (row.status, row.last_code) == ("failed", 554)
    assert "rejected as spam" in row.last_text
    assert len(server.messages) == 5


def test_no_reply_after_data_is_possibly_sent_and_not_resent(tmp_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(data_delay=0.0)
    server = smtp_factory(handler)
    config, engine, issue_id = setup(tmp_path, server, extra="", n=3)
    config.smtp.timeout_seconds = 0.3
    send_id = start(engine, config, issue_id)
    handler.data_delay = 0.6
    result = run_send(engine, config, send_id, utcnow)
    assert result.progress.possibly_sent >= 1
    with db.session_scope(engine) as s:
        report = ledger.report(s, issue_id)
    assert report["possibly_sent"] and "possibly delivered" in report["possibly_sent"][0]["reason"]
    time.sleep(0.7)  # the slow server did take them: retrying would have sent twice
    rcpts = [r for m in server.messages for r in m.rcpt_tos]
    assert len(rcpts) == len(set(rcpts))


def test_repeated_policy_rejections_pause_the_send(tmp_path: Path, smtp_factory) -> None:
    reply = "550 5.7.1 Message refused: poor reputation"
    handler = ScriptedHandler(data_replies=[reply] * 20)
    server = smtp_factory(handler)
    extra = "policy_failures_to_pause = 3\n"
    config, engine, issue_id = setup(tmp_path, server, extra=extra, n=10)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "paused"
    assert "3 policy rejections (5.7.x) in a row" in result.reason
    with db.session_scope(engine) as s:
        assert s.get(Issue, issue_id).status == "paused"
        counts = ledger.report(s, issue_id)["counts"]
    assert counts["failed"] == 3 and counts["queued"] == 7


def test_dead_server_pauses_with_a_clear_reason(tmp_path: Path) -> None:
    dead = ScriptedServer("127.0.0.1", free_port(), ScriptedHandler())
    config, engine, issue_id = setup(tmp_path, dead)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "paused"
    assert "the mail server is in trouble: 5 connection failures in a row" in result.reason
    assert "cannot connect to 127.0.0.1" in result.reason
    # The rows are queued again, ready for resume, and nobody spent an attempt on the outage.
    assert {(d.status, d.attempts) for d in rows(engine).values()} == {("queued", 0)}


def test_unsubscribe_during_the_send_is_honoured(tmp_path: Path, smtp_factory) -> None:
    holder: dict[str, Engine] = {}

    class Unsubscribing(ScriptedHandler):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            if envelope.rcpt_tos == ["kisi0000@example.org"]:
                with db.session_scope(holder["engine"]) as s:
                    person = subscriptions.find(s, "kisi0004@example.org")
                    subscriptions.unsubscribe(s, SECRET, person.id, None, "test", utcnow())
            return await super().handle_DATA(server, session, envelope)

    server = smtp_factory(Unsubscribing())
    config, engine, issue_id = setup(tmp_path, server)
    holder["engine"] = engine
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.progress.skipped == 1
    assert "kisi0004@example.org" not in [r for m in server.messages for r in m.rcpt_tos]
    row = rows(engine)["kisi0004@example.org"]
    assert (row.status, row.last_text) == ("skipped", "unsubscribed during the send")


def test_rate_per_second_is_respected(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, extra="rate_per_second = 20.0\n", n=8)
    began = time.monotonic()
    run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert time.monotonic() - began >= 7 / 20 - 0.02
    assert len(server.messages) == 8


def test_smtputf8_only_when_offered(tmp_path: Path, smtp_factory) -> None:
    plain = smtp_factory(enable_SMTPUTF8=False)
    config, engine, issue_id = setup(tmp_path, plain, n=2)
    with db.session_scope(engine) as s:
        add_people(s, 1, [("şule@örnek.com.tr", "Şule"), ("ali@örnek.com.tr", "Ali")])
    run_send(engine, config, start(engine, config, issue_id), utcnow)
    row = rows(engine)["şule@örnek.com.tr"]
    assert row.status == "failed"
    assert "needs SMTPUTF8, which 127.0.0.1 does not offer" in row.last_text
    assert ["ali@xn--rnek-4qa.com.tr"] in [m.rcpt_tos for m in plain.messages]


def test_smtputf8_recipient_delivered_when_offered(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, n=1)
    with db.session_scope(engine) as s:
        add_people(s, 1, [("şule@örnek.com.tr", "Şule")])
    run_send(engine, config, start(engine, config, issue_id), utcnow)
    got = next(m for m in server.messages if m.rcpt_tos != ["kisi0000@example.org"])
    assert got.rcpt_tos == ["şule@örnek.com.tr"]
    assert "To: Şule <şule@xn--rnek-4qa.com.tr>".encode() in got.data


def test_verp_envelope_sender(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    extra = 'envelope_sender = "bounces@example.org"\nverp = true\n'
    config, engine, issue_id = setup(tmp_path, server, extra=extra, n=2)
    run_send(engine, config, start(engine, config, issue_id), utcnow)
    by_rcpt = {m.rcpt_tos[0]: m.mail_from for m in server.messages}
    for address, row in rows(engine).items():
        assert message.read_verp(by_rcpt[address], SECRET) == row.id


def test_outbox_is_the_default_transport(tmp_path: Path) -> None:
    config, engine, issue_id = setup(tmp_path, None, n=3)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert result.status == "done"
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3
    tos = sorted(
        str(email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["To"])
        for f in files
    )
    assert tos == sorted(f"{n} <{e}>" for e, n in people(3))


def test_stop_event_leaves_the_send_running_for_later(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server)
    stop = threading.Event()
    stop.set()
    send_id = start(engine, config, issue_id)
    assert run_send(engine, config, send_id, utcnow, stop_event=stop).status == "running"
    assert server.messages == []
    assert run_send(engine, config, send_id, utcnow).status == "done"
    assert len(server.messages) == 6


def test_paused_send_is_not_sent(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server)
    send_id = start(engine, config, issue_id)
    with db.session_scope(engine) as s:
        ledger.pause(s, issue_id, "checking a typo", utcnow())
    result = run_send(engine, config, send_id, utcnow)
    assert (result.status, result.reason) == ("paused", "checking a typo")
    assert server.messages == []


def test_empty_audience_is_refused_before_anything_changes(tmp_path: Path) -> None:
    config, engine, issue_id = setup(tmp_path, None, n=0)
    with pytest.raises(StateError, match="nobody to send to"):
        start(engine, config, issue_id)
    with db.session_scope(engine) as session:
        assert session.get(Issue, issue_id).status == "approved"


def test_dkim_signed_messages_verify(tmp_path: Path, dkim_key) -> None:
    extra = ""
    config, engine, issue_id = setup(tmp_path, None, n=2, extra=extra)
    path = tmp_path / "newsletter.toml"
    path.write_text(
        path.read_text() + '[dkim]\nenabled = true\ndomain = "example.org"\n'
        f'selector = "nl2026"\nkey_file = "{dkim_key.path}"\n'
    )
    config = load_config(path)
    run_send(engine, config, start(engine, config, issue_id), utcnow)

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return dkim_key.dns_record if name == b"nl2026._domainkey.example.org." else None

    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    for f in files:
        data = f.read_bytes()
        signed = data[data.index(b"DKIM-Signature:") :]
        assert dkim.verify(signed, dnsfunc=dns)
        assert not dkim.verify(signed.replace(b"/unsubscribe/", b"/unsubscribX/"), dnsfunc=dns)


def test_rate_limiter_per_second_and_per_hour() -> None:
    now = [1000.0]
    per_second = RateLimiter(4, 0, clock=lambda: now[0])
    assert [per_second.reserve() for _ in range(3)] == [0.0, 0.25, 0.5]
    per_hour = RateLimiter(0, 3, clock=lambda: now[0])
    assert [per_hour.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert per_hour.reserve() == 3600.0  # the fourth waits for the first to leave the hour
    now[0] += 3600.0
    assert per_hour.reserve() == 0.0
    assert RateLimiter(0, 0).reserve() == 0.0


def test_pause_from_elsewhere_stops_a_running_send(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory(ScriptedHandler(data_delay=0.1))
    config, engine, issue_id = setup(tmp_path, server, n=40)
    send_id = start(engine, config, issue_id)
    results = []
    runner = threading.Thread(
        target=lambda: results.append(run_send(engine, config, send_id, utcnow))
    )
    runner.start()
    while len(server.messages) < 3:
        time.sleep(0.01)
    with db.session_scope(engine) as s:  # what `newsletter issues pause` does
        ledger.pause(s, issue_id, "bir yazım hatası", utcnow())
    runner.join(timeout=10)
    assert results and results[0].status == "paused"
    with db.session_scope(engine) as s:
        counts = ledger.status_counts(s, send_id)
    # The run looks at the send's status once a second: about ten messages go meanwhile.
    assert counts["queued"] >= 15 and counts["sending"] == 0, (counts, results)
    assert counts["sent"] == len(server.messages)


def test_rate_per_hour_counts_earlier_sends(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, extra="rate_per_hour = 4\n", n=3)
    assert run_send(engine, config, start(engine, config, issue_id), utcnow).status == "done"
    with db.session_scope(engine) as s:
        second = make_issue(s).id
        add_people(s, 1, people(6)[3:])
    send_id = start(engine, config, second)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    result = run_send(engine, config, send_id, utcnow, stop_event=stop)
    assert result.status == "running" and result.progress.sent == 1  # 3 + 1 = 4 this hour
    assert len(server.messages) == 4


def test_a_header_injection_attempt_fails_only_that_recipient(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, n=3)
    with db.session_scope(engine) as s:
        person = subscriptions.find(s, "kisi0001@example.org")
        person.name = "Mehmet\r\nBcc: herkes@example.org"
        s.add(person)
    result = run_send(engine, config, start(engine, config, issue_id), utcnow)
    assert (result.status, result.progress.sent, result.progress.failed) == ("done", 2, 1)
    row = rows(engine)["kisi0001@example.org"]
    assert row.status == "failed"
    assert row.last_text.startswith("the subscriber's name contains a carriage return (CR)")
    assert all(b"herkes@" not in m.data for m in server.messages)


class ExplodingTransport:
    """A real SMTP transport that raises an error nobody expected on its third message."""

    def __init__(self, inner) -> None:
        self.inner, self.connections, self.calls = inner, inner.connections, 0

    def send(self, envelope_from: str, recipient: str, data: bytes):
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("bağlantı havuzu bozuldu")
        return self.inner.send(envelope_from, recipient, data)

    def close(self) -> None:
        self.inner.close()


def test_an_unexpected_error_in_a_sender_thread_pauses_the_send_and_loses_nobody(
    tmp_path: Path, smtp_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_factory(ScriptedHandler(data_delay=0.02))
    config, engine, issue_id = setup(tmp_path, server, pool=2, n=40)
    send_id = start(engine, config, issue_id)
    monkeypatch.setattr(sender, "make_transport", lambda c: ExplodingTransport(make_transport(c)))
    results: list = []
    runner = threading.Thread(
        target=lambda: results.append(run_send(engine, config, send_id, utcnow))
    )
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive(), "the run hung after a sender thread's error"
    result = results[0]
    assert result.status == "paused"
    assert "internal error: RuntimeError: bağlantı havuzu bozuldu" in result.reason
    found = rows(engine)
    failed = [e for e, d in found.items() if d.status == "failed"]
    assert len(failed) == 1 and "RuntimeError" in found[failed[0]].last_text
    statuses = {d.status for d in found.values()}
    assert "sending" not in statuses and "queued" in statuses  # the rest waits, nobody lost
    with db.session_scope(engine) as s:
        events = s.exec(select(EventLog).where(EventLog.event == "send_error")).all()
        assert [e.issue_id for e in events] == [issue_id]
        assert "bağlantı havuzu bozuldu" in events[0].message
    monkeypatch.undo()
    with db.session_scope(engine) as s:
        ledger.resume(s, issue_id, utcnow())
    assert run_send(engine, config, send_id, utcnow).status == "done"
    got = [r for m in server.messages for r in m.rcpt_tos]
    assert sorted(got) == sorted(e for e, _ in people(40) if e != failed[0])  # each once


def test_each_list_has_its_list_id_and_each_edition_its_view_online_link(
    tmp_path: Path, smtp_factory
) -> None:
    server = smtp_factory()
    config, engine, issue_id = setup(tmp_path, server, n=2)  # two Turkish readers on "genel"
    with db.session_scope(engine) as s:
        partners = make_list(s, "ortaklar")
        add_people(s, partners, [("anna@example.org", "Anna")], language="en")
    send_id = start(engine, config, issue_id, ["genel", "ortaklar"])
    assert run_send(engine, config, send_id, utcnow).status == "done"
    got = {
        m.rcpt_tos[0]: email.message_from_bytes(m.data, policy=email.policy.default)
        for m in server.messages
    }
    english, turkish = got["anna@example.org"], got[people(2)[0][0]]
    assert english["List-Id"].endswith("<ortaklar.lists.example.org>")
    assert turkish["List-Id"].endswith("<genel.lists.example.org>")
    assert english["Subject"] == "November news"
    english_text = english.get_payload()[0].get_content()
    turkish_text = turkish.get_payload()[0].get_content()
    view = f"https://news.example.org/archive/{issue_id}?lang=en&key="
    assert view in english_text  # "view online" opens the reader's edition
    assert f"/archive/{issue_id}?key=" in turkish_text and "lang=" not in turkish_text
