"""`newsletter issues send|pause|resume|cancel|retry-failed|report|test`, `confirmations send`."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.audience import lists, subscriptions
from newsletter.compose import issues, placements
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.config import load_config
from newsletter.core.models import Delivery, IssueSnapshot, Send
from newsletter.delivery import composer, ledger
from newsletter.delivery.send_settings import message_settings
from newsletter.library import blocks
from tests.conftest import SECRET
from tests.plugins.delivery import (
    NOW,
    ScriptedHandler,
    ScriptedServer,
    add_people,
    make_issue,
    make_list,
    people,
)
from tests.plugins.scheduling import make_ready_issue
from tests.plugins.smtp import free_port


@pytest.fixture
def issue_id(engine: Engine) -> int:
    with db.session_scope(engine) as s:
        issue = make_issue(s)
        add_people(s, make_list(s, "genel"), people(6))
        return issue.id or 0


def use_smtp(config_path: Path, server, extra: str = "") -> None:
    text = config_path.read_text().replace(
        "[sending]\n", '[sending]\ntransport = "smtp"\nretry_base_seconds = 0.01\n' + extra
    )
    config_path.write_text(text + server.toml())


def outbox(tmp_path: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted((tmp_path / "outbox").glob("*.eml"))
    ]


def test_send_with_yes_then_report(cli, issue_id: int, tmp_path: Path) -> None:
    result = cli("issues", "send", str(issue_id), "--list", "genel", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "to genel: 6 recipients" in result.stdout
    assert "Sent 6, failed 0, skipped 0, possibly sent 0" in result.stdout
    assert len(outbox(tmp_path)) == 6
    report = json.loads(cli("issues", "report", str(issue_id), "--json").stdout)
    assert report["counts"]["sent"] == 6 and report["status"] == "done"
    human = cli("issues", "report", str(issue_id)).stdout
    assert "sent" in human and "6" in human and "(done)" in human


def test_send_asks_first(cli, issue_id: int, engine: Engine) -> None:
    refused = cli("issues", "send", str(issue_id), "-l", "genel", input="n\n")
    assert refused.exit_code == 1
    assert "Error: not sent (answer y, or pass --yes)" in refused.stderr
    with db.session_scope(engine) as s:
        assert s.exec(select(Send)).all() == []
    accepted = cli("issues", "send", str(issue_id), "-l", "genel", input="y\n")
    assert accepted.exit_code == 0 and "Sent 6" in accepted.stdout


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["issues", "send", "{id}", "--list", "yok", "--yes"], "no list with slug 'yok'"),
        (["issues", "send", "999", "--list", "genel", "--yes"], "no issue with id 999"),
        (["issues", "pause", "{id}"], "has never been sent"),
        (["issues", "resume", "{id}"], "has never been sent"),
        (["issues", "report", "{id}"], "has never been sent"),
        (["issues", "test", "{id}", "--to", "not an address"], "invalid email address"),
    ],
)
def test_bad_input(cli, issue_id: int, args: list[str], error: str) -> None:
    result = cli(*[a.format(id=issue_id) for a in args])
    assert result.exit_code == 1 and error in result.stderr
    assert result.stderr.startswith("Error: ")


@pytest.mark.parametrize(
    ("sending", "tail", "error"),
    [
        ("", '[dkim]\nenabled = true\ndomain = "example.org"\nselector = "s1"\n'
         'key_file = "missing.pem"\n', "dkim.key_file: cannot read"),
        ('envelope_sender = "bounces@exa mple.org"\n', "",
         "sending.envelope_sender: not an email address: 'bounces@exa mple.org'"),
        ("batch_size = 0\n", "", "key 'sending.batch_size': Input should be greater than 0"),
        ("rate_per_second = -1\n", "", "key 'sending.rate_per_second'"),
        ("", "[smtp]\npool_size = 0\n", "key 'smtp.pool_size'"),
        ("", "[smtp]\nport = 70000\n", "key 'smtp.port'"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_before_any_row(
    cli, issue_id: int, config_path: Path, engine: Engine, sending: str, tail: str, error: str
) -> None:
    text = config_path.read_text().replace("[sending]\n", "[sending]\n" + sending)
    config_path.write_text(text + tail)
    result = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert result.exit_code == 1 and error in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    with db.session_scope(engine) as s:
        assert s.exec(select(Send)).all() == [] and s.exec(select(Delivery)).all() == []


def test_pause_resume_cancel(cli, issue_id: int, engine: Engine, tmp_path: Path) -> None:
    with db.session_scope(engine) as s:
        ledger.start_send(s, issue_id, ["genel"], utcnow(), _config(cli, tmp_path))
    paused = cli("issues", "pause", str(issue_id), "--reason", "yanlış bağlantı")
    assert paused.exit_code == 0 and "paused: yanlış bağlantı" in paused.stdout
    assert "Paused: yanlış bağlantı" in cli("issues", "report", str(issue_id)).stdout
    again = cli("issues", "pause", str(issue_id))
    assert again.exit_code == 1 and "is paused, not running" in again.stderr
    resumed = cli("issues", "resume", str(issue_id))
    assert resumed.exit_code == 0 and "Sent 6" in resumed.stdout
    done = cli("issues", "cancel", str(issue_id), "--yes")
    assert done.exit_code == 1 and "is done: cannot cancel" in done.stderr


def _config(cli, tmp_path: Path):
    return load_config(tmp_path / "newsletter.toml")


def test_cancel_skips_the_rest(cli, issue_id: int, engine: Engine, tmp_path: Path) -> None:
    with db.session_scope(engine) as s:
        ledger.start_send(s, issue_id, ["genel"], utcnow(), _config(cli, tmp_path))
    assert cli("issues", "pause", str(issue_id), "--reason", "yanlış liste").exit_code == 0
    result = cli("issues", "cancel", str(issue_id), "--yes")
    assert result.exit_code == 0 and "6 recipients skipped" in result.stdout
    report = cli("issues", "report", str(issue_id)).stdout
    assert "(cancelled)" in report and "Paused" not in report  # no longer paused
    assert (
        json.loads(cli("issues", "report", str(issue_id), "--json").stdout)["counts"]["skipped"]
        == 6
    )
    assert outbox(tmp_path) == []


def test_retry_failed_over_smtp(cli, issue_id: int, config_path: Path, smtp_factory) -> None:
    handler = ScriptedHandler(data_replies=["250 ok", "554 5.6.0 rejected"])
    server = smtp_factory(handler)
    use_smtp(config_path, server)
    first = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert first.exit_code == 4  # finished, with a failure: scripts can tell
    assert "Sent 5, failed 1" in first.stdout
    assert "See who failed and why" in first.stdout
    report = cli("issues", "report", str(issue_id)).stdout
    assert "kisi0001@example.org  554  5.6.0 rejected" in report
    again = cli("issues", "retry-failed", str(issue_id))
    assert again.exit_code == 0, again.stderr
    assert "1 failed recipients queued again." in again.stdout and "Sent 1" in again.stdout
    assert sorted(r for m in server.messages for r in m.rcpt_tos) == [p[0] for p in people(6)]


def test_paused_by_the_server_says_why(cli, issue_id: int, config_path: Path, smtp_factory):
    handler = ScriptedHandler(data_replies=["550 5.7.1 blocked"] * 10)
    use_smtp(config_path, smtp_factory(handler), "policy_failures_to_pause = 2\n")
    result = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert result.exit_code == 3  # paused
    assert "Paused: 2 policy rejections (5.7.x) in a row, last: 550 5.7.1 blocked" in result.stdout
    assert "newsletter issues resume" in result.stdout


def test_proofs_are_marked_and_stay_out_of_the_ledger(
    cli, issue_id: int, engine: Engine, tmp_path: Path
) -> None:
    result = cli(
        "issues",
        "test",
        str(issue_id),
        "--to",
        "editor@example.org",
        "--to",
        "Yazı.İşleri@Örnek.com.tr",
    )
    assert result.exit_code == 0, result.stderr
    proofs = outbox(tmp_path)
    assert len(proofs) == 2
    assert all(p["Subject"].startswith("[TEST] ") for p in proofs)
    assert all(p["X-Newsletter-Test"] for p in proofs)
    assert all(p["List-Unsubscribe"] is None for p in proofs)
    with db.session_scope(engine) as s:
        assert s.exec(select(Delivery)).all() == [] and s.exec(select(Send)).all() == []


def test_confirmations_send(cli, engine: Engine, tmp_path: Path) -> None:
    with db.session_scope(engine) as s:
        lists.create(s, "onayli", "Onaylı Liste", NOW, opt_in="double")
        subscriptions.subscribe(
            s,
            SECRET,
            "deniz@example.org",
            "Deniz",
            "tr",
            ["onayli"],
            "test",
            None,
            None,
            "metin",
            "v1",
            utcnow(),
        )
    result = cli("confirmations", "send")
    assert result.exit_code == 0 and "1 confirmation email(s) sent." in result.stdout
    assert "/confirm/" in outbox(tmp_path)[0].get_payload()[0].get_content()


@pytest.mark.parametrize(
    "command", ["send", "pause", "resume", "cancel", "retry-failed", "report", "test"]
)
def test_help_reads_well(cli, command: str) -> None:
    result = cli("issues", command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_a_rendered_issue_end_to_end(cli, engine: Engine, tmp_path: Path) -> None:
    """Blocks → issue → render → proof and send: real templates, real personal parts."""
    config = load_config(tmp_path / "newsletter.toml")
    with db.session_scope(engine) as s:
        ids = [
            blocks.create(
                s,
                config.library,
                {
                    "title": f"{place}’da yeni toplum merkezi",
                    "body": f"{place} ekibi çalışıyor.",
                    "status": "ready",
                    "language": "tr",
                    "event_date": date(2026, 11, 3),
                },
                NOW,
            ).id
            for place in ("Hatay", "Gaziantep", "İzmir")
        ]
        issue = issues.create(
            s, config, title="Kasım", now=NOW, language="tr", subject="Kasım: sahadan haberler"
        )
        placements.add_blocks(s, config, issue.id, ids, "test", NOW)
        issues.transition(s, issue.id, "in_review", "test", NOW)
        issues.transition(s, issue.id, "approved", "test", NOW)
        add_people(s, make_list(s, "genel"), people(3))
        issue_id = issue.id
    proof = cli("issues", "test", str(issue_id), "--to", "editor@example.org")
    assert proof.exit_code == 0, proof.stderr
    sent = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert sent.exit_code == 0 and "Sent 3" in sent.stdout, sent.stderr
    messages = outbox(tmp_path)
    proofs = [m for m in messages if m["X-Newsletter-Test"]]
    assert [p["Subject"] for p in proofs] == ["[TEST] Kasım: sahadan haberler"]
    for msg in (m for m in messages if not m["X-Newsletter-Test"]):
        to = msg["To"].addresses[0].addr_spec
        text, html = (p.get_content() for p in msg.get_payload())
        link = msg["List-Unsubscribe"].strip("<>")
        for part in (text, html):
            assert "Hatay’da yeni toplum merkezi" in part and "İzmir" in part
            assert link in part and to in part
            assert [other for other, _ in people(3) if other != to and other in part] == []
    with db.session_scope(engine) as s:
        snaps = issues.snapshots(s, issue_id)
    settings = message_settings(config)
    bodies = composer.Composer(settings, issue_id, snaps, "tr").parts["tr"][1]
    bodies.encode(
        composer.personalise.PersonalFields(
            "Ayşe", "a@example.org", "https://x/u", "https://x/p", "https://x/a"
        )
    )
    assert None not in bodies.variants.values(), "fast body path not used for this template"


def test_proof_in_another_language(cli, issue_id: int, tmp_path: Path) -> None:
    english = cli("issues", "test", str(issue_id), "--to", "editor@example.org", "--language", "en")
    assert english.exit_code == 0, english.stderr
    assert outbox(tmp_path)[0]["Subject"] == "[TEST] November news"
    missing = cli("issues", "test", str(issue_id), "--to", "editor@example.org", "--language", "fr")
    assert missing.exit_code == 1 and "has no 'fr' edition" in missing.stderr


def test_lists_given_with_commas(cli, issue_id: int, engine: Engine) -> None:
    with db.session_scope(engine) as s:
        add_people(s, make_list(s, "ankara"), [("yeni@example.org", "Yeni")])
    result = cli("issues", "send", str(issue_id), "--list", "genel,ankara", "--yes")
    assert result.exit_code == 0 and "to genel, ankara: 7 recipients" in result.stdout


def test_report_covers_every_send_of_the_issue(
    cli, issue_id: int, engine: Engine, config_path: Path, smtp_factory
) -> None:
    # The first send fails for everyone (the issue becomes "failed" and may be sent again);
    # the second reaches a new list, where one more address is refused.
    handler = ScriptedHandler(
        data_replies=["554 5.6.0 İleti biçimi reddedildi"] * 6,
        rcpt_replies={"yeni0001@example.org": ["550 5.1.1 Böyle bir kullanıcı yok"]},
    )
    use_smtp(config_path, smtp_factory(handler))
    assert "failed 6" in cli("issues", "send", str(issue_id), "-l", "genel", "--yes").stdout
    with db.session_scope(engine) as s:  # three new people and one already tried
        add_people(s, make_list(s, "ortaklar"), people(3, prefix="yeni") + [people(1)[0]])
    later = cli("issues", "send", str(issue_id), "-l", "ortaklar", "--yes")
    assert later.exit_code == 4, later.stderr  # finished, one refused
    assert "3 recipients" in later.stdout and "1 already sent" in later.stdout
    data = json.loads(cli("issues", "report", str(issue_id), "--json").stdout)
    assert data["total"] == 9 and data["counts"]["sent"] == 2 and data["counts"]["failed"] == 7
    assert [(s["send_id"], s["total"], s["counts"]["failed"]) for s in data["sends"]] == [
        (1, 6, 6),
        (2, 3, 1),
    ]
    assert data["lists"] == ["genel", "ortaklar"] and data["send_id"] == 2
    failed = [(f["email"], f["code"], f["send_id"]) for f in data["failed"]]
    assert failed[0] == ("kisi0000@example.org", 554, 1)
    assert failed[-1] == ("yeni0001@example.org", 550, 2) and len(failed) == 7
    human = cli("issues", "report", str(issue_id)).stdout
    assert "Issue 1: 2 sends, 9 recipients" in human
    assert "send 1 (failed) to genel: 6 recipients, 0 sent, 6 failed" in human  # nobody got it
    assert "kisi0005@example.org  554  5.6.0 İleti biçimi reddedildi  (send 1)" in human
    assert "yeni0001@example.org  550  5.1.1 Böyle bir kullanıcı yok  (send 2)" in human


def test_an_http_public_url_is_warned_about_before_an_smtp_send(
    cli, issue_id: int, config_path: Path, smtp_factory
) -> None:
    server = smtp_factory(ScriptedHandler())
    use_smtp(config_path, server)
    https = cli("issues", "send", str(issue_id), "-l", "genel", input="n\n")
    assert https.exit_code == 1 and "Warning" not in https.stderr
    # Plain http loads only for this machine (testing): the send still warns about it.
    text = config_path.read_text().replace("https://news.example.org", "http://127.0.0.1:8000")
    config_path.write_text(text)
    http = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert http.exit_code == 0 and "Sent 6" in http.stdout
    assert "Warning: public.base_url is 'http://127.0.0.1:8000': one-click" in http.stderr
    unsubscribe = server.messages[-1].message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/unsubscribe/")


def test_failed_confirmations_exit_non_zero_and_show_in_status(
    cli, engine: Engine, config_path: Path, smtp_factory
) -> None:
    handler = ScriptedHandler(rcpt_replies={"deniz@example.org": ["550 5.1.1 Böyle biri yok"]})
    use_smtp(config_path, smtp_factory(handler))
    with db.session_scope(engine) as s:
        lists.create(s, "onayli", "Onaylı Liste", NOW, opt_in="double")
        for address in ("deniz@example.org", "ece@example.org"):
            subscriptions.subscribe(s, SECRET, address, "", "tr", ["onayli"], "test", None, None,
                                    "metin", "v1", utcnow())  # fmt: skip
    result = cli("confirmations", "send")
    assert result.exit_code == 1
    assert "1 confirmation email(s) sent." in result.stdout
    assert "deniz@example.org (Onaylı Liste): FAILED: 550 5.1.1 Böyle biri yok" in result.stdout
    assert result.stderr == (
        "Error: 1 confirmation email(s) failed and 0 will be retried (see 'newsletter status')\n"
    )
    shown = json.loads(cli("status", "--json").stdout)["confirmations"]
    assert [(f["email"], f["status"], f["reason"]) for f in shown["failing"]] == [
        ("deniz@example.org", "failed", "550 5.1.1 Böyle biri yok")
    ]
    text = cli("status").stdout
    assert (
        "Confirmation emails not sent (1):\n"
        "  deniz@example.org (Onaylı Liste): failed after 1 attempt: 550 5.1.1 Böyle biri yok"
    ) in text
    again = cli("confirmations", "send")  # nothing left to send: nothing failed this time
    assert again.exit_code == 0 and "0 confirmation email(s) sent." in again.stdout


def test_whom_a_cancelled_send_never_reached_get_the_issue_later_once(
    cli, engine: Engine, config, config_path: Path, smtp_factory
) -> None:
    ready = make_ready_issue(engine, config, recipients=6)
    issue = str(ready.issue_id)
    # Two go out, the next two are refused by policy (the send pauses), two are never tried.
    handler = ScriptedHandler(data_replies=["250 ok", "250 ok"] + ["550 5.7.1 blocked"] * 2)
    server = smtp_factory(handler)
    use_smtp(config_path, server, "policy_failures_to_pause = 2\n")
    first = cli("issues", "send", issue, "-l", ready.list_slug, "--yes")
    assert "Sent 2, failed 2" in first.stdout and "Paused: 2 policy rejections" in first.stdout
    cancelled = cli("issues", "cancel", issue, "--yes")
    assert "2 recipients skipped" in cancelled.stdout
    assert "can still get the issue in a later send" in cancelled.stdout
    refused = cli("issues", "send", issue, "-l", ready.list_slug, "--yes")
    assert refused.exit_code == 1 and "was cancelled: to send it after all" in refused.stderr
    # The officer fixes what made them cancel, and the issue goes through review again.
    for step in (["edit", issue, "--subject", "Kasım’da sahadan haberler (düzeltildi)"],
                 ["submit", issue], ["approve", issue]):  # fmt: skip
        done = cli("issues", *step)
        assert done.exit_code == 0, done.stderr
    again = cli("issues", "send", issue, "-l", ready.list_slug, "--yes")
    assert again.exit_code == 0, again.stderr
    assert "2 recipients" in again.stdout and "4 already sent are left out" in again.stdout
    assert "2 of them were not reached by a cancelled send." in again.stdout
    assert "Sent 2, failed 0" in again.stdout
    received = [r for m in server.messages for r in m.rcpt_tos]
    assert len(received) == len(set(received)) == 4  # nobody twice
    refused_by_policy = {ready.emails[2], ready.emails[3]}
    assert set(received) == set(ready.emails) - refused_by_policy
    later = [m.message["Subject"] for m in server.messages[2:]]
    assert later == ["Kasım’da sahadan haberler (düzeltildi)"] * 2
    data = json.loads(cli("issues", "report", issue, "--json").stdout)
    assert (data["total"], data["counts"]["sent"], data["counts"]["failed"]) == (6, 4, 2)
    assert data["counts"]["skipped"] == 0 and data["status"] == "done"
    assert [(s["status"], s["total"]) for s in data["sends"]] == [("cancelled", 4), ("done", 2)]


def test_a_subject_no_message_can_carry_refuses_the_send_in_one_line(
    cli, issue_id: int, engine: Engine, tmp_path: Path
) -> None:
    with db.session_scope(engine) as s:  # slipped into the database around the checks
        snap = s.exec(select(IssueSnapshot).where(IssueSnapshot.language == "tr")).one()
        snap.subject = "Kasım\r\nBcc: herkes@example.org"
        s.add(snap)
    result = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: issue {issue_id} subject (tr edition) contains a carriage return (CR): "
        "write it on one line without control characters\n"
    )
    with db.session_scope(engine) as s:
        assert s.exec(select(Send)).all() == [] and s.exec(select(Delivery)).all() == []
    assert outbox(tmp_path) == []


def test_exit_codes_and_requeue_of_possibly_sent(
    cli, issue_id: int, config_path: Path, engine: Engine, fault_server
) -> None:
    """A server sitting on every message: the send pauses (exit 3) with the possibly-sent
    count shown; once it recovers, resume finishes with those left (exit 4); requeueing them
    says they may arrive twice, asks, and then everyone has it once (exit 0)."""
    text = config_path.read_text().replace(
        "[sending]\n",
        '[sending]\ntransport = "smtp"\nretry_base_seconds = 0.01\nbreaker_failures = 2\n',
    )
    config_path.write_text(text + fault_server.config_toml() + "timeout_seconds = 0.4\n")
    fault_server.handler.hang_data = 2.0
    paused = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert paused.exit_code == 3, paused.stdout + paused.stderr
    assert "Paused: the mail server is in trouble: 2 messages without a reply" in paused.stdout
    assert "2 possibly sent (no reply after the data)" in paused.stdout
    report = cli("issues", "report", str(issue_id)).stdout
    assert "POSSIBLY SENT: 2" in report and "Last error: circuit breaker trip 1" in report
    status = cli("status").stdout
    assert "2 POSSIBLY SENT" in status and "send_paused" in status

    fault_server.handler.hang_data = 0.0
    resumed = cli("issues", "resume", str(issue_id))
    assert resumed.exit_code == 4 and "Sent 4" in resumed.stdout, resumed.stdout
    refused = cli("issues", "requeue-possibly-sent", str(issue_id), input="n\n")
    assert refused.exit_code == 1 and "MAY GET THE ISSUE TWICE" in refused.stdout
    assert "not requeued" in refused.stderr
    young = cli("issues", "requeue-possibly-sent", str(issue_id), "--older-than", "60", "--yes")
    assert young.exit_code == 0 and "no possibly-sent recipients" in young.stdout
    again = cli("issues", "requeue-possibly-sent", str(issue_id), "--yes")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert "2 possibly-sent recipients queued again." in again.stdout and "Sent 2" in again.stdout
    got = sorted(r for m in fault_server.messages for r in m.rcpt_tos)
    assert got == [p[0] for p in people(6)]  # the server sat on the first two: none arrived


def test_a_dead_server_exits_3(cli, issue_id: int, config_path: Path) -> None:
    dead = ScriptedServer("127.0.0.1", free_port(), ScriptedHandler())
    use_smtp(config_path, dead)
    result = cli("issues", "send", str(issue_id), "-l", "genel", "--yes")
    assert result.exit_code == 3 and "Paused: the mail server is in trouble" in result.stdout
