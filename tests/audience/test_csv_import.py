"""CSV import: encodings, delimiters, header mapping, dedupe, updates, suppression, consent."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from newsletter.audience import consent, subscriptions, suppression
from newsletter.audience.csv_import import ImportOptions, import_csv, prepare_rows
from newsletter.audience.csv_source import BadRow, Row
from newsletter.audience.import_batch import Prepared
from newsletter.core.errors import UserError
from newsletter.core.models import ConsentRecord, MailingList, MailJob, Subscriber, Subscription
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

NOW = AUDIENCE_NOW
TURKISH = (
    "E-posta;Ad Soyad;Dil;Kurum;Şehir\n"
    "İPEK.YILDIZ@örnek.com.tr;İpek Yıldız;tr;Kızılay;Gaziantep\n"
    "ömer@example.com;Ömer Çağlar;;;Şanlıurfa\n"
)


def run(session: Session, path: Path, slug: str = "aylik-tr", **kw) -> object:
    return import_csv(session, AUDIENCE_SECRET, path, ImportOptions(slug, **kw), NOW)


def people(session: Session) -> dict[str, Subscriber]:
    return {s.email: s for s in session.exec(select(Subscriber))}


def report_rows(path: Path) -> list[dict[str, str]]:
    """The report's row lines (without the closing summary row)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if r["outcome"] != "summary"]


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1254", b"")]
)
def test_turkish_excel_files_in_every_encoding(
    session: Session, double_list: MailingList, tmp_path: Path, encoding: str, prefix: bytes
) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(prefix + TURKISH.encode(encoding))
    report = run(session, path)
    assert (report.encoding, report.delimiter) == (
        {b"": encoding if encoding == "cp1254" else "utf-8"}.get(prefix, "utf-8-sig"),
        ";",
    )
    found = people(session)
    ipek = found["ipek.yildiz@örnek.com.tr"]  # Caps Lock on a Turkish keyboard types İ
    assert (ipek.name, ipek.language, ipek.organisation) == ("İpek Yıldız", "tr", "Kızılay")
    assert ipek.attributes == {"Şehir": "Gaziantep"}
    assert found["ömer@example.com"].language == "tr"  # the list's default
    assert found["ömer@example.com"].smtputf8 and not ipek.smtputf8
    assert (report.rows, report.added, report.rejected) == (2, 2, 0)


