"""CSV export: what `import` reads back unchanged, in plain and Excel flavours."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.audience import lists, subscriptions
from newsletter.audience.csv_export import export_csv
from newsletter.audience.csv_import import ImportOptions, import_csv
from newsletter.core import db
from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, Subscriber
from tests.conftest import write_config
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

SOURCE = (
    "email;name;language;organisation;şehir;telefon\n"
    "İPEK@örnek.com.tr;İpek Yıldız;tr;Kızılay;Gaziantep;\n"
    "محمد.علي@example.com;محمد علي;ar;;Hatay;+90 555 000 00 00\n"
    'leyla@xn--rnek-4qa.com.tr;"Demir; Leyla";en;IOM;;\n'
    'o\'neil@example.org;Seán O\'Neil;;"Quote ""Co""";Ankara;\n'
)


def _fresh_session(tmp_path: Path, name: str) -> tuple[Engine, Session]:
    folder = tmp_path / name
    folder.mkdir()
    engine = db.make_engine(load_config(write_config(folder)))
    db.upgrade(engine)
    return engine, Session(engine, expire_on_commit=False)


def _load(session: Session, path: Path) -> None:
    lists.create(session, "aylik-tr", "Aylık", AUDIENCE_NOW, default_language="tr")
    options = ImportOptions("aylik-tr", confirmed=True, consent_source="paper forms")
    import_csv(session, AUDIENCE_SECRET, path, options, AUDIENCE_NOW)


@pytest.mark.parametrize("excel", [False, True])
def test_round_trip_export_import_export_is_identical(tmp_path: Path, excel: bool) -> None:
    source = tmp_path / "source.csv"
    source.write_text(SOURCE, encoding="utf-8")
    first_engine, first = _fresh_session(tmp_path, "first")
    _load(first, source)
    exported = tmp_path / "export1.csv"
    assert export_csv(first, exported, "aylik-tr", excel=excel) == 4
    second_engine, second = _fresh_session(tmp_path, "second")
    _load(second, exported)
    again = tmp_path / "export2.csv"
    export_csv(second, again, "aylik-tr", excel=excel)
    assert again.read_bytes() == exported.read_bytes()
    for one, two in zip(_people(first), _people(second), strict=True):
        assert one == two
    for engine, session in ((first_engine, first), (second_engine, second)):
        session.close()
        engine.dispose()


def _people(session: Session) -> list[tuple]:
    found = session.exec(select(Subscriber).order_by(Subscriber.email))
    return [
        (s.email, s.email_ascii, s.name, s.language, s.organisation, s.attributes) for s in found
    ]


def test_export_columns_and_excel_flavour(
    session: Session, double_list: MailingList, tmp_path: Path
) -> None:
    source = tmp_path / "source.csv"
    source.write_text(SOURCE, encoding="utf-8")
    options = ImportOptions("aylik-tr", confirmed=True, consent_source="paper forms")
    import_csv(session, AUDIENCE_SECRET, source, options, AUDIENCE_NOW)
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    export_csv(session, plain, "aylik-tr")
    export_csv(session, excel, "aylik-tr", excel=True)
    assert plain.read_text(encoding="utf-8").splitlines()[0] == (
        "email,name,language,organisation,telefon,şehir"
    )
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[1] == (
        "ipek@örnek.com.tr;İpek Yıldız;tr;Kızılay;;Gaziantep"
    )


def test_export_follows_list_and_status(
    session: Session, double_list: MailingList, single_list: MailingList, tmp_path: Path
) -> None:
    for email, slug in (("a@example.com", "aylik-tr"), ("b@example.com", "updates-en")):
        subscriptions.subscribe(session, AUDIENCE_SECRET, email, "", "tr", [slug], "test", None,
                              None, "ok", None, AUDIENCE_NOW)  # fmt: skip
    out = tmp_path / "out.csv"
    assert export_csv(session, out, "aylik-tr") == 1
    assert "a@example.com" in out.read_text() and "b@example.com" not in out.read_text()
    assert export_csv(session, out, "aylik-tr", status="confirmed") == 0
    assert export_csv(session, out) == 2
    with pytest.raises(UserError, match="--status needs --list"):
        export_csv(session, out, status="confirmed")
    with pytest.raises(UserError, match="status 'gone'"):
        export_csv(session, out, "aylik-tr", status="gone")
