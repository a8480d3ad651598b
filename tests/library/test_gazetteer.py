"""The gazetteer: Türkiye's provinces, cities, crossings and airports, recognised cautiously."""

from __future__ import annotations

import pytest

from newsletter.core.textmatch import fold
from newsletter.library import gazetteer


def test_all_81_provinces_with_unique_names() -> None:
    provinces = gazetteer.provinces()
    assert len(provinces) == 81
    assert len({fold(p.name) for p in provinces}) == 81
    assert {"Şanlıurfa", "İstanbul", "İzmir", "Iğdır", "Hakkâri", "Düzce"} <= {
        p.name for p in provinces
    }


def test_every_place_lies_in_a_known_province() -> None:
    names = {p.name for p in gazetteer.provinces()}
    assert all(p.province in names for p in gazetteer.places())


@pytest.mark.parametrize(
    "written, expected",
    [
        ("Şanlıurfa", "Şanlıurfa"),
        ("SANLIURFA", "Şanlıurfa"),
        ("Sanliurfa", "Şanlıurfa"),
        ("Urfa", "Şanlıurfa"),
        ("Istanbul", "İstanbul"),
        ("ISTANBUL", "İstanbul"),
        ("Izmir", "İzmir"),
        ("Antep", "Gaziantep"),
        ("Afyon", "Afyonkarahisar"),
        ("Hakkari", "Hakkâri"),
        ("Esenboga Airport", "Esenboğa Airport"),
        ("Sabiha Gokcen", "Sabiha Gökçen Airport"),
        ("Gallipoli", "Gelibolu"),
    ],
)
def test_spellings_lead_to_one_place(written: str, expected: str) -> None:
    assert gazetteer.find_places(f"The team travelled to {written} last week.") == [expected]
    assert gazetteer.lookup(written).name == expected  # type: ignore[union-attr]


def test_places_in_order_of_first_mention_without_repeats() -> None:
    text = "Centres in Ankara, Adana, Gaziantep, Mersin and Şanlıurfa; later Ankara again."
    assert gazetteer.find_places(text) == ["Ankara", "Adana", "Gaziantep", "Mersin", "Şanlıurfa"]


def test_longest_name_wins_and_the_city_before_it_counts() -> None:
    text = "An exercise at Ankara Esenboğa Airport and at Istanbul Airport."
    assert gazetteer.find_places(text) == ["Ankara", "Esenboğa Airport", "Istanbul Airport"]


def test_whole_words_only_and_capitalised() -> None:
    text = "We rented a van, read Batmanian poetry, visited Vanadium labs and Mersinli friends."
    assert gazetteer.find_places(text) == []
    assert gazetteer.find_places("Lake Van and BATMAN") == ["Van", "Batman"]


def test_possessive_and_punctuation_do_not_hide_a_place() -> None:
    assert gazetteer.find_places("Mersin’s Mezitli district (Mersin).") == ["Mersin", "Mezitli"]


def test_within_a_province() -> None:
    assert gazetteer.within("Esenboğa Airport", "ankara")
    assert gazetteer.within("Siverek", "Sanliurfa")
    assert gazetteer.within("Kilis", "KİLİS")
    assert not gazetteer.within("Antakya", "Ankara")
    assert gazetteer.within("Somewhere Else", "somewhere else")


def test_a_broken_data_line_names_its_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        gazetteer.parse_gazetteer("Ankara | province | Ankara |\nOops | province\n")
