"""`newsletter bounces import|list` end to end: a real send to the outbox with VERP on, reports
in the shapes Postfix, Exim, Gmail and Microsoft write, an ARF complaint, and one for nobody."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsletter.audience import suppression
from newsletter.core import db
from tests.conftest import SECRET
from tests.delivery.test_bounces_parse import FIXTURES
from tests.plugins.delivery import add_people, make_issue, make_list, people


@pytest.fixture
def sent(cli, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """Six people sent the issue with VERP on: address -> the envelope sender and Message-ID."""
    monkeypatch.setenv("NEWSLETTER_SENDING_VERP", "true")
    with db.session_scope(engine) as s:
        issue = make_issue(s)
        add_people(s, make_list(s, "genel"), people(6))
        issue_id = issue.id
    result = cli("issues", "send", str(issue_id), "--list", "genel", "--yes")
    assert result.exit_code == 0, result.stderr
    found = {}
    for path in (tmp_path / "outbox").glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        rcpt = msg["X-Envelope-To"].strip("<>")
        found[rcpt] = {"verp": msg["Return-Path"].strip("<>"), "mid": msg["Message-ID"]}
    assert len(found) == 6 and all("+" in v["verp"] for v in found.values())
    return found


def write(folder: Path, name: str, fixture: str, rcpt: str, out: dict, ident: str = "1",
          date: str = "Tue, 24 Nov 2026 09:02:11 +0300") -> Path:  # fmt: skip
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    for mark, value in (("{{VERP}}", out.get("verp", "news@example.org")), ("{{RCPT}}", rcpt),
                        ("{{MSGID}}", out.get("mid", "<x@y.example>")), ("{{ID}}", ident),
                        ("{{DATE}}", date)):  # fmt: skip
        text = text.replace(mark, value)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.replace("\n", "\r\n").encode())
    return path


def show(cli, address: str) -> dict:
    result = cli("subscribers", "show", address, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def imported(cli, *paths: Path) -> dict:
    result = cli("bounces", "import", *map(str, paths), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_import_matches_applies_rules_and_is_idempotent(cli, sent, engine, tmp_path) -> None:
    k = [f"kisi{i:04d}@example.org" for i in range(6)]
    box = tmp_path / "Bounces"
    (box / "tmp").mkdir(parents=True)
    # The reported addresses are forwarded aliases: only the VERP address or the Message-ID can
    # place these two reports.
    write(box / "new", "1.postfix", "postfix-hard.eml", "old-alias@partner.example", sent[k[0]])
    write(box / "cur", "2.gmail:2,S", "gmail-hard.eml", "k1@gmail.example", sent[k[1]])
    write(box / "new", "3.exim", "exim-soft.eml", k[2], {}, "101", "Mon, 23 Nov 2026 09:00 +0300")
    write(box / "new", "4.exim", "exim-soft.eml", k[2], {}, "102", "Tue, 24 Nov 2026 09:00 +0300")
    loose = tmp_path / "loose"
    ms = write(loose, "ms.eml", "microsoft-soft.eml", k[3], sent[k[3]])
    arf = write(loose, "arf.eml", "arf-complaint.eml", k[4], sent[k[4]])
    nobody = write(loose, "nobody.eml", "unmatched.eml", "", {})
    nobody.write_bytes((FIXTURES / "unmatched.eml").read_bytes())

    first = imported(cli, box, ms, arf, nobody)
    assert first["files"] == 7
    by = {r["recipient"]: r for r in first["results"]}
    assert [r["status"] for r in first["results"]].count("recorded") == 6
    assert by["nobody@elsewhere.example"]["status"] == "unmatched"
    assert (by["old-alias@partner.example"]["matched_by"], by["old-alias@partner.example"]
            ["subscriber"]) == ("verp", k[0])  # fmt: skip
    assert (by["k1@gmail.example"]["matched_by"], by["k1@gmail.example"]["subscriber"]) == (
        "message_id", k[1],
    )  # fmt: skip
    assert by[k[3]]["matched_by"] == "message_id" and by[k[4]]["matched_by"] == "message_id"
    assert {r["matched_by"] for r in first["results"] if r["recipient"] == k[2]} == {"recipient"}

    # Hard bounces: bounced and suppressed at once; two soft ones of three: still mailed.
    statuses = {a: show(cli, a)["status"] for a in k}
    assert statuses == {k[0]: "bounced", k[1]: "bounced", k[2]: "active", k[3]: "active",
                        k[4]: "complained", k[5]: "active"}  # fmt: skip
    assert show(cli, k[4])["lists"] == {"genel": "unsubscribed"}
    assert show(cli, k[0])["lists"] == {"genel": "confirmed"}
    assert [e["effect"] for e in show(cli, k[2])["bounces"]] == ["soft 1 of 3", "soft 2 of 3"]
    event = show(cli, k[0])["bounces"][0]
    assert (event["kind"], event["code"], event["action"], event["source"]) == (
        "hard", "5.1.1", "failed", str(box / "new" / "1.postfix"),
    )  # fmt: skip
    assert "User unknown in virtual mailbox table" in event["text"]
    assert event["delivery_id"] is not None and event["issue_id"] == 1

    def reasons() -> dict[str, str | None]:
        with db.session_scope(engine) as s:
            return {a: getattr(suppression.find(s, SECRET, a), "reason", None) for a in k}

    assert reasons() == {k[0]: "hard_bounce", k[1]: "hard_bounce", k[2]: None, k[3]: None,
                         k[4]: "complaint", k[5]: None}  # fmt: skip

    # The same files again (and the maildir moved from new/ to cur/): nothing new.
    (box / "new" / "1.postfix").rename(box / "cur" / "1.postfix:2,S")
    again = imported(cli, box, ms, arf, nobody)
    assert {r["status"] for r in again["results"]} == {"already imported"}
    assert len(again["results"]) == 7
    listed = json.loads(cli("bounces", "list", "--json").stdout)
    assert len(listed) == 6
    unmatched = json.loads(cli("bounces", "list", "--unmatched", "--json").stdout)
    assert [(u["recipient"], u["kind"], u["code"]) for u in unmatched] == [
        ("nobody@elsewhere.example", "hard", "5.1.1"),
    ]  # fmt: skip

    # A third soft bounce within 30 days reaches the threshold.
    third = write(loose, "5.exim", "exim-soft.eml", k[2], {}, "103", "Wed, 25 Nov 2026 09:00 +0300")
    result = imported(cli, third)["results"]
    assert [r["effect"] for r in result] == [
        "bounced, suppressed (3 soft bounce(s) within 30 days)"
    ]
    assert show(cli, k[2])["status"] == "bounced" and reasons()[k[2]] == "hard_bounce"


def test_human_output_and_a_message_that_is_no_report(cli, sent, tmp_path) -> None:
    note = tmp_path / "thanks.eml"
    note.write_bytes(
        b"From: a@example.org\r\nTo: news@example.org\r\nSubject: Thanks\r\n\r\nHi\r\n"
    )
    hard = write(tmp_path, "p.eml", "postfix-hard.eml", "kisi0000@example.org",
                 sent["kisi0000@example.org"])  # fmt: skip
    out = cli("bounces", "import", str(hard), str(note)).stdout
    assert "kisi0000@example.org (by verp): bounced, suppressed" in out
    assert out.strip().endswith("2 file(s): 1 recorded, 1 unmatched, 0 already imported")
    kept = json.loads(cli("bounces", "list", "--unmatched", "--json").stdout)
    assert [(u["kind"], u["text"]) for u in kept] == [("unknown", "Thanks")]
    assert "kisi0000@example.org: bounced, suppressed" in cli("bounces", "list").stdout


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda p: p / "missing.eml", "missing.eml: no such file or folder"),
        (lambda p: (p / "plain").mkdir() or p / "plain", "a folder must be a maildir"),
    ],
)
def test_bad_paths(cli, tmp_path, make, error) -> None:
    result = cli("bounces", "import", str(make(tmp_path)))
    assert result.exit_code == 1 and error in result.stderr
