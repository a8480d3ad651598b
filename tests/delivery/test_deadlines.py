"""Total deadlines on SMTP replies and messages, closing connections in flight, TLS hints."""

from __future__ import annotations

import ssl
import subprocess
import threading
import time

from newsletter.delivery.smtp_transport import SmtpSettings, SmtpTransport, tls_hint
from tests.delivery.test_smtp_transport import MESSAGE, server_context


def trickle_transport(port: int, **kw) -> SmtpTransport:
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "pool_size": 1} | kw
    return SmtpTransport(SmtpSettings(**settings))


def test_a_trickled_greeting_is_bounded_by_the_reply_deadline(trickle_server) -> None:
    server = trickle_server("greeting", gap=0.2)  # each byte well inside a per-read timeout
    t = trickle_transport(server.port, timeout=1.0)
    began = time.monotonic()
    outcome = t.send("haber@example.org", "ayse@example.org", MESSAGE)
    took = time.monotonic() - began
    assert 0.9 < took < 2.0, took
    assert outcome.status == "temporary" and outcome.connection_failed
    assert "no complete reply within 1s" in outcome.text


def test_a_trickled_reply_after_data_is_possibly_sent_within_the_deadline(trickle_server):
    server = trickle_server("data", gap=0.2)
    t = trickle_transport(server.port, timeout=1.0)
    began = time.monotonic()
    outcome = t.send("haber@example.org", "ayse@example.org", MESSAGE)
    assert time.monotonic() - began < 2.0
    assert outcome.status == "unknown" and "possibly delivered" in outcome.text


def test_the_message_deadline_bounds_the_whole_transaction(trickle_server) -> None:
    server = trickle_server("data", gap=0.2)
    t = trickle_transport(server.port, timeout=5.0, message_deadline=0.8)
    began = time.monotonic()
    outcome = t.send("haber@example.org", "ayse@example.org", MESSAGE)
    assert time.monotonic() - began < 1.8
    assert outcome.status == "unknown"


def test_abort_ends_a_message_in_flight_at_once(trickle_server) -> None:
    server = trickle_server("data", gap=0.5)
    t = trickle_transport(server.port, timeout=30.0)
    found = []
    sender = threading.Thread(
        target=lambda: found.append(t.send("haber@example.org", "a@example.org", MESSAGE))
    )
    sender.start()
    assert server.message_read.wait(10)  # the data is sent; the reply is trickling
    began = time.monotonic()
    t.abort()
    sender.join(5)
    assert not sender.is_alive() and time.monotonic() - began < 1.0
    assert found[0].status == "unknown"


def test_tls_hint_for_a_name_the_certificate_does_not_list(smtp_factory, self_signed) -> None:
    server = smtp_factory(security="tls", ssl_context=server_context(self_signed))
    # The CA is set and trusted; only the name is wrong (the certificate is for 127.0.0.1).
    t = SmtpTransport(SmtpSettings("localhost", server.port, "tls", ca_file=str(self_signed.cert),
                                   timeout=3.0, pool_size=1))  # fmt: skip
    outcome = t.send("haber@example.org", "ayse@example.org", MESSAGE)
    assert outcome.connection_failed
    assert "is not for 'localhost'" in outcome.text and "smtp.host" in outcome.text
    assert "CA that signed it" not in outcome.text


def test_tls_hint_for_an_untrusted_ca_names_the_file_set(smtp_factory, self_signed, tmp_path):
    server = smtp_factory(security="tls", ssl_context=server_context(self_signed))
    other = tmp_path / "other.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         str(tmp_path / "other.key"), "-out", str(other), "-days", "2", "-subj", "/CN=other"],
        check=True, capture_output=True,
    )  # fmt: skip
    t = SmtpTransport(SmtpSettings("127.0.0.1", server.port, "tls", ca_file=str(other),
                                   timeout=3.0, pool_size=1))  # fmt: skip
    outcome = t.send("haber@example.org", "ayse@example.org", MESSAGE)
    assert "not trusted" in outcome.text
    assert f"smtp.ca_file ({other}) does not hold the CA that signed it" in outcome.text


def test_tls_hint_for_an_expired_certificate() -> None:
    exc = ssl.SSLCertVerificationError("certificate verify failed")
    exc.verify_code, exc.verify_message = 10, "certificate has expired"
    hint = tls_hint(exc, "mail.example.org:465", "mail.example.org", "/etc/ca.pem")
    assert "has expired" in hint and "renew" in hint and "ca_file" not in hint
