"""Reading CSV files without losing rows: open quotes, huge files, mixed encodings, folded names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from newsletter.audience.csv_import import ImportOptions, import_csv
from newsletter.audience.csv_source import MAX_CELL, MAX_COLUMNS
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, Subscriber
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET


def run(session: Session, path: Path) -> object:
    return import_csv(session, AUDIENCE_SECRET, path, ImportOptions("aylik-tr"), AUDIENCE_NOW)


def stored(session: Session) -> dict[str, Subscriber]:
    return {s.email: s for s in session.exec(select(Subscriber))}


def refused(session: Session, path: Path, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(f"{path}, {message}")):
        run(session, path)
    assert stored(session) == {}
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no report either


def test_a_quote_left_open_refuses_the_file_naming_its_line(
    session: Session, double_list: MailingList, write_csv
) -> None:
    """It used to read as one row (the rest of the file inside a name), exit 0."""
    path = write_csv(
        "email,name\n"
        "ayse@example.org,Ayşe Kaya\n"
        'mehmet@example.org,"Mehmet Öz\n'
        "zeynep@example.org,Zeynep Ak\n"
        "can@example.org,Can Er\n"
    )
    refused(session, path, "line 3: unclosed quote: the quoted cell that starts there runs on "
                           "over line 4, which reads like a row of its own")  # fmt: skip


def test_a_quote_closed_by_a_later_stray_quote_is_still_found(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(
        "email;name;organisation\n"
        'ayse@example.org;"Ayşe;Kızılay\n'
        "ali@example.org;Ali;IOM\n"
        'veli@example.org;Veli";UNHCR\n'
    )
    refused(session, path, "line 2: unclosed quote")


def test_an_open_quote_in_a_one_column_file_runs_to_the_end(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv('email\na@example.org\n"b@example.org\nc@example.org\n')
    refused(session, path, "line 3: unclosed quote")


def test_an_open_quote_on_the_last_line_is_found(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv('email,name\na@example.org,Ayşe\nb@example.org,"Bora\n')
    refused(session, path, "line 3: unclosed quote: the quoted cell that starts there runs to "
                           "the end of the file")  # fmt: skip


def test_wrapped_cells_from_excel_are_read_and_folded_onto_one_line(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(
        "email,name,organisation,adres\r\n"
        'ayse@example.org,"Ayşe\nKaya","Kızılay\r\nGaziantep","Atatürk Cd. 1\nŞahinbey"\r\n'
        "can@example.org,Can\u202eEr\u202c,IOM,\r\n"
    )
    report = run(session, path)
    assert (report.rows, report.added, report.rejected) == (2, 2, 0)
    ayse, can = stored(session)["ayse@example.org"], stored(session)["can@example.org"]
    assert (ayse.name, ayse.organisation) == ("Ayşe Kaya", "Kızılay Gaziantep")
    assert ayse.attributes == {"adres": "Atatürk Cd. 1\nŞahinbey"}  # free text keeps its lines
    assert can.name == "Can Er"  # the bidi override that reversed the name is gone


def test_a_file_too_wide_is_refused(session: Session, double_list: MailingList, write_csv) -> None:
    columns = ["email", *(f"c{i}" for i in range(10_000))]
    path = write_csv(",".join(columns) + "\n" + "a@example.org" + "," * 10_000 + "\n")
    with pytest.raises(UserError, match=f"{path}: the header has 10001 columns, more than the "
                                         f"{MAX_COLUMNS} read"):  # fmt: skip
        run(session, path)
    assert stored(session) == {}
    fits = write_csv(",".join(columns[:MAX_COLUMNS]) + "\na@example.org\n", "fits.csv")
    assert run(session, fits).added == 1


def test_a_huge_cell_rejects_its_row_only(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(f"email,name\nbig@example.org,{'A' * (MAX_CELL + 1)}\nok@example.org,Ok\n")
    report = run(session, path)
    assert (report.added, report.rejected) == (1, 1)
    assert report.problems[0]["line"] == 2
    assert f"'name' cell has {MAX_CELL + 1} characters" in report.problems[0]["reason"]


def test_a_file_mixing_utf8_and_windows_1254_lines_is_stored_right(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("", "karisik.csv")
    path.write_bytes(
        b"e-posta;ad soyad;kurum\r\n"
        + "ayse@example.org;Ayşe Çelik;Kızılay\r\n".encode()
        + "gul@example.org;Gül Şahin;Sığınma Derneği\r\n".encode("cp1254")
        + "ilk@example.org;İlkay Öğüt;\r\n".encode()
        + "cagri@example.org;Çağrı Işık;İHH\r\n".encode("cp1254")
    )
    report = run(session, path)
    assert (report.encoding, report.added, report.rejected) == ("utf-8+cp1254", 4, 0)
    found = {email: (p.name, p.organisation) for email, p in stored(session).items()}
    assert found == {
        "ayse@example.org": ("Ayşe Çelik", "Kızılay"),
        "gul@example.org": ("Gül Şahin", "Sığınma Derneği"),
        "ilk@example.org": ("İlkay Öğüt", ""),
        "cagri@example.org": ("Çağrı Işık", "İHH"),
    }


def test_a_mixed_file_with_a_byte_order_mark_and_cr_line_endings(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("", "mac.csv")
    path.write_bytes(
        b"\xef\xbb\xbfemail,name\r"
        + "a@example.org,Ayşe\r".encode()
        + "b@example.org,Barış\r".encode("cp1254")
    )
    report = run(session, path)
    assert report.encoding == "utf-8+cp1254"
    assert {p.name for p in stored(session).values()} == {"Ayşe", "Barış"}


def test_a_byte_that_is_no_known_text_names_its_line(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("", "bozuk.csv")
    path.write_bytes(b"email,name\na@example.org,Ay\xfee\nb@example.org,B\x81\n")
    refused(session, path, "line 3: byte 0x81 is neither UTF-8 nor Windows-1254 text")


def test_the_import_summary_sends_no_control_characters_to_the_terminal(cli, write_csv) -> None:
    assert cli("lists", "create", "aylik-tr", "--name", "Aylık").exit_code == 0
    path = write_csv("email,name\n\x1b]0;owned\x07\x1b[2Jkötü,Ad\n")
    done = cli("subscribers", "import", str(path), "--list", "aylik-tr")
    assert done.exit_code == 0 and "rejected" in done.stdout
    assert "line 2 (]0;owned [2Jkötü): rejected:" in done.stdout
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
