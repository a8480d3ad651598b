"""The transport interface: outcomes classified, the outbox, the transport factory."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.delivery.outbox_transport import OutboxTransport
from newsletter.delivery.smtp_transport import SmtpTransport
from newsletter.delivery.transport import classify
from newsletter.delivery.transport_factory import make_transport
from tests.conftest import write_config


@pytest.mark.parametrize(
    ("code", "text", "status", "hard", "policy", "conn"),
    [
        (250, "2.0.0 OK", "sent", False, False, False),
        (451, "4.3.0 Try later", "temporary", False, False, False),
        (421, "4.3.2 Shutting down", "temporary", False, False, True),
        (550, "5.1.1 No such user", "permanent", True, False, False),
        (550, "5.7.1 Refused by policy", "permanent", False, True, False),
        (554, "Transaction failed", "permanent", False, False, False),
    ],
)
def test_classify(code, text, status, hard, policy, conn) -> None:
    outcome = classify(code, text)
    assert (outcome.status, outcome.hard_bounce, outcome.policy_rejection) == (
        status,
        hard,
        policy,
    )
    assert outcome.connection_failed is conn
    assert outcome.describe() == f"{code} {text}"


def test_outbox_writes_complete_messages(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "out")
    data = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: =?utf-8?q?=C3=87ay?=\r\n"
    data += b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Gövde\r\n".encode()
    assert outbox.send("a@example.org", "b@example.org", data).ok
    assert outbox.send("a@example.org", "c@example.org", data).ok
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "out").glob("*.tmp"))
    msg = email.message_from_bytes(files[1].read_bytes(), policy=email.policy.default)
    assert msg["X-Envelope-To"] == "<c@example.org>" and msg["Return-Path"] == "<a@example.org>"
    assert msg.get_content() == "Gövde\r\n"


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        ("a@example.org", "b@example.org>\r\nBcc: c@example.org"),
        ("a@example.org\nX-Injected: 1", "b@example.org"),
        ("a@example.org", "nobody"),
    ],
)
def test_outbox_refuses_addresses_that_would_add_header_lines(
    tmp_path: Path, sender: str, recipient: str
) -> None:
    outcome = OutboxTransport(tmp_path / "out").send(sender, recipient, b"Subject: x\r\n\r\nx")
    assert outcome.status == "permanent" and "not a usable address" in outcome.text
    assert list((tmp_path / "out").iterdir()) == []


def test_outbox_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="sending.outbox_dir: cannot create"):
        OutboxTransport(tmp_path / "file" / "out")


def test_make_transport(tmp_path: Path) -> None:
    outbox = make_transport(load_config(write_config(tmp_path)))
    assert isinstance(outbox, OutboxTransport) and outbox.folder == tmp_path / "outbox"
    smtp_cfg = write_config(tmp_path, '[smtp]\nhost = "mail.example.org"\nport = 465\n')
    text = smtp_cfg.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n')
    smtp_cfg.write_text(
        text.replace("port = 465\n", 'port = 465\nsecurity = "tls"\npool_size = 4\n')
    )
    smtp = make_transport(load_config(smtp_cfg))
    assert isinstance(smtp, SmtpTransport)
    assert (smtp.settings.host, smtp.settings.security, smtp.connections) == (
        "mail.example.org",
        "tls",
        4,
    )
    assert smtp.settings.timeout == 30.0


def test_smtp_password_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    path = write_config(tmp_path, '[smtp]\nusername = "bulten"\n')
    path.write_text(path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n'))
    with pytest.raises(UserError, match="NEWSLETTER_SMTP_PASSWORD"):
        make_transport(load_config(path))
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", "parola")
    assert make_transport(load_config(path)).settings.password == "parola"
