"""Test fixtures of the delivery capability: scripted SMTP servers, TLS, AUTH, a sendable issue.

Servers are real aiosmtpd servers on loopback; handlers misbehave on purpose (451 then 250,
550 for one recipient, 421 and hang up, 554 at DATA, slow replies).
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import Session

from newsletter.audience import lists, subscriptions
from newsletter.audience.addresses import normalise
from newsletter.core.models import Issue, IssueSnapshot, Subscription
from newsletter.rendering import personalise
from tests.plugins.smtp import Received, free_port

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
USER, PASSWORD = "bulten", "gizli-parola-çok-uzun"


@dataclass
class ScriptedHandler:
    """Records messages; answers as scripted. ``hang_up_after``: 421 and close on that DATA."""

    messages: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)
    data_delay: float = 0.0
    hang_up_after: int | None = None
    data_count: int = 0
    pipelining: bool = True  # advertise PIPELINING (aiosmtpd reads commands in order anyway)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        scripted = self.rcpt_replies.get(address)
        if scripted:
            reply = scripted.pop(0)
            if not reply.startswith("2"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_count += 1
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if self.hang_up_after is not None and self.data_count == self.hang_up_after:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.3.2 Service shutting down, try again"
        if self.data_replies:
            reply = self.data_replies.pop(0)
            if not reply.startswith("2"):
                return reply
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 2.0.0 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class ScriptedServer:
    host: str
    port: int
    handler: ScriptedHandler
    security: str = "none"

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def toml(self, pool_size: int = 1, extra: str = "") -> str:
        return (
            f'[smtp]\nhost = "{self.host}"\nport = {self.port}\nsecurity = "{self.security}"\n'
            f"pool_size = {pool_size}\ntimeout_seconds = 5.0\n{extra}"
        )


@pytest.fixture
def smtp_factory() -> Iterator[Callable[..., ScriptedServer]]:
    """Start an aiosmtpd server: ``smtp_factory(handler=..., security=..., **controller_kw)``."""
    started: list[Controller] = []

    def start(
        handler: ScriptedHandler | None = None, security: str = "none", **kw: Any
    ) -> ScriptedServer:
        handler = handler or ScriptedHandler()
        port = free_port()
        kw.setdefault("enable_SMTPUTF8", True)
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kw)
        controller.start()
        started.append(controller)
        return ScriptedServer("127.0.0.1", port, handler, security)

    yield start
    for controller in started:
        controller.stop()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, made with openssl for this test run."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


@dataclass(frozen=True)
class DkimKey:
    path: Path
    dns_record: bytes  # the TXT record's value: v=DKIM1; k=rsa; p=...


@pytest.fixture(scope="session")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> DkimKey:
    """An RSA key made with openssl for this test run, and its DNS record."""
    folder = tmp_path_factory.mktemp("dkim")
    key = folder / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    der = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return DkimKey(key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der))


# --- A sendable issue and its audience ----------------------------------------------------------

M = personalise.markers()
HTML = (
    "<!doctype html><html><body>\n"
    f"<p>{M['if_name']}Sevgili {M['name']},{M['end']}{M['if_no_name']}Merhaba,{M['end']}</p>\n"
    "<h1>Kasım 2026: Hatay’da “yeni” toplum merkezi</h1>\n"
    "<p>Antakya ve İskenderun’da çalışmalar sürüyor; ğüşıöç.</p>\n"
    f"<p>Bu e-posta {M['email']} adresine gönderildi.</p>\n"
    f'<p><a href="{M["unsubscribe_url"]}">Abonelikten çık</a> · '
    f'<a href="{M["preferences_url"]}">Tercihler</a> · '
    f'<a href="{M["view_online_url"]}">Tarayıcıda aç</a></p>\n'
    "</body></html>"
)
TEXT = (
    f"{M['if_name']}Sevgili {M['name']},{M['end']}{M['if_no_name']}Merhaba,{M['end']}\n\n"
    "Kasım 2026: Hatay’da “yeni” toplum merkezi\n\n"
    f"Bu e-posta {M['email']} adresine gönderildi.\n"
    f"Abonelikten çık: {M['unsubscribe_url']}\nTercihler: {M['preferences_url']}\n"
    f"Tarayıcıda aç: {M['view_online_url']}\n"
)


def make_issue(session: Session, status: str = "approved") -> Issue:
    """An approved issue with a frozen snapshot (written directly: rendering is not under test)."""
    issue = Issue(
        title="Kasım 2026",
        subject="Kasım bülteni: Hatay’dan haberler",
        language="tr",
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(issue)
    session.flush()
    for lang, subject in (("tr", "Kasım bülteni: Hatay’dan haberler"), ("en", "November news")):
        session.add(
            IssueSnapshot(
                issue_id=issue.id,
                language=lang,
                subject=subject,
                html=HTML,
                text=TEXT,
                created_at=NOW,
            )
        )
    session.flush()
    return issue


def make_list(session: Session, slug: str = "genel") -> int:
    return lists.create(session, slug, f"Liste {slug}", NOW, opt_in="single").id or 0


def add_people(
    session: Session,
    list_id: int,
    people: list[tuple[str, str]],
    status: str = "confirmed",
    language: str = "tr",
) -> list[int]:
    """Subscribers (email, name) on a list, created through the audience service."""
    ids = []
    for email, name in people:
        person = subscriptions.find(session, email)
        if person is None:
            person = subscriptions.new_subscriber(
                normalise(email), NOW, name=name, language=language
            )
            session.add(person)
            session.flush()
        session.add(
            Subscription(
                subscriber_id=person.id,
                list_id=list_id,
                status=status,
                created_at=NOW,
                confirmed_at=NOW,
            )
        )
        ids.append(person.id)
    session.flush()
    return ids


def people(n: int, prefix: str = "kisi") -> list[tuple[str, str]]:
    names = ["Ayşe", "Mehmet", "Şule", "Çağrı", "Gülşen", "İsmail", "Özge", "Ümit", ""]
    return [(f"{prefix}{i:04d}@example.org", names[i % len(names)]) for i in range(n)]
