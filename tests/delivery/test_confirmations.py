"""Double opt-in confirmation emails go out through the same transport, with a working link."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from newsletter.audience import lists, subscriptions, tokens
from newsletter.core import db
from newsletter.core.config import load_config
from newsletter.core.models import MailJob, Subscription
from newsletter.delivery import confirmations
from tests.conftest import SECRET, write_config
from tests.plugins.delivery import NOW, ScriptedHandler


def setup(tmp_path: Path, server):
    path = write_config(tmp_path, server.toml())
    path.write_text(path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n'))
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        lists.create(s, "aylik", "Aylık Bülten", NOW, opt_in="double")
        for email_, name, lang in (
            ("zeynep@example.org", "Zeynep", "tr"),
            ("john@example.org", "", "en"),
        ):
            subscriptions.subscribe(
                s,
                SECRET,
                email_,
                name,
                lang,
                ["aylik"],
                "test",
                None,
                None,
                "onay metni",
                "v1",
                NOW,
            )
    return config, engine


def test_sends_confirmation_with_a_working_link(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine = setup(tmp_path, server)
    assert confirmations.send_due(engine, config, NOW) == 2
    assert confirmations.send_due(engine, config, NOW) == 0  # nothing sent twice
    by_to = {m.rcpt_tos[0]: m for m in server.messages}
    msg = email.message_from_bytes(by_to["zeynep@example.org"].data, policy=email.policy.default)
    assert msg["Subject"] == "Lütfen Aylık Bülten aboneliğinizi onaylayın"
    assert msg["List-Unsubscribe"] is None and msg["List-Id"] is None
    text, html = msg.get_payload()
    assert text.get_content().startswith("Merhaba Zeynep,")
    url = next(w for w in text.get_content().split() if "/confirm/" in w)
    assert url.startswith("https://news.example.org/confirm/")
    assert url in html.get_content() or url.replace("&", "&amp;") in html.get_content()
    data = tokens.read(SECRET, "confirm", url.rsplit("/", 1)[1], NOW)
    english = email.message_from_bytes(by_to["john@example.org"].data, policy=email.policy.default)
    assert english["Subject"] == "Please confirm your subscription to Aylık Bülten"
    assert english.get_payload()[0].get_content().startswith("Hello,\r\n")
    with db.session_scope(engine) as s:
        sub = subscriptions.confirm(s, data.subscriber_id, data.list_id, None, None, NOW)
        assert sub.status == "confirmed"
        statuses = {j.status for j in s.exec(select(MailJob)).all()}
    assert statuses == {"sent"}


def test_temporary_failure_is_retried_later(tmp_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(rcpt_replies={"zeynep@example.org": ["451 4.3.0 later"]})
    server = smtp_factory(handler)
    config, engine = setup(tmp_path, server)
    assert confirmations.send_due(engine, config, NOW) == 1
    with db.session_scope(engine) as s:
        job = s.exec(select(MailJob).where(MailJob.status == "queued")).one()
        assert job.attempts == 1 and "451 4.3.0 later" in job.last_error
        assert job.due_at > NOW
    assert confirmations.send_due(engine, config, NOW) == 0  # not due yet
    assert confirmations.send_due(engine, config, NOW + timedelta(hours=1)) == 1
    assert sorted(r for m in server.messages for r in m.rcpt_tos) == [
        "john@example.org",
        "zeynep@example.org",
    ]


def test_job_for_a_confirmed_subscription_is_dropped(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine = setup(tmp_path, server)
    with db.session_scope(engine) as s:
        for sub in s.exec(select(Subscription)).all():
            sub.status = "unsubscribed"
            s.add(sub)
    assert confirmations.send_due(engine, config, NOW) == 0
    assert server.messages == []
    with db.session_scope(engine) as s:
        jobs = s.exec(select(MailJob)).all()
    assert {(j.status, j.last_error) for j in jobs} == {
        ("dropped", "no longer waiting for confirmation")
    }


def test_a_name_with_a_line_break_fails_only_that_job(tmp_path: Path, smtp_factory) -> None:
    server = smtp_factory()
    config, engine = setup(tmp_path, server)
    with db.session_scope(engine) as s:
        person = subscriptions.find(s, "zeynep@example.org")
        person.name = "Zeynep\r\nBcc: everyone@example.org"
        s.add(person)
    assert confirmations.send_due(engine, config, NOW) == 1
    assert [m.rcpt_tos for m in server.messages] == [["john@example.org"]]
    with db.session_scope(engine) as s:
        failed = s.exec(select(MailJob).where(MailJob.status == "failed")).one()
    assert "line breaks are not allowed" in failed.last_error


def test_failures_are_reported_with_their_reasons_until_resolved(
    tmp_path: Path, smtp_factory
) -> None:
    handler = ScriptedHandler(
        rcpt_replies={
            "zeynep@example.org": ["550 5.1.1 Böyle bir kullanıcı yok"],
            "john@example.org": ["451 4.3.0 try later"],
        }
    )
    server = smtp_factory(handler)
    config, engine = setup(tmp_path, server)
    run = confirmations.run_due(engine, config, NOW)
    assert run.sent == 0
    assert [(n.email, n.list_name, n.reason) for n in run.failed] == [
        ("zeynep@example.org", "Aylık Bülten", "550 5.1.1 Böyle bir kullanıcı yok")
    ]
    assert [(n.email, n.reason) for n in run.retrying] == [
        ("john@example.org", "451 4.3.0 try later")
    ]
    with db.session_scope(engine) as s:
        shown = confirmations.failing(s)
    assert shown["queued"] == 1  # john's, waiting for its retry
    found = sorted((f["email"], f["status"], f["attempts"], f["reason"]) for f in shown["failing"])
    assert found == [
        ("john@example.org", "retrying", 1, "451 4.3.0 try later"),
        ("zeynep@example.org", "failed", 1, "550 5.1.1 Böyle bir kullanıcı yok"),
    ]
    # John's retry goes through; Zeynep subscribes again and her new email arrives.
    assert confirmations.run_due(engine, config, NOW + timedelta(hours=1)).sent == 1
    with db.session_scope(engine) as s:
        person = subscriptions.find(s, "zeynep@example.org")
        s.add(MailJob(subscriber_id=person.id, list_id=1, created_at=NOW, due_at=NOW))
    assert confirmations.run_due(engine, config, NOW + timedelta(hours=1)).sent == 1
    with db.session_scope(engine) as s:
        assert confirmations.failing(s) == {"queued": 0, "failing": []}


def test_a_failure_is_no_longer_shown_once_nobody_waits_for_it(
    tmp_path: Path, smtp_factory
) -> None:
    handler = ScriptedHandler(rcpt_replies={"zeynep@example.org": ["550 5.1.1 unknown"]})
    config, engine = setup(tmp_path, smtp_factory(handler))
    assert [n.email for n in confirmations.run_due(engine, config, NOW).failed] == [
        "zeynep@example.org"
    ]
    with db.session_scope(engine) as s:
        assert [f["email"] for f in confirmations.failing(s)["failing"]] == ["zeynep@example.org"]
        for sub in s.exec(select(Subscription)).all():  # she unsubscribed (or an admin did)
            sub.status = "unsubscribed"
            s.add(sub)
    with db.session_scope(engine) as s:
        assert confirmations.failing(s)["failing"] == []


def test_the_confirmation_names_the_list_in_the_readers_language(
    tmp_path: Path, smtp_factory
) -> None:
    server = smtp_factory()
    config, engine = setup(tmp_path, server)
    with db.session_scope(engine) as s:
        lists.translate(s, "aylik", "en", name="Monthly Bulletin")
    assert confirmations.send_due(engine, config, NOW) == 2
    by_to = {m.rcpt_tos[0]: m for m in server.messages}
    english = email.message_from_bytes(by_to["john@example.org"].data, policy=email.policy.default)
    assert english["Subject"] == "Please confirm your subscription to Monthly Bulletin"
    turkish = email.message_from_bytes(
        by_to["zeynep@example.org"].data, policy=email.policy.default
    )
    assert turkish["Subject"] == "Lütfen Aylık Bülten aboneliğinizi onaylayın"
