"""DKIM: sign, verify offline against a stubbed DNS answer, and catch tampering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dkim
import pytest

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.delivery import message
from newsletter.delivery.dkim_sign import OVERSIGNED, SIGNED_HEADERS, DkimSigner
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
    names = h_tag.split(b":")
    assert b"list-unsubscribe-post" in names
    assert set(names) == set(SIGNED_HEADERS)
    for name in OVERSIGNED:  # once for the header, once for "no other"
        assert names.count(name) == 2, name
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


@pytest.mark.parametrize(
    "added",
    [
        b"Subject: =?utf-8?q?Hesab=C4=B1n=C4=B1z_ask=C4=B1ya_al=C4=B1nd=C4=B1?=\r\n",
        b"List-Unsubscribe: <https://evil.example.net/u>\r\n",
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        b"From: Bank <security@bank.example.net>\r\n",
        b"Date: Mon, 01 Jan 2035 00:00:00 +0000\r\n",
        b"Message-ID: <copy@example.net>\r\n",
    ],
)
def test_a_prepended_second_header_breaks_the_signature(
    key_pair: tuple[Path, bytes], added: bytes
) -> None:
    """Over-signing: a second Subject (or List-Unsubscribe...) put above ours, where many
    readers take it from, must not verify as ours."""
    key, record = key_pair
    data = a_message()
    signed = DkimSigner("example.org", "nl2026", key.read_bytes()).sign(data)
    assert dkim.verify(signed, dnsfunc=dns_answer(record))
    assert not dkim.verify(added + signed, dnsfunc=dns_answer(record))
    if added.startswith(b"From:"):
        return  # dkimpy's verifier refuses a second From by itself; other verifiers may not
    # What over-signing adds: signed over the plain list, the same forgery verifies.
    plain = dkim.sign(
        data,
        b"nl2026",
        b"example.org",
        key.read_bytes(),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=list(SIGNED_HEADERS),
    )
    assert dkim.verify(added + plain + data, dnsfunc=dns_answer(record))


def test_a_proof_without_list_unsubscribe_still_verifies(key_pair: tuple[Path, bytes]) -> None:
    # Over-signing a header the message does not have signs its absence: nothing to break.
    key, record = key_pair
    data = a_message().replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", b"")
    assert b"List-Unsubscribe-Post" not in data
    signed = DkimSigner("example.org", "nl2026", key.read_bytes()).sign(data)
    assert dkim.verify(signed, dnsfunc=dns_answer(record))
    added = b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    assert not dkim.verify(added + signed, dnsfunc=dns_answer(record))
