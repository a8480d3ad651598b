"""Programme areas from a block's words, and partner names found as whole words."""

from __future__ import annotations

import pytest

from newsletter.core.config import Area, LibraryConfig
from newsletter.core.errors import UserError
from newsletter.library.areas import area_name, area_slug, find_partners, suggest_area

LIBRARY = LibraryConfig()


@pytest.mark.parametrize(
    "title, body, slug",
    [
        ("Mobile Health Teams Reach Families", "check-ups, vaccinations, psychosocial support",
         "migration-health"),
        ("Job Fair Connects Jobseekers with Employers", "vocational courses and job offers",
         "economic-recovery"),
        ("Exercise at the Airport", "border police checked passports and visas",
         "border-governance"),
        ("Earthquake Relief Continues", "winter kits and shelter", "emergency-response"),
        ("Pre-departure Orientation", "refugees resettled to Canada", "resettlement"),
    ],
)  # fmt: skip
def test_suggests_the_area_whose_words_the_block_uses(title: str, body: str, slug: str) -> None:
    suggestion = suggest_area(LIBRARY, title, body)
    assert suggestion is not None and suggestion.slug == slug
    assert suggestion.keywords


def test_no_keyword_no_suggestion() -> None:
    assert suggest_area(LIBRARY, "Letters exchanged", "The two offices signed a letter.") is None


def test_configured_areas_are_used() -> None:
    library = LibraryConfig(areas=[Area(slug="iklim", name="İklim", keywords=["kuraklık"])])
    suggestion = suggest_area(library, "KURAKLIK raporu", "")
    assert suggestion is not None and suggestion.slug == "iklim"


def test_area_by_slug_or_name_and_a_clear_error() -> None:
    assert area_slug(LIBRARY, "Protection") == "protection"
    assert area_slug(LIBRARY, "migration health") == "migration-health"
    assert area_name(LIBRARY, "protection") == "Protection"
    with pytest.raises(UserError, match="area: unknown programme area 'weather'.*protection"):
        area_slug(LIBRARY, "weather")


def test_partners_whole_words_and_acronyms_in_capitals() -> None:
    text = (
        "Who funds it? The WHO and İŞKUR do; a museum in EUROPE paid EUR 5. "
        "the world bank said nothing but the World Bank did."
    )
    assert find_partners(LIBRARY.partners, text) == ["WHO", "İŞKUR", "World Bank"]


def test_eu_counts_once_after_its_long_name() -> None:
    text = "Funded by the European Union (EU); later the EU-funded phase and the ILO."
    assert find_partners(LIBRARY.partners, text) == ["European Union", "ILO"]
    assert find_partners(LIBRARY.partners, "An EU funded project") == ["EU"]


def test_an_acronym_used_before_its_long_name_counts_once() -> None:
    text = (
        "DGILF and the municipality of Kilis meet\n\n"
        "Officials of the Directorate General of International Labour Force (DGILF) attended."
    )
    assert find_partners(LIBRARY.partners, text) == [
        "Directorate General of International Labour Force"
    ]
