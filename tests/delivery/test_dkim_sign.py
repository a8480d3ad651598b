"""DKIM: sign, verify offline against a stubbed DNS answer, and catch tampering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dkim
import pytest

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.delivery import message
from newsletter.delivery.dkim_sign import SIGNED_HEADERS, DkimSigner
from newsletter.delivery.send_settings import signer as load_signer
from tests.conftest import write_config


@pytest.fixture
def key_pair(dkim_key) -> tuple[Path, bytes]:
    return dkim_key.path, dkim_key.dns_record


def a_message() -> bytes:
    settings = message.HeaderSettings(
        from_address="haber@example.org", from_name="Göç Bülteni", list_id="Bülten <b.example.org>"
    )
    template = message.MessageTemplate(settings, "Kasım sayısı: Şırnak’tan haberler")
    return template.build(
        to_email="ayse@example.org",
        to_name="Ayşe",
        message_id=message.message_id("example.org", 1, 2),
        date=datetime(2026, 11, 22, tzinfo=UTC),
        html="<p>Merhaba</p>",
        text="Merhaba",
        unsubscribe_url="https://news.example.org/unsubscribe/abc",
    ).data


def dns_answer(record: bytes):
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"nl2026._domainkey.example.org." else None

    return lookup


def test_sign_then_verify_and_tamper(key_pair: tuple[Path, bytes]) -> None:
    key, record = key_pair
    signer = DkimSigner("example.org", "nl2026", key.read_bytes())
    signed = signer.sign(a_message())
    assert signed.startswith(b"DKIM-Signature:")
    head = signed.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    h_tag = head.split(b"h=")[1].split(b";")[0].replace(b" ", b"")
    assert b"list-unsubscribe-post" in h_tag.split(b":")
    assert set(h_tag.split(b":")) == set(SIGNED_HEADERS)
    assert dkim.verify(signed, dnsfunc=dns_answer(record))
    assert not dkim.verify(signed.replace(b"Merhaba", b"Merhabo"), dnsfunc=dns_answer(record))
    tampered = signed.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", b"")
    assert not dkim.verify(tampered, dnsfunc=dns_answer(record))
    assert not dkim.verify(
        signed.replace(b"/unsubscribe/abc", b"/unsubscribe/xyz"), dnsfunc=dns_answer(record)
    )


def test_load_signer_from_config(tmp_path: Path, key_pair: tuple[Path, bytes]) -> None:
    key, _ = key_pair
    off = load_config(write_config(tmp_path))
    assert load_signer(off) is None
    on = load_config(
        write_config(
            tmp_path,
            '[dkim]\nenabled = true\ndomain = "example.org"\nselector = "s1"\n'
            f'key_file = "{key}"\n',
        )
    )
    signer = load_signer(on)
    assert signer is not None and signer.selector == "s1"


@pytest.mark.parametrize(
    ("dkim_toml", "error"),
    [
        ('enabled = true\ndomain = "example.org"\nselector = "s"\n', "dkim.key_file is empty"),
        (
            'enabled = true\ndomain = "example.org"\nselector = "s"\nkey_file = "missing.pem"\n',
            "dkim.key_file: cannot read",
        ),
        (
            'enabled = true\ndomain = "example.org"\nselector = "s"\nkey_file = "bad.pem"\n',
            "dkim.key_file: not a PEM RSA private key",
        ),
        ('enabled = true\ndomain = ""\nselector = "s"\nkey_file = "bad.pem"\n', "dkim.domain"),
    ],
)
def test_bad_dkim_config(tmp_path: Path, dkim_toml: str, error: str) -> None:
    (tmp_path / "bad.pem").write_text("-----BEGIN RSA PRIVATE KEY-----\nnope\n")
    config = load_config(write_config(tmp_path, "[dkim]\n" + dkim_toml))
    with pytest.raises(UserError, match=error):
        load_signer(config)