def test_comma_file_with_quotes_and_header_aliases(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(
        'Email Address,Full Name,Organization,Role\n'
        '"zeynep@example.org","Kaya, Zeynep","UNICEF Türkiye","saha ""koordinatörü"""\n'
    )  # fmt: skip
    run(session, path)
    zeynep = people(session)["zeynep@example.org"]
    assert (zeynep.name, zeynep.organisation) == ("Kaya, Zeynep", "UNICEF Türkiye")
    assert zeynep.attributes == {"Role": 'saha "koordinatörü"'}


def test_map_renames_columns(session: Session, double_list: MailingList, write_csv) -> None:
    path = write_csv("adres;kişi;il\nhasan@example.com;Hasan Acar;Mersin\n")
    run(session, path, renames={"adres": "email", "kişi": "name", "il": "city"})
    hasan = people(session)["hasan@example.com"]
    assert (hasan.name, hasan.attributes) == ("Hasan Acar", {"city": "Mersin"})
    with pytest.raises(UserError, match="--map yok=…: .* has no column 'yok'"):
        run(session, path, renames={"yok": "email"})


def test_duplicates_including_dotted_capital_i_are_skipped_with_line_numbers(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(
        "email,name\n"
        "İLKNUR@İSTANBUL.example,İlknur\n"
        "i\u0307lknur@i\u0307stanbul.example,again\n"
        "ilknur@istanbul.example,the same address\n"
        "ilknur@ıstanbul.example,a different address\n"
        "Ilknur@Istanbul.Example,third time\n"
    )
    report = run(session, path)
    assert (report.rows, report.added, report.skipped_duplicate) == (5, 2, 3)
    rows = report_rows(path.parent / "people-report.csv")
    assert [(r["line"], r["outcome"], r["reason"]) for r in rows] == [
        ("3", "duplicate", "same address as line 2"),
        ("4", "duplicate", "same address as line 2"),
        ("6", "duplicate", "same address as line 2"),
    ]
    # Both parts lose the dot lower() and IDNA give İ; the dotless ı is another domain.
    assert people(session)["ilknur@istanbul.example"].name == "İlknur"
    assert people(session)["ilknur@ıstanbul.example"].name == "a different address"


def test_bad_rows_are_rejected_with_line_and_reason(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(
        "email;name;language\n"
        "ok@example.com;Ayşe;tr\n"
        "\n"
        "not-an-address;Bad;tr\n"
        '"line@break.example.com";"Çok\nsatırlı";tr\n'
        "ali..veli@example.com;Ali;tr\n"
        "esra@example.com;Esra;Türkçe\n"
        "fazla@example.com;Fazla;tr;extra\n"
    )
    report = run(session, path)
    assert (report.rows, report.added, report.rejected) == (6, 2, 4)
    rows = report_rows(Path(report.report_file))
    assert [(r["line"], r["email"]) for r in rows] == [
        ("4", "not-an-address"), ("7", "ali..veli@example.com"), ("8", "esra@example.com"),
        ("9", "fazla@example.com"),
    ]  # fmt: skip
    assert "@-sign" in rows[0]["reason"]
    assert "two periods" in rows[1]["reason"]
    assert "'Türkçe' is not a language code" in rows[2]["reason"]
    assert "4 cells but the header has 3" in rows[3]["reason"]
    assert set(people(session)) == {"ok@example.com", "line@break.example.com"}


def test_existing_rows_are_updated_not_duplicated(
    session: Session, double_list: MailingList, write_csv
) -> None:
    run(session, write_csv("email,name,city\nselin@example.com,Selin,Adana\n", "a.csv"))
    report = run(session, write_csv(
        "email,name,organisation,district\nSELIN@example.com,Selin Aydın,IOM,Seyhan\n"
        "new@example.com,,,\n", "b.csv"
    ))  # fmt: skip
    assert (report.added, report.updated, report.subscribed) == (1, 1, 1)
    selin = people(session)["selin@example.com"]
    assert (selin.name, selin.organisation) == ("Selin Aydın", "IOM")
    assert selin.attributes == {"city": "Adana", "district": "Seyhan"}
    assert len(session.exec(select(Subscription)).all()) == 2
    again = run(session, write_csv("email,name\nselin@example.com,\n", "c.csv"))
    assert (again.updated, again.unchanged, again.subscribed) == (0, 1, 0)
    assert people(session)["selin@example.com"].name == "Selin Aydın"  # empty cell keeps it


def test_suppressed_blocklisted_and_unsubscribed_are_skipped(
    session: Session, double_list: MailingList, write_csv
) -> None:
    suppression.add(session, AUDIENCE_SECRET, "bounced@example.com", "hard_bounce", NOW)
    run(session, write_csv("email\nleft@example.com\nblocked@example.com\n", "a.csv"))
    left = people(session)["left@example.com"]
    subscriptions.unsubscribe(session, AUDIENCE_SECRET, left.id, double_list.id, "web", NOW)
    people(session)["blocked@example.com"].status = "blocklisted"
    report = run(session, write_csv(
        "email\nBOUNCED@example.com\nleft@example.com\nblocked@example.com\n", "b.csv"
    ))  # fmt: skip
    assert (report.skipped_suppressed, report.skipped_unsubscribed, report.added) == (2, 1, 0)
    reasons = [r["reason"] for r in report_rows(Path(report.report_file))]
    assert "suppression list" in reasons[0] and "blocklisted" in reasons[2]
    assert "unsubscribed from aylik-tr earlier" in reasons[1]
    assert "bounced@example.com" not in people(session)


def test_erased_person_is_not_silently_re_added(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("email,name\nkerem@example.com,Kerem\n")
    run(session, path)
    subscriptions.erase(session, AUDIENCE_SECRET, "kerem@example.com", NOW)
    report = run(session, path)
    assert (report.added, report.skipped_suppressed) == (0, 1)
    assert people(session) == {}


def test_double_opt_in_import_queues_confirmations(
    session: Session, double_list: MailingList, write_csv
) -> None:
    report = run(session, write_csv("email\na@example.com\nb@example.com\n"))
    assert (report.confirmations_queued, report.confirmed) == (2, 0)
    subs = session.exec(select(Subscription)).all()
    assert {s.status for s in subs} == {"unconfirmed"}
    assert len(session.exec(select(MailJob)).all()) == 2
    records = session.exec(select(ConsentRecord)).all()
    assert [(r.event, r.source, r.consent_text, r.details["line"]) for r in records] == [
        ("imported", "import people.csv", None, 2), ("imported", "import people.csv", None, 3),
    ]  # fmt: skip


def test_confirmed_import_records_the_stated_consent_per_person(
    session: Session, double_list: MailingList, write_csv
) -> None:
    run(session, write_csv("email\nold@example.com\n", "first.csv"))
    source = "Paper forms signed at the Gaziantep workshop, 3 October 2026"
    report = run(session, write_csv("email\nold@example.com\nnew@example.com\n", "second.csv"),
                 confirmed=True, consent_source=source)  # fmt: skip
    assert (report.confirmed, report.confirmations_queued) == (2, 0)
    assert {s.status for s in session.exec(select(Subscription))} == {"confirmed"}
    assert session.exec(select(MailJob)).all() == []  # the earlier pending one is withdrawn
    for person in people(session).values():
        last = consent.history(session, person.id)[-1]
        assert (last.event, last.consent_text, last.details["confirmed"]) == (
            "imported", source, True,
        )  # fmt: skip


def test_confirmed_needs_a_consent_source(session: Session, double_list, write_csv) -> None:
    with pytest.raises(UserError, match="--confirmed needs --consent-source"):
        run(session, write_csv("email\na@example.com\n"), confirmed=True)


def test_single_opt_in_import_is_confirmed(session: Session, single_list, write_csv) -> None:
    report = run(session, write_csv("email\na@example.com\n"), slug="updates-en")
    assert (report.confirmed, report.confirmations_queued) == (1, 0)


def test_dry_run_changes_nothing_and_writes_no_report(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("email\na@example.com\nbad\na@example.com\n")
    report = run(session, path, dry_run=True)
    assert (report.added, report.rejected, report.skipped_duplicate) == (1, 1, 1)
    assert report.report_file is None and [p.name for p in path.parent.iterdir()] == [path.name]
    assert people(session) == {} and session.exec(select(MailJob)).all() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04\x00\x00binary", "not a text file"),
        ("\ufeffname\nAyşe\n".encode("utf-16"), "UTF-16"),
        (b"name;city\nAyse;Van\n", "no email column (columns: name, city)"),
        (b"email,e-posta\na@example.com,b@example.com\n", "two columns hold the email"),
    ],
)
def test_unreadable_file_writes_nothing(
    session: Session, double_list: MailingList, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UserError, match=re.escape(message)) as info:
        run(session, path)
    assert str(path) in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["bad.csv"]
    assert people(session) == {}


def test_broken_csv_midway_names_the_line_and_leaves_nothing(
    session: Session, double_list: MailingList, write_csv
) -> None:
    # An unterminated quote swallows the rest of the file into one oversized cell.
    rest = "".join(f"user{i}@example.com,Kişi {i}\n" for i in range(6000))
    path = write_csv('email,name\nbad\na@example.com,"unterminated\n' + rest)
    with pytest.raises(UserError, match=r"people.csv, line 3: not valid CSV: field larger"):
        run(session, path)
    assert [p.name for p in path.parent.iterdir()] == ["people.csv"]
    assert people(session) == {}


def test_missing_file_is_named(session: Session, double_list, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read .*nowhere.csv"):
        run(session, tmp_path / "nowhere.csv")


def test_the_shipped_example_file_imports_cleanly(session: Session, double_list) -> None:
    example = Path(__file__).resolve().parents[2] / "subscribers" / "example.csv"
    report = run(session, example, dry_run=True)
    assert (report.rows, report.added, report.rejected, report.skipped_duplicate) == (10, 10, 0, 0)


def test_report_is_in_line_order_with_a_summary_row(
    session: Session, double_list: MailingList, write_csv
) -> None:
    suppression.add(session, AUDIENCE_SECRET, "engelli@example.com", "admin", NOW)
    # The suppressed row is found only when its batch is written, after the bad row below it.
    report = run(session, write_csv("email\nengelli@example.com\nbozuk\nnew@example.com\n"))
    assert [(p["line"], p["outcome"]) for p in report.problems] == [
        (2, "suppressed"), (3, "rejected"),
    ]  # fmt: skip
    with Path(report.report_file).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[:3] for r in rows] == [
        ["line", "email", "outcome"], ["2", "engelli@example.com", "suppressed"],
        ["3", "bozuk", "rejected"], ["", "", "summary"],
    ]  # fmt: skip
    assert rows[-1][3].startswith("rows read 3; added 1; updated 0")
    assert rows[-1][3].endswith("skipped suppressed 1; skipped unsubscribed 0; rejected 1")


def test_a_clean_import_still_leaves_its_report(
    session: Session, double_list: MailingList, write_csv
) -> None:
    report = run(session, write_csv("email\nyeni@example.com\n"))
    assert (
        Path(report.report_file)
        .read_text("utf-8-sig")
        .splitlines()[-1]
        .startswith(",,summary,rows read 1; added 1;")
    )


def test_upper_case_turkish_headers_are_recognised(
    session: Session, double_list: MailingList, write_csv
) -> None:
    # "DİL".casefold() is "di̇l" (with a combining dot), so a plain casefold misses these.
    path = write_csv(
        "E-POSTA;ADI SOYADI;DİL;KURULUŞ;İLÇE\nnazli@example.com;Nazlı Öztürk;ar;Kızılay;Nizip\n"
    )
    run(session, path, renames={"İLÇE": "ilçe"})
    nazli = people(session)["nazli@example.com"]
    assert (nazli.name, nazli.language, nazli.organisation) == ("Nazlı Öztürk", "ar", "Kızılay")
    assert nazli.attributes == {"ilçe": "Nizip"}


def _row(line: int, email: str, language: str = "") -> Row:
    return Row(line, email, "Ad Soyad", language, "", {})


def test_every_row_is_prepared_or_says_why_not() -> None:
    rows = [
        _row(2, "İPEK@örnek.com.tr"),
        _row(3, "i\u0307pek@örnek.com.tr"),  # the same address, İ written lower with its dot
        BadRow(4, "fazla@example.com", "4 cells but the header has 3"),
        _row(5, "bozuk"),
        _row(6, "dil@example.com", language="Türkçe"),
        _row(7, "ömer@example.com", language="tr"),
    ]
    results = list(prepare_rows(AUDIENCE_SECRET, iter(rows)))
    assert len(results) == len(rows)
    prepared = [r for r in results if isinstance(r, Prepared)]
    assert [(p.row.line, p.address.normalised) for p in prepared] == [
        (2, "ipek@örnek.com.tr"),
        (7, "ömer@example.com"),
    ]
    assert prepared[1].digest == suppression.hash_normalised(AUDIENCE_SECRET, "ömer@example.com")
    problems = [r for r in results if isinstance(r, tuple)]
    assert [(line, kind) for line, _, kind, _ in problems] == [
        (3, "duplicate"), (4, "rejected"), (5, "rejected"), (6, "rejected"),
    ]  # fmt: skip
    assert problems[0][3] == "same address as line 2"
    assert problems[1][3] == "4 cells but the header has 3"
    assert "@-sign" in problems[2][3] and "'Türkçe' is not a language code" in problems[3][3]


def test_an_empty_file_gives_nothing() -> None:
    assert list(prepare_rows(AUDIENCE_SECRET, iter([]))) == []


def test_the_report_file_has_every_problem_the_report_object_the_first_twenty(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("email\n" + "".join(f"bozuk{i}\n" for i in range(25)) + "iyi@example.com\n")
    report = run(session, path)
    assert (report.rejected, report.not_imported, len(report.problems)) == (25, 25, 20)
    lines = [int(r["line"]) for r in report_rows(Path(report.report_file))]
    assert lines == list(range(2, 27))
