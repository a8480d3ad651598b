"""Partners and donors: one table of acronyms and full names in English and Turkish, matched
either way and counted once; admins add, edit and remove them."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from newsletter.core.config import Config, LibraryConfig
from newsletter.core.errors import NotFound, UserError
from newsletter.library import partners
from tests.plugins.blocks import NOW


@pytest.fixture
def index(session: Session, config: Config):
    return partners.index(session, config.library)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Officials of the Directorate-General for Migration Management (DGMM) met.",
         ["Directorate General of Migration Management"]),
        ("DGMM staff joined.", ["DGMM"]),
        ("Food cards from the World Food Programme reached Hatay; WFP staff visited.",
         ["World Food Programme"]),
        ("WFP teams, then the European Union Delegation to Turkey and the EU ambassador.",
         ["WFP", "European Union"]),
        ("Funded by the European Union (EU); the EU-funded phase ends.", ["European Union"]),
        ("An EU-funded centre, with WHO and İŞKUR; who knows.", ["EU", "WHO", "İŞKUR"]),
        ("Göç İdaresi Genel Müdürlüğü ve Türk Kızılay birlikte çalıştı.",
         ["Directorate General of Migration Management", "Turkish Red Crescent"]),
        ("the world bank and a museum in EUROPE paid EUR 5", []),
    ],
)  # fmt: skip
def test_found_either_way_and_counted_once(index, text: str, expected: list[str]) -> None:
    assert index.labels(text) == expected


def test_a_turkish_block_lists_turkish_names(index) -> None:
    text = "Avrupa Birliği tarafından finanse edilen proje, AB ve DGMM ile sürüyor."
    assert index.labels(text, "tr") == ["Avrupa Birliği", "GİGM"]


def test_add_edit_remove_and_the_importer_sees_it(session: Session, config: Config) -> None:
    fields = {"name": "Sivil Toplum Ağı", "acronym": "STA", "aliases": ["Civil Society Network"],
              "kind": "ngo"}  # fmt: skip
    row = partners.add(session, fields, NOW)
    assert partners.index(session, config.library).labels("STA and the Civil Society Network") == [
        "Sivil Toplum Ağı"
    ]
    assert partners.get(session, "civil society network").id == row.id
    partners.edit(session, "STA", {"acronym": "CSN", "name_tr": "Sivil Toplum Ağı"}, NOW)
    assert partners.index(session, config.library).labels("CSN met.") == ["CSN"]
    partners.remove(session, str(row.id))
    assert partners.index(session, config.library).labels("CSN met.") == []
    with pytest.raises(NotFound, match="no partner 'CSN'"):
        partners.get(session, "CSN")


def test_no_two_partners_share_a_name(session: Session) -> None:
    with pytest.raises(UserError, match="'EU' already names European Union"):
        partners.add(session, {"name": "European Unity Fund", "acronym": "EU"}, NOW)
    with pytest.raises(UserError, match="kind: unknown kind 'club'"):
        partners.add(session, {"name": "A Club", "kind": "club"}, NOW)
    with pytest.raises(UserError, match="name: a partner needs its full name"):
        partners.add(session, {"acronym": "XYZ"}, NOW)
    with pytest.raises(UserError, match="name contains the bidi control U\\+202E"):
        partners.add(session, {"name": "Kilis \u202eFund"}, NOW)
    assert partners.add(session, {"name": "Two\nlines"}, NOW).name == "Two lines"


def test_names_set_in_the_config_are_recognised_too(session: Session) -> None:
    library = LibraryConfig(partners=["Kilis Municipality", "EU"])
    found = partners.index(session, library).labels("Kilis Municipality and the EU")
    assert found == ["Kilis Municipality", "EU"]
    assert partners.index(session, LibraryConfig()).labels("Kilis Municipality") == []
