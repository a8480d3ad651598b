"""Addresses older versions keyed with the dot of a lowered İ ("i̇pek@…") are still found.

Before, "İPEK.YILDIZ@örnek.com.tr" (Caps Lock on a Turkish keyboard) was stored as
"i̇pek.yildiz@…"; now it is "ipek.yildiz@…". A person stored or suppressed under the old key
must still be found, updated, erased and kept from being mailed again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from newsletter.audience import privacy, roster, subscriptions, suppression
from newsletter.audience.addresses import earlier_key
from newsletter.audience.csv_import import ImportOptions, import_csv
from newsletter.audience.lookups import find
from newsletter.core.errors import StateError
from newsletter.core.models import MailingList, Subscriber
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

TYPED = "İPEK.YILDIZ@örnek.com.tr"
OLD_KEY = "i\u0307pek.yildiz@örnek.com.tr"


def _stored_the_old_way(session: Session) -> Subscriber:
    person = Subscriber(email=OLD_KEY, email_ascii=OLD_KEY, smtputf8=True, name="İpek Yıldız",
                        created_at=AUDIENCE_NOW, updated_at=AUDIENCE_NOW)  # fmt: skip
    session.add(person)
    session.flush()
    return person


def _import(session: Session, write_csv, text: str) -> object:
    path: Path = write_csv(text)
    return import_csv(session, AUDIENCE_SECRET, path, ImportOptions("aylik-tr"), AUDIENCE_NOW)


def test_only_an_address_with_a_capital_dotted_i_has_an_earlier_key() -> None:
    assert earlier_key(TYPED) == OLD_KEY
    assert earlier_key("ipek.yildiz@örnek.com.tr") is None
    assert earlier_key("IPEK@example.org") is None and earlier_key("Şule@example.org") is None


def test_a_person_stored_under_the_old_key_is_found_updated_and_erased(
    session: Session, double_list: MailingList, write_csv
) -> None:
    person = _stored_the_old_way(session)
    assert find(session, TYPED) is person
    report = _import(session, write_csv, f"email,organisation\n{TYPED},Kızılay\n")
    assert (report.added, report.updated) == (0, 1)
    assert session.exec(select(Subscriber)).all() == [person]
    session.refresh(person)
    assert person.organisation == "Kızılay"
    assert privacy.erase(session, AUDIENCE_SECRET, TYPED, AUDIENCE_NOW)["found"]
    assert session.exec(select(Subscriber)).all() == []


def test_a_suppression_under_the_old_key_still_holds(
    session: Session, double_list: MailingList, single_list: MailingList, write_csv
) -> None:
    digest = suppression.hash_normalised(AUDIENCE_SECRET, OLD_KEY)
    suppression.add_hash(session, digest, "complaint", AUDIENCE_NOW)
    assert suppression.is_suppressed(session, AUDIENCE_SECRET, TYPED)
    report = _import(session, write_csv, f"email\n{TYPED}\n")
    assert (report.added, report.skipped_suppressed) == (0, 1)
    with pytest.raises(StateError, match="suppression list"):
        roster.add(session, AUDIENCE_SECRET, TYPED, AUDIENCE_NOW, list_slugs=["aylik-tr"])
    result = subscriptions.subscribe(
        session, AUDIENCE_SECRET, TYPED, "", "tr", ["updates-en"], "form", None, None, "ok",
        None, AUDIENCE_NOW,
    )  # fmt: skip
    assert result.suppressed and session.exec(select(Subscriber)).all() == []
