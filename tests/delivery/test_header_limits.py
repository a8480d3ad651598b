"""The line limits of RFC 2047, 2045 and 5322 at their boundaries, in Turkish, Arabic and English.

Encoded words of at most 75 characters, header lines of at most 78, quoted-printable lines of at
most 76, never a fold right after a header name; and every value parses back exactly with the
standard library's email parser. Lengths are swept one by one across the boundaries (an encoded
word fills up at 45 bytes of B or 63 of Q, a QP line at 76), where the off-by-ones were.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import re
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from newsletter.core.models import IssueSnapshot
from newsletter.delivery import message
from newsletter.delivery.composer import Composer, Recipient
from newsletter.delivery.headers import HeaderSettings
from newsletter.delivery.send_settings import MessageSettings
from tests.conftest import SECRET
from tests.plugins.delivery import HTML, TEXT

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TURKISH = (
    "Kasım sayısı: Şanlıurfa’da çocuklar için güvenli öğrenme alanları, Gaziantep’te kadın "
    "kooperatifleri ve İzmir’de göç sağlığı üzerine düzenlenen çalıştaylardan haberler"
)
ARABIC = (
    "نشرة تشرين الثاني: مساحات تعلّم آمنة للأطفال في شانلي أورفا، وتعاونيات نسائية في غازي "
    "عنتاب، وورش عمل حول صحة المهاجرين في إزمير"
)
ENGLISH = (
    "Our work this month: safe learning spaces for children in Sanliurfa, women's cooperatives "
    "in Gaziantep and workshops on migrant health in Izmir, with the partners who made them"
)
CURLY = "Our work this month: children’s “safe spaces” reopen in Hatay — and what comes next"
TURKISH_NAME = (
    "Ayşe Gülşen Çağlayan Öztürk-Yıldırım Şahinoğlu İğdeli Ünal Kılıçarslan Gökçeğiz " * 2
)
ARABIC_NAME = "فاطمة الزهراء بنت عبد الرحمن الحسيني الهاشمي القرشي المكية المدنية الشامية " * 2
ASCII_NAME = "Maria Fernanda Garcia-Lopez de la Cruz Smith Johnson Williams Brown Jones " * 3
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
QP_HEAD = (
    b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
)
HEADER_NAME_ALONE = re.compile(rb"[!-9;-~]+:[ \t]*\Z")

SETTINGS = HeaderSettings(
    from_address="haber@example.org",
    from_name="Göç Bülteni — İzmir Şubesi",
    reply_to="yanit@example.org",
    list_id="Göç Bülteni <bulten.example.org>",
    feedback_id="issue7:bulten:example",
)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def display_name(data: bytes, header: str) -> str:
    """The display name of ``header`` as RFC 2047 decodes it (``email.header``, which mail
    readers agree with): the whitespace between two encoded words is not part of the name.

    (The newer parser, ``email.policy.default``, keeps that whitespace inside address headers,
    so a name long enough for two encoded words comes back from it with a doubled space; its
    Subject decoding follows the RFC.)
    """
    raw = email.message_from_bytes(data)[header]
    phrase = email.utils.parseaddr(raw.replace("\r\n", ""))[0] if "=?" in raw else None
    if phrase is None:
        return parse(data)[header].addresses[0].display_name
    return str(email.header.make_header(email.header.decode_header(phrase)))


def same_words(a: str, b: str) -> bool:
    return a.split() == b.split()


def prefixes(text: str, lengths: range) -> list[str]:
    """``text`` cut at each length, without the space a cut can leave at either end."""
    return list(dict.fromkeys(text[:n].strip() for n in lengths if text[:n].strip()))


def assert_header_limits(data: bytes) -> None:
    """Every encoded word within 75 characters, every header line within 78 unless it holds one
    word that cannot be folded (a URL with its token, a 64-character address), and no header
    name alone on its line."""
    head = data.partition(b"\r\n\r\n")[0]
    assert head.isascii()
    for line in head.split(b"\r\n"):
        assert not HEADER_NAME_ALONE.match(line), line
        for word in ENCODED_WORD.findall(line):
            assert len(word) <= 75, (len(word), line)
        content = line.strip() if line[:1].isspace() else line.partition(b": ")[2]
        unbreakable = b" " not in content and not ENCODED_WORD.search(content)
        assert len(line) <= 78 or unbreakable, (len(line), line)


def assert_qp_limits(data: bytes) -> None:
    body = data.partition(b"\r\n\r\n")[2]
    for line in body.split(b"\r\n"):
        assert len(line) <= 76, (len(line), line)


def build(subject: str, to_name: str = "Ayşe Yılmaz", from_name: str = "") -> message.Built:
    settings = HeaderSettings(
        from_address="haber@example.org",
        from_name=from_name or SETTINGS.from_name,
        list_id=SETTINGS.list_id,
        feedback_id=SETTINGS.feedback_id,
    )
    return message.MessageTemplate(settings, subject).build(
        to_email="ayse@example.org",
        to_name=to_name,
        message_id=message.message_id("example.org", 7, 1),
        date=NOW,
        html="<p>Merhaba</p>",
        text="Merhaba",
        unsubscribe_url="https://news.example.org/unsubscribe/TOKEN",
    )


@pytest.mark.parametrize("text", [TURKISH, ARABIC, ENGLISH, CURLY], ids=["tr", "ar", "en", "curly"])
def test_subjects_of_every_length_stay_within_the_limits(text: str) -> None:
    for subject in prefixes(text, range(1, len(text) + 1)):
        built = build(subject)
        assert_header_limits(built.data)
        assert parse(built.data)["Subject"] == subject


def test_a_long_first_word_is_not_folded_away_from_the_name() -> None:
    # Python's folder put "Subject:" alone on a line when the first word did not fit after it.
    for subject in (
        "Supercalifragilisticexpialidocious-and-more-words-glued-together-without-spaces ok",
        "https://news.example.org/archive/2026/november-update-with-a-long-path-here is out",
        "Şanlıurfa’dakiçocuklariçingüvenliöğrenmealanlarıvekadınkooperatifleriüzerine haber",
    ):
        built = build(subject)
        first = next(line for line in built.data.split(b"\r\n") if line.startswith(b"Subject:"))
        assert len(first) > len(b"Subject: "), first
        assert parse(built.data)["Subject"] == subject
        for word in ENCODED_WORD.findall(built.data):
            assert len(word) <= 75


@pytest.mark.parametrize("text", [TURKISH_NAME, ARABIC_NAME, ASCII_NAME], ids=["tr", "ar", "ascii"])
def test_names_of_every_length_stay_within_the_limits(text: str) -> None:
    for name in prefixes(text, range(1, 161)):
        built = build("Kasım", to_name=name, from_name=name)
        assert_header_limits(built.data)
        msg = parse(built.data)
        for header in ("To", "From"):
            assert display_name(built.data, header) == name
            assert same_words(msg[header].addresses[0].display_name, name)


def test_list_id_names_of_every_length_stay_within_the_limits() -> None:
    for name in prefixes(TURKISH_NAME, range(1, 161)):
        line = message.list_id_line(f"{name} <aylik-bulten.lists.example.org>")
        assert_header_limits(line + b"\r\n")
        value = parse(line + b"\r\n")["List-Id"]
        assert value == f"{name} <aylik-bulten.lists.example.org>"


def composer() -> Composer:
    settings = MessageSettings(
        headers=SETTINGS,
        base_url="https://news.example.org",
        envelope_sender="bounces@example.org",
        verp=False,
        secret=SECRET,
        signer=None,
    )
    snapshots = [
        IssueSnapshot(issue_id=7, language="tr", subject=TURKISH, html=HTML, text=TEXT),
        IssueSnapshot(issue_id=7, language="ar", subject=ARABIC, html=HTML, text=TEXT),
    ]
    return Composer(settings, 7, snapshots, "tr")


@pytest.mark.parametrize(
    ("text", "language"),
    [(ASCII_NAME, "tr"), (TURKISH_NAME, "tr"), (ARABIC_NAME, "ar")],
    ids=["ascii", "tr", "ar"],
)
def test_personal_values_of_every_length_stay_within_the_qp_limit(text: str, language: str) -> None:
    # A value whose encoding ends a line at 76 characters (76 or 151 of plain ASCII) used to
    # get the soft break's "=" as a 77th.
    made = composer()
    for n, name in enumerate(prefixes(text, range(1, 230)), start=1):
        local = ("kisi." + "x" * n)[:64]
        to = f"{local}@example.org"
        r = Recipient(n, n, 1, to, to, name, language)
        data = made.compose(r, NOW).data
        assert_qp_limits(data)
        assert_header_limits(data)
        msg = parse(data)
        text_part, html_part = (p.get_content() for p in msg.get_payload())
        assert f"Sevgili {name}," in text_part and f"Sevgili {name}," in html_part
        assert f"Bu e-posta {to} adresine" in text_part
        assert display_name(data, "To") == name
        assert msg["Subject"] == (TURKISH if language == "tr" else ARABIC)


def test_a_value_ending_a_line_at_76_gets_one_more_soft_break() -> None:
    for value in ("x" * 76, "x" * 151, "x" * 73 + "ş", "y" * 75 + "=", "z" * 75 + " "):
        pieces = [message.qp("Sevgili "), message.qp(value), message.qp(",")]
        joined = message.join_qp(pieces)
        assert max(len(line) for line in joined.split(b"\r\n")) <= 76, joined
        assert parse(QP_HEAD + joined).get_content() == f"Sevgili {value},"
        assert pieces[1] == message.qp(value)  # the caller's pieces are left as they were
