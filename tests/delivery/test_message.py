"""Per-recipient messages: headers, both parts, encodings, line limits, refused values."""

from __future__ import annotations

import email
import email.header
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.core.models import IssueSnapshot, MailingList
from newsletter.delivery import composer, message, send_settings
from newsletter.delivery import headers as headers_mod
from tests.conftest import write_config

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TURKISH = "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ “”‘’—…:;,.!?-0123456789 "

SETTINGS = message.HeaderSettings(
    from_address="haber@example.org",
    from_name="Göç Bülteni — İzmir Şubesi",
    reply_to="yanit@example.org",
    list_id="Göç Bülteni <bulten.example.org>",
    feedback_id="issue7:bulten:example",
    unsubscribe_mailto="unsubscribe@example.org",
)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def build(template: message.MessageTemplate, **kw: str) -> message.Built:
    args = {
        "to_email": "ayse@example.org",
        "to_name": "Ayşe Yılmaz",
        "message_id": message.message_id("example.org", 7, 1),
        "date": NOW,
        "html": "<p>Merhaba Ayşe, “Şanlıurfa” haberleri</p>\n<p>Çok uzun " + "satır " * 40 + "</p>",
        "text": "Merhaba Ayşe,\n\n“Şanlıurfa” haberleri.\n. tek nokta\n",
        "unsubscribe_url": "https://news.example.org/unsubscribe/TOKEN-ayse",
    }
    args.update(kw)
    return template.build(**args)  # type: ignore[arg-type]


def assert_line_limits(data: bytes) -> None:
    assert b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 78, line


def test_headers_and_parts_parse_back() -> None:
    template = message.MessageTemplate(SETTINGS, "Ekim sayısı: Gaziantep’te “yeni” merkez")
    built = build(template)
    msg = parse(built.data)
    assert msg["From"].addresses[0].display_name == "Göç Bülteni — İzmir Şubesi"
    assert msg["From"].addresses[0].addr_spec == "haber@example.org"
    assert b"\xc3" not in built.data.split(b"\r\n\r\n")[0]  # headers are 7-bit
    assert msg["To"].addresses[0].display_name == "Ayşe Yılmaz"
    assert msg["Subject"] == "Ekim sayısı: Gaziantep’te “yeni” merkez"
    assert msg["Reply-To"].addresses[0].addr_spec == "yanit@example.org"
    assert msg["List-Id"] == "Göç Bülteni <bulten.example.org>"
    assert msg["Feedback-ID"] == "issue7:bulten:example"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"] == (
        "<https://news.example.org/unsubscribe/TOKEN-ayse>, "
        "<mailto:unsubscribe@example.org?subject=unsubscribe>"
    )
    assert msg["Message-ID"].endswith("@example.org>")
    assert email.utils.parsedate_to_datetime(msg["Date"]) == NOW
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_payload()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert text.get_content() == "Merhaba Ayşe,\r\n\r\n“Şanlıurfa” haberleri.\r\n. tek nokta\r\n"
    assert "Çok uzun " + "satır " * 40 in html.get_content()
    assert not msg.defects and not text.defects and not html.defects
    assert_line_limits(built.data)
    assert built.smtputf8 is False


def test_shared_line_cache_keeps_recipients_apart() -> None:
    template = message.MessageTemplate(SETTINGS, "Sayı")
    first = build(template, html="<p>Sevgili Ayşe</p>\n<p>ortak</p>", to_name="Ayşe")
    second = build(
        template,
        to_email="mehmet@example.org",
        to_name="Mehmet",
        html="<p>Sevgili Mehmet</p>\n<p>ortak</p>",
        text="Sevgili Mehmet",
        unsubscribe_url="https://news.example.org/unsubscribe/TOKEN-mehmet",
    )
    msg = parse(second.data)
    assert b"ayse" not in second.data.lower() and b"Ay=C5=9Fe" not in second.data
    assert "Mehmet" in msg.get_payload()[1].get_content()
    assert "TOKEN-mehmet" in msg["List-Unsubscribe"]
    assert first.message_id != second.message_id


def test_without_optional_headers() -> None:
    plain = message.HeaderSettings(from_address="news@example.org", from_name="News")
    built = build(message.MessageTemplate(plain, "Hello"), unsubscribe_url="")
    msg = parse(built.data)
    for name in ("Reply-To", "Feedback-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert msg[name] is None
    assert msg["From"] == "News <news@example.org>"


def test_punycode_domain_and_smtputf8_local_part() -> None:
    template = message.MessageTemplate(SETTINGS, "Sayı")
    idn = build(template, to_email="ali@örnek.com.tr", to_name="Ali")
    assert parse(idn.data)["To"].addresses[0].domain == "xn--rnek-4qa.com.tr"
    assert idn.smtputf8 is False
    utf8 = build(template, to_email="şule@example.org", to_name="Şule")
    assert utf8.smtputf8 is True
    # RFC 6532: the header is raw UTF-8, sent only over SMTPUTF8.
    assert "To: Şule <şule@example.org>\r\n".encode() in utf8.data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to_name", "Ayşe\r\nBcc: victim@example.org"),
        ("to_email", "ayse@example.org\nBcc: x@example.org"),
        ("unsubscribe_url", "https://news.example.org/u/x\r\nX-Evil: 1"),
        ("unsubscribe_url", "https://news.example.org/u/a b"),
        ("message_id", "<a@b>\r\nX: y"),
        ("to_email", "not-an-address"),
    ],
)
def test_refuses_injection(field: str, value: str) -> None:
    template = message.MessageTemplate(SETTINGS, "Sayı")
    with pytest.raises(UserError, match="line breaks|not an email|not a usable URL"):
        build(template, **{field: value})


