"""Rows imported but flagged: a name that arrived as question marks means a wrongly saved file.

An export saved in an encoding without Turkish or Arabic letters (Latin-1, ASCII) turns each
of them into "?": "Mehmet Y?lmaz", "???? ?????". The row is imported (the address is fine) and
the report names its line, so someone can fix the name or export the file again as UTF-8.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import Session, select

from newsletter.audience.csv_import import ImportOptions, import_csv, summary, wrongly_encoded
from newsletter.audience.csv_source import Row
from newsletter.core.models import MailingList, Subscriber
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_question_mark_names_are_imported_and_flagged_with_their_line(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv(
        "email;name;organisation\n"
        "ahmed@example.org;???? ?????;\n"
        "ayse@example.org;Ayşe Kaya;Kızılay\n"
        "mehmet@example.org;Mehmet Y?lmaz;\n"
        "soru@example.org;Ayşe Kaya;K?z?lay\n"
        "bad-address;?????;\n"
    )
    report = import_csv(session, AUDIENCE_SECRET, path, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    assert (report.rows, report.added, report.rejected, report.warnings) == (5, 4, 1, 3)
    assert report.not_imported == 1  # warnings are imported rows
    names = {s.email: s.name for s in session.exec(select(Subscriber))}
    assert names["ahmed@example.org"] == "???? ?????"  # kept as it came: nothing to guess
    flagged = [(p["line"], p["outcome"]) for p in report.problems]
    assert flagged == [(2, "warning"), (4, "warning"), (5, "warning"), (6, "rejected")]
    assert report.problems[0]["reason"] == (
        "imported, but the name '???? ?????' has question marks where letters were (one already "
        "stored is kept): the file was probably saved in an encoding without them; save it as "
        "CSV UTF-8 and import again"
    )
    assert "the organisation 'K?z?lay'" in report.problems[2]["reason"]
    rows = _report(path.parent / "people-report.csv")
    assert [(r["line"], r["outcome"]) for r in rows][:4] == [
        ("2", "warning"), ("4", "warning"), ("5", "warning"), ("6", "rejected"),
    ]  # fmt: skip
    assert rows[-1]["reason"] == summary(report) and "warnings 3" in summary(report)


def test_a_flagged_row_that_is_skipped_is_reported_once_as_skipped(
    session: Session, double_list: MailingList, write_csv
) -> None:
    path = write_csv("email;name\nayse@example.org;Ay?e\nayse@example.org;Ay?e\n")
    report = import_csv(session, AUDIENCE_SECRET, path, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    assert [(p["line"], p["outcome"]) for p in report.problems] == [
        (2, "warning"), (3, "duplicate"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("???? ?????", True),
        ("Mehmet Y?lmaz", True),
        ("?zge", True),
        ("Ay\ufffde", True),  # the replacement character: bytes that were not text
        ("Ayşe Kaya", False),
        ("أحمد علي", False),
        ("Who? Ltd", False),  # a question mark that ends a word, once: punctuation
        ("", False),
    ],
)
def test_what_counts_as_letters_lost(name: str, flagged: bool) -> None:
    row = Row(2, "a@example.org", name, "", "", {})
    assert (wrongly_encoded(row) is not None) is flagged


def test_a_name_already_stored_is_not_overwritten_with_question_marks(
    session: Session, double_list: MailingList, write_csv
) -> None:
    first = write_csv("email;name\nahmed@example.org;أحمد علي\nnew@example.org;\n", "a.csv")
    import_csv(session, AUDIENCE_SECRET, first, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    again = write_csv("email;name\nahmed@example.org;???? ???\nnew@example.org;Y?lmaz\n", "b.csv")
    report = import_csv(session, AUDIENCE_SECRET, again, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    assert (report.updated, report.unchanged, report.warnings) == (1, 1, 2)
    names = {s.email: s.name for s in session.exec(select(Subscriber))}
    assert names == {"ahmed@example.org": "أحمد علي", "new@example.org": "Y?lmaz"}
