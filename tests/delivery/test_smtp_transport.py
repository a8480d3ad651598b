"""The SMTP transport against real aiosmtpd servers: TLS verified, AUTH, limits, timeouts."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl

import pytest

from newsletter.core.errors import UserError
from newsletter.delivery.smtp_transport import SmtpSettings, SmtpTransport
from tests.plugins.delivery import PASSWORD, USER, ScriptedHandler, _authenticate

MESSAGE = (
    "From: haber@example.org\r\nTo: ayse@example.org\r\nSubject: Deneme\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ".satır noktayla başlıyor\r\nson\r\n"
).encode()


def server_context(cert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert.cert, cert.key)
    return context


def transport(server, **kw) -> SmtpTransport:
    settings = {
        "host": server.host,
        "port": server.port,
        "security": server.security,
        "timeout": 3.0,
        "pool_size": 1,
    } | kw
    return SmtpTransport(SmtpSettings(**settings))


@pytest.mark.parametrize("pipelining", [True, False])
def test_plain_delivery_keeps_leading_dots(smtp_factory, pipelining: bool) -> None:
    server = smtp_factory(ScriptedHandler(pipelining=pipelining))
    t = transport(server)
    outcome = t.send("haber@example.org", "ayse@example.org", MESSAGE)
    assert outcome.ok and outcome.code == 250
    msg = email.message_from_bytes(server.messages[0].data, policy=email.policy.default)
    assert msg.get_content() == ".satır noktayla başlıyor\r\nson\r\n"
    bare = t.send("haber@example.org", "ali@example.org", b"Subject: x\n\n.a\nb")
    t.close()
    assert bare.ok
    assert server.messages[1].data.endswith(b"\r\n\r\n.a\r\nb\r\n")


def test_starttls_with_self_signed_certificate_refused_without_ca(smtp_factory, self_signed):
    server = smtp_factory(
        security="starttls", tls_context=server_context(self_signed), require_starttls=True
    )
    outcome = transport(server).send("haber@example.org", "ayse@example.org", MESSAGE)
    assert not outcome.ok and outcome.connection_failed
    assert "TLS certificate of 127.0.0.1" in outcome.text and "smtp.ca_file" in outcome.text
    assert server.messages == []


def test_starttls_accepted_with_the_ca_configured(smtp_factory, self_signed) -> None:
    server = smtp_factory(
        security="starttls", tls_context=server_context(self_signed), require_starttls=True
    )
    t = transport(server, ca_file=str(self_signed.cert))
    assert t.send("haber@example.org", "ayse@example.org", MESSAGE).ok
    t.close()
    assert len(server.messages) == 1


def test_implicit_tls(smtp_factory, self_signed) -> None:
    server = smtp_factory(security="tls", ssl_context=server_context(self_signed))
    refused = transport(server).send("haber@example.org", "ayse@example.org", MESSAGE)
    assert "not trusted" in refused.text
    t = transport(server, ca_file=str(self_signed.cert))
    assert t.send("haber@example.org", "ayse@example.org", MESSAGE).ok
    t.close()


def test_starttls_not_offered_is_a_clear_error(smtp_factory) -> None:
    server = smtp_factory(security="starttls")
    outcome = transport(server).send("haber@example.org", "ayse@example.org", MESSAGE)
    assert outcome.connection_failed and "does not offer STARTTLS" in outcome.text


def test_auth_over_tls(smtp_factory, self_signed) -> None:
    server = smtp_factory(
        security="starttls",
        tls_context=server_context(self_signed),
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
    )
    good = transport(server, ca_file=str(self_signed.cert), username=USER, password=PASSWORD)
    assert good.send("haber@example.org", "ayse@example.org", MESSAGE).ok
    good.close()
    bad = transport(server, ca_file=str(self_signed.cert), username=USER, password="yanlış")
    outcome = bad.send("haber@example.org", "ayse@example.org", MESSAGE)
    assert outcome.connection_failed and f"refused the login of {USER!r}" in outcome.text
    assert len(server.messages) == 1


def test_username_without_password_is_refused() -> None:
    with pytest.raises(UserError, match="NEWSLETTER_SMTP_PASSWORD is not set"):
        SmtpTransport(SmtpSettings("127.0.0.1", 25, "none", username="bulten"))


@pytest.mark.parametrize("host", ["mail.example.org", "192.0.2.7"])
def test_a_login_without_encryption_over_the_network_is_refused(host: str) -> None:
    with pytest.raises(UserError, match=f"password would cross the network to {host} unencrypted"):
        SmtpTransport(SmtpSettings(host, 25, "none", username="bulten", password="gizli"))
    for encrypted in ("starttls", "tls"):
        SmtpTransport(SmtpSettings(host, 25, encrypted, username="bulten", password="gizli"))
    for local in ("127.0.0.1", "::1", "localhost"):  # a relay on this machine: allowed
        SmtpTransport(SmtpSettings(local, 25, "none", username="bulten", password="gizli"))


def test_missing_ca_file_is_refused() -> None:
    with pytest.raises(UserError, match="smtp.ca_file: no such file"):
        SmtpTransport(SmtpSettings("127.0.0.1", 25, "starttls", ca_file="/nonexistent/ca.pem"))


class CountingHandler(ScriptedHandler):
    connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        type(self).connections += 1
        return await super().handle_EHLO(server, session, envelope, hostname, responses)


def test_reconnects_after_max_messages_per_connection(smtp_factory) -> None:
    CountingHandler.connections = 0
    server = smtp_factory(CountingHandler())
    t = transport(server, max_messages_per_connection=2)
    for i in range(5):
        assert t.send("haber@example.org", f"kisi{i}@example.org", MESSAGE).ok
    t.close()
    assert CountingHandler.connections == 3


class SlowRcpt(ScriptedHandler):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await asyncio.sleep(1.0)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_slow_server_times_out_before_data(smtp_factory) -> None:
    server = smtp_factory(SlowRcpt())
    outcome = transport(server, timeout=0.3).send("haber@example.org", "a@example.org", MESSAGE)
    assert outcome.status == "temporary" and outcome.connection_failed
    assert server.messages == []


@pytest.mark.parametrize("pipelining", [True, False])
def test_refused_recipient_keeps_the_connection(smtp_factory, pipelining: bool) -> None:
    CountingHandler.connections = 0
    handler = CountingHandler(
        rcpt_replies={"yok@example.org": ["550 5.1.1 User unknown"]}, pipelining=pipelining
    )
    server = smtp_factory(handler)
    t = transport(server)
    refused = t.send("haber@example.org", "yok@example.org", MESSAGE)
    assert (refused.status, refused.code, refused.hard_bounce) == ("permanent", 550, True)
    assert t.send("haber@example.org", "ayse@example.org", MESSAGE).ok
    t.close()
    assert CountingHandler.connections == 1