def test_refuses_line_breaks_in_shared_values() -> None:
    with pytest.raises(UserError, match="Subject: line breaks"):
        message.MessageTemplate(SETTINGS, "Sayı\r\nBcc: x@example.org")
    bad = message.HeaderSettings(from_address="news@example.org", from_name="A\nB")
    with pytest.raises(UserError, match="From"):
        message.MessageTemplate(bad, "Sayı")


def test_verp_round_trip() -> None:
    address = message.verp_address("bounces@example.org", "s3cret", 4711)
    assert address.startswith("bounces+4711.") and address.endswith("@example.org")
    assert message.read_verp(address, "s3cret") == 4711
    assert message.read_verp(address, "other") is None
    assert message.read_verp("bounces+4712." + address.split(".", 1)[1], "s3cret") is None


WORD = st.text(alphabet=TURKISH.replace(" ", "") + "\"'\\<>@()", min_size=1, max_size=15)


@settings(max_examples=150, deadline=None)
@given(
    subject=st.text(alphabet=TURKISH, min_size=1, max_size=300),
    name=st.lists(WORD, max_size=6).map(" ".join),
)
def test_fuzzed_turkish_subjects_and_names_round_trip(subject: str, name: str) -> None:
    settings_ = message.HeaderSettings(from_address="haber@example.org", from_name=name)
    template = message.MessageTemplate(settings_, subject)
    built = build(template, to_name=name)
    msg = parse(built.data)
    assert " ".join(msg["Subject"].split()) == " ".join(subject.split())
    assert " ".join(msg["From"].addresses[0].display_name.split()) == " ".join(name.split())
    assert msg["To"].addresses[0].addr_spec == "ayse@example.org"
    assert_line_limits(built.data)


@settings(max_examples=100, deadline=None)
@given(name=st.text(alphabet=TURKISH + "\"'\\<>@()", min_size=1, max_size=120))
def test_fuzzed_long_names_decode_exactly(name: str) -> None:
    """RFC 2047 decoding (email.header) gives back the exact name, however long its words.

    (The newer email parser adds a space where a long word had to be split across encoded
    words; RFC 2047 says the whitespace between encoded words is not part of the text.)
    """
    line = message.address_header("From", name, "haber@example.org")
    assert_line_limits(line)
    value = line.decode("ascii").split(":", 1)[1].replace("\r\n", "")
    raw = value.rpartition("<")[0].strip()
    name = " ".join(name.split())
    if name.isascii():
        parsed = parse(line + b"\r\n")["From"].addresses[0].display_name
        assert parsed == name
        return
    decoded = "".join(
        part.decode(charset)
        if charset
        else part.decode("ascii")
        if isinstance(part, bytes)
        else part
        for part, charset in email.header.decode_header(raw)
    )
    assert decoded == name


@settings(max_examples=60, deadline=None)
@given(body=st.text(alphabet=TURKISH + "\n\t=.<>&", max_size=3000))
def test_fuzzed_bodies_round_trip(body: str) -> None:
    template = message.MessageTemplate(SETTINGS, "Sayı")
    built = build(template, html=body, text=body)
    text, html = parse(built.data).get_payload()
    expected = body.replace("\n", "\r\n")
    assert text.get_content() == expected
    assert html.get_content() == expected
    assert_line_limits(built.data)


def test_each_list_has_its_own_list_id(tmp_path) -> None:
    """RFC 2919: one List-Id per list, SLUG.NAMESPACE, the namespace from sending.list_id."""
    config = load_config(write_config(tmp_path))
    settings = replace(send_settings.message_settings(config), headers=SETTINGS)
    snapshot = IssueSnapshot(issue_id=7, language="tr", subject="Kasım", html="<p>x</p>", text="x")
    monthly = MailingList(id=1, slug="aylik", name="Aylık Bülten")
    partners = MailingList(id=2, slug="partners", name="Partners")
    made = composer.Composer(settings, 7, [snapshot], "tr", lists=[monthly, partners])
    found = {}
    for list_id in (1, 2, None):
        r = composer.Recipient(1, 1, list_id, "ayse@example.org", "ayse@example.org", "Ayşe", "tr")
        found[list_id] = parse(made.compose(r, NOW).data)["List-Id"]
    assert found == {
        1: "Aylık Bülten <aylik.bulten.example.org>",
        2: "Partners <partners.bulten.example.org>",
        None: "Göç Bülteni <bulten.example.org>",  # a proof: the configured value itself
    }


def test_list_id_namespace_defaults_to_lists_of_the_domain(tmp_path) -> None:
    config = load_config(write_config(tmp_path))
    headers = send_settings.header_settings(config)
    assert headers.list_id.endswith(f" <lists.{headers.domain}>")
    assert headers_mod.list_id(headers.list_id, "aylik", "Aylık") == (
        f"Aylık <aylik.lists.{headers.domain}>"
    )


@pytest.mark.parametrize("value", ["Bülten <bülten.example.org>", "Bülten <bulten>", "a b"])
def test_a_list_id_that_is_not_a_dot_atom_is_refused(tmp_path, value: str) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text().replace("[sending]\n", f'[sending]\nlist_id = "{value}"\n'))
    config = load_config(path)
    with pytest.raises(UserError, match="sending.list_id: .* needs an id"):
        send_settings.header_settings(config)
