"""A Turkish capital İ in the domain folds to "i", as Turkish readers mean it.

Turkish Excel exports "mehmet@İstanbul.example" when a colleague capitalised the city. IDNA's
UTS-46 mapping (what email-validator applies) lowers İ to "i" plus U+0307 COMBINING DOT ABOVE,
the punycode domain "xn--istanbul-o0e.example": a domain nobody registered, so the confirmation
bounced. Records stored under that old form are still found, and moved to the right domain.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from newsletter.audience import roster, subscriptions, suppression
from newsletter.audience.addresses import Address, earlier_keys, lookup_keys, normalise
from newsletter.audience.csv_import import ImportOptions, import_csv
from newsletter.audience.lookups import find
from newsletter.core import db
from newsletter.core.config import load_config
from newsletter.core.models import MailingList, MailJob, Subscriber
from newsletter.delivery import confirmations
from tests.conftest import SECRET, write_config
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

TYPED = "mehmet@İstanbul.example"
OLD_KEY = "mehmet@i\u0307stanbul.example"  # what versions before stored
OLD_ENVELOPE = "mehmet@xn--istanbul-o0e.example"


def test_a_dotted_capital_i_in_the_domain_is_a_plain_i() -> None:
    right = Address("mehmet@istanbul.example", "mehmet@istanbul.example")
    assert normalise(TYPED) == right
    assert normalise("MEHMET@İSTANBUL.EXAMPLE") == right
    assert normalise("mehmet@I\u0307stanbul.example") == right  # decomposed capital
    assert normalise(OLD_KEY) == right  # already lowered by str.lower() somewhere
    # Not NFC, so through email-validator's whole path rather than the fast one.
    assert normalise("me\u0301hmet@İstanbul.example") == Address("méhmet@istanbul.example", None)


def test_other_turkish_letters_in_a_domain_stay_as_written() -> None:
    # ı, ş, ö are letters of their own in Turkish domains (.tr registers them): not folded.
    assert normalise("ali@ıstanbul.example").ascii == "ali@xn--stanbul-qfb.example"
    assert normalise("AYŞE@ÖRNEK.com.tr") == Address(
        "ayşe@örnek.com.tr", None
    )  # non-ASCII local part: kept, SMTPUTF8 as before
    assert normalise("ipek@örnek.com.tr").ascii == "ipek@xn--rnek-4qa.com.tr"


def test_the_old_forms_are_earlier_keys() -> None:
    assert earlier_keys(TYPED) == [OLD_KEY]
    assert lookup_keys(TYPED) == ["mehmet@istanbul.example", OLD_KEY]
    # İ in both parts: stored once with both dots (the first versions), then with the dot
    # dropped from the local part only (the last release).
    assert earlier_keys("İPEK@İstanbul.example") == [
        "ipek@i\u0307stanbul.example",
        "i\u0307pek@i\u0307stanbul.example",
    ]
    assert earlier_keys("mehmet@istanbul.example") == []
    assert earlier_keys("ali@ıstanbul.example") == []


def _stored_the_old_way(session: Session) -> Subscriber:
    person = Subscriber(email=OLD_KEY, email_ascii=OLD_ENVELOPE, name="Mehmet Kaya",
                        created_at=AUDIENCE_NOW, updated_at=AUDIENCE_NOW)  # fmt: skip
    session.add(person)
    session.flush()
    return person


def test_a_person_stored_under_the_old_domain_is_found_and_moved_by_an_import(
    session: Session, double_list: MailingList, write_csv
) -> None:
    person = _stored_the_old_way(session)
    assert find(session, TYPED) is person
    path: Path = write_csv(f"E-posta;Kurum\n{TYPED};Kızılay\n")
    report = import_csv(session, AUDIENCE_SECRET, path, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    assert (report.added, report.updated) == (0, 1)
    session.refresh(person)
    assert session.exec(select(Subscriber)).all() == [person]
    assert (person.email, person.email_ascii) == ("mehmet@istanbul.example",) * 2
    assert person.organisation == "Kızılay" and "istanbul.example" in person.search_text


def test_subscribing_again_moves_the_old_record_to_the_right_domain(
    session: Session, single_list: MailingList
) -> None:
    person = _stored_the_old_way(session)
    result = subscriptions.subscribe(
        session, AUDIENCE_SECRET, TYPED, "", "tr", ["updates-en"], "form", None, None, "ok",
        None, AUDIENCE_NOW,
    )  # fmt: skip
    assert result.subscriber_id == person.id
    assert (person.email, person.email_ascii) == ("mehmet@istanbul.example",) * 2
    roster.add(session, AUDIENCE_SECRET, "mehmet@istanbul.example", AUDIENCE_NOW,
               list_slugs=["updates-en"])  # fmt: skip
    assert len(session.exec(select(Subscriber)).all()) == 1


def test_a_suppression_under_the_old_domain_still_holds(
    session: Session, double_list: MailingList, write_csv
) -> None:
    digest = suppression.hash_normalised(AUDIENCE_SECRET, OLD_KEY)
    suppression.add_hash(session, digest, "complaint", AUDIENCE_NOW)
    assert suppression.is_suppressed(session, AUDIENCE_SECRET, TYPED)
    path: Path = write_csv(f"email\n{TYPED}\n")
    report = import_csv(session, AUDIENCE_SECRET, path, ImportOptions("aylik-tr"), AUDIENCE_NOW)
    assert (report.added, report.skipped_suppressed) == (0, 1)


def test_the_csv_row_is_stored_and_confirmed_at_istanbul_example(
    tmp_path: Path, smtp_factory
) -> None:
    server = smtp_factory()
    path = write_config(tmp_path, server.toml())
    path.write_text(path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n'))
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    csv_file = tmp_path / "liste.csv"
    csv_file.write_bytes(f"E-posta;Ad Soyad\n{TYPED};Mehmet Kaya\n".encode("cp1254"))
    with db.session_scope(engine) as session:
        session.add(MailingList(slug="aylik", name="Aylık Bülten", default_language="tr",
                                created_at=AUDIENCE_NOW))  # fmt: skip
        session.flush()
        report = import_csv(session, SECRET, csv_file, ImportOptions("aylik"), AUDIENCE_NOW)
        assert (report.added, report.confirmations_queued) == (1, 1)
        stored = session.exec(select(Subscriber)).one()
        assert (stored.email, stored.email_ascii) == ("mehmet@istanbul.example",) * 2
        assert session.exec(select(MailJob)).one().status == "queued"
    assert confirmations.send_due(engine, config, AUDIENCE_NOW) == 1
    assert [m.rcpt_tos for m in server.messages] == [["mehmet@istanbul.example"]]
    assert "To: Mehmet Kaya <mehmet@istanbul.example>" in server.messages[0].data.decode()
