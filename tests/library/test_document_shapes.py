"""The documents offices really send, imported into a real database: press-release pages,
overviews in capitals, features with sub-headings, bulletins whose dates need the document's
year. Each test states the blocks a careful officer would write down (fixtures are our own)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.core.config import Config
from newsletter.core.models import Block
from newsletter.library.importer import FileReport, ImportOptions, import_files
from tests.plugins.blocks import FIXTURES, NOW

ODD_SPACES = ("\u00a0", "\u202f", "\u00ad", "\u200b")


def _import(engine: Engine, config: Config, name: str, **options) -> tuple[FileReport, list]:
    (report,) = import_files(
        engine, config.library, [FIXTURES / name], ImportOptions(**options), NOW
    )
    assert report.error is None, report.error
    with Session(engine) as session:
        return report, list(session.exec(select(Block).order_by(Block.id)))


def _dropped(report: FileReport) -> list[tuple[int, str, str]]:
    return [(d["line"], d["text"], d["reason"]) for d in report.dropped]


def test_press_release_page_with_single_blank_lines(engine: Engine, config: Config) -> None:
    report, found = _import(engine, config, "blocks-press-releases.txt")
    assert [b.title for b in found] == [
        "Mobile Teams Bring Health Care to Seasonal Workers in Adana",
        "Training for 120 Border Officials Completed in Van",
        "Geneva Conference Hears from Women Entrepreneurs in Gaziantep",
    ]
    health, border, geneva = found
    assert health.summary == (
        "Nurses and doctors will visit farm settlements on the Çukurova plain every week until "
        "the harvest ends"
    )
    # No date of its own: the date line under the headline, as a guess to check.
    assert (health.event_date, health.event_date_end) == (date(2019, 12, 18), None)
    assert health.guessed == ["event_date", "area"]
    # "12 December" takes the year of the page's other releases.
    assert (border.event_date, geneva.event_date) == (date(2019, 12, 12), date(2019, 12, 17))
    assert "event_date" in border.guessed and "event_date" not in geneva.guessed
    assert [b.places for b in found] == [
        ["Adana", "Yüreğir", "Karataş"], ["Van"], ["Geneva", "Gaziantep"],
    ]  # fmt: skip
    assert [b.partners for b in found] == [
        ["Ministry of Health", "European Union"],
        ["Directorate General of Migration Management",
         "Bureau of Population, Refugees, and Migration"],
        ["World Food Programme", "İŞKUR"],
    ]  # fmt: skip
    assert _dropped(report) == [(1, "Press releases", "page heading")]


def test_press_release_structure_stays_inside_its_release(engine: Engine, config: Config) -> None:
    _, (health, border, geneva) = _import(engine, config, "blocks-press-releases.txt")
    # The dateline gave the place and is off the text; the capitalised sub-heading stays, in
    # title case, and the quote pulled above it follows that section's first paragraph.
    assert health.body.split("\n\n") == [
        "Three mobile health teams started visiting seasonal agricultural workers and their "
        "families in Adana’s Yüreğir and Karataş districts this week, in cooperation with the "
        "Ministry of Health and with funding from the European Union.",
        "The teams offer check-ups, vaccinations for children and referrals to hospitals, and a "
        "social worker travels with each of them. In the first five days they saw 412 people, "
        "many of whom had not seen a doctor since they arrived on the plain in spring.",
        "#### Next Steps for the Programme",
        "A fourth team will join in January, and the provincial health directorate plans to add "
        "a dental check-up to every visit. Families who move on to other provinces receive a "
        "card that lets doctors there see their records.",
        "> “Next year we want every family on the plain to have seen a doctor at least once.”\n>"
        "\n> — Dr Elif Karaca, team coordinator",
    ]
    # The quote above the second headline is the second release's, not the end of the first.
    assert border.body.split("\n\n")[1] == (
        "> “We now know which questions to ask, and whom to call.”\n>\n"
        "> — Captain Murat Öz, course participant"
    )
    assert border.body.startswith("A three-month course") and "Captain" not in health.body
    assert geneva.body.startswith("Two women who set up businesses in Gaziantep")
    for block in (health, border, geneva):
        assert not any(c in block.body or c in block.title for c in ODD_SPACES)
    assert "“Artık kendi işimin sahibiyim.”" in geneva.body  # Turkish letters, typographic quotes
    assert "bookkeeping" in geneva.body and "12 December for 120" in border.body


def test_overview_in_capitals_with_logo_captions(engine: Engine, config: Config) -> None:
    report, found = _import(engine, config, "blocks-overview.txt")
    assert [b.title for b in found] == [
        "Economic Recovery and Labour Integration",
        "Harmonisation and Social Cohesion",
        "Migration Health",
        "Cross-Cutting: Protection and Gender",
    ]
    assert [(b.event_date, b.event_date_end) for b in found] == [
        (date(2020, 12, 14), date(2020, 12, 18)),  # "Between 14 and 18 December"
        (date(2020, 10, 5), date(2020, 10, 26)),  # "from 5 to 26 October"
        (date(2020, 10, 1), date(2020, 12, 31)),  # "between October and December 2020"
        (date(2021, 1, 1), None),  # no date: the overview's, marked as a guess
    ]
    assert [b.partners for b in found] == [
        ["Directorate General of International Labour Force"], ["UNICEF"],
        ["Ministry of Health", "WHO"], [],  # the logos' "European Union" is no partner
    ]  # fmt: skip
    assert [b.places for b in found] == [
        ["Gaziantep", "Şanlıurfa", "Hatay"], ["Kilis", "Mersin"], ["Hatay"], [],
    ]  # fmt: skip
    assert "#### Sport for young people" in found[1].body
    assert "Funded by" not in found[3].body and "Germany" not in found[3].body
    assert all("title" in b.guessed for b in found)
    assert _dropped(report) == [
        (1, "PROGRAMME OVERVIEW: TÜRKİYE", "page heading"),
        (3, "January 2021", "date of the document, used for years left unwritten"),
        (27, "Funded by", "logo caption"),
        (29, "the European Union", "logo caption"),
        (31, "Soutenu par", "logo caption"),
        (33, "Germany", "logo caption"),
        (35, "Norway", "logo caption"),
    ]


def test_overview_keeps_its_capitals_when_asked(engine: Engine, config: Config) -> None:
    _, found = _import(engine, config, "blocks-overview.txt", title_case=False)
    assert found[3].title == "CROSS-CUTTING: PROTECTION AND GENDER"
    assert "#### Sport for young people" in found[1].body
    assert all("title" not in b.guessed for b in found)


def test_feature_with_sub_headings_is_one_story(engine: Engine, config: Config) -> None:
    report, (feature,) = _import(engine, config, "blocks-feature.txt")
    assert feature.title == "Learning a Trade, Rebuilding a Life"
    assert feature.author == "Zeynep Arslan"  # from the byline
    assert feature.event_date == date(2021, 2, 18)  # "on 18 February", year of the byline's date
    assert feature.guessed == ["event_date", "area"]
    assert feature.places == ["Gaziantep", "Şahinbey", "İstanbul"]
    assert feature.partners == ["İŞKUR", "European Union"]
    paragraphs = feature.body.split("\n\n")
    assert paragraphs[2] == "#### From the workshop to the market"
    assert paragraphs[4] == "#### What comes next"
    assert paragraphs[-1] == (
        "> “I was afraid to speak Turkish at first. Now I bargain with suppliers in the bazaar "
        "every week.”\n>\n> — Amal Haddad"
    )
    assert "By Zeynep Arslan" not in feature.body
    assert _dropped(report) == [(1, "Feature", "page heading")]


def test_bulletin_dates_take_the_documents_year(engine: Engine, config: Config) -> None:
    report, found = _import(engine, config, "blocks-bulletin-years.txt")
    assert [(b.title, b.event_date, b.event_date_end) for b in found] == [
        ("Winter Kits Reach Families in Hatay", date(2020, 12, 22), date(2020, 12, 24)),
        ("Vocational Courses End in Konya", date(2020, 10, 26), date(2020, 11, 2)),
        ("Youth Centre Opens in Mersin", date(2020, 11, 5), None),
        ("Small Business Grants: Applications Open", None, None),  # only a deadline
        ("Language Classes Move Online", date(2021, 1, 11), date(2021, 1, 15)),
    ]
    assert [("event_date" in b.guessed) for b in found] == [True, False, False, False, False]
    grants = report.created[3]["recognised"]
    assert grants["deadline"] == {
        "value": "2021-06-25", "confidence": "medium", "how": "a deadline, not the event",
    }  # fmt: skip
    assert "event_date" not in grants
    assert [b.partners for b in found] == [["AFAD"], ["İŞKUR"], ["UNICEF"], ["World Bank"], []]


def test_the_officers_year_is_no_guess(engine: Engine, config: Config) -> None:
    _, found = _import(engine, config, "blocks-bulletin-years.txt", year=2021)
    assert (found[0].event_date, found[0].guessed) == (date(2021, 12, 22), [])


@pytest.mark.parametrize(
    "name, blocks",
    [("blocks-press-releases.txt", 3), ("blocks-overview.txt", 4), ("blocks-feature.txt", 1),
     ("blocks-bulletin-years.txt", 5), ("blocks-bulletin.txt", 10)],
)  # fmt: skip
def test_report_says_how_sure_for_every_block(
    engine: Engine, config: Config, name: str, blocks: int
) -> None:
    report, found = _import(engine, config, name, dry_run=True)
    assert found == [] and len(report.created) == blocks
    for created in report.created:
        notes = created["recognised"]
        assert notes["title"]["value"] == created["title"]
        for note in notes.values():
            assert note["confidence"] in ("high", "medium", "low") and note["how"]
        assert all(g in notes for g in created["guessed"]), created["guessed"]


def test_cleaning_counts_the_odd_spaces(engine: Engine, config: Config, tmp_path: Path) -> None:
    path = tmp_path / "spaces.txt"
    path.write_text(
        "Project update\n\nKilis\u00a0Centre\u200b Opens\n\n"
        "The centre opened on 3\u202fMay 2021 in Kilis, with\u00a0\u00a0UNICEF.\u2028It has a "
        "library.\n",
        "utf-8",
    )
    (report,) = import_files(engine, config.library, [path], ImportOptions(), NOW)
    (created,) = report.created
    assert created["title"] == "Kilis Centre Opens"
    assert created["body"] == (
        "The centre opened on 3 May 2021 in Kilis, with UNICEF. It has a library."
    )
    assert (created["event_date"], report.cleaned) == (date(2021, 5, 3), 5)


def test_markdown_headings_in_capitals_and_odd_spaces(
    engine: Engine, config: Config, tmp_path: Path
) -> None:
    path = tmp_path / "overview.md"
    path.write_text(
        "---\nlanguage: tr\n---\n# Ekim\n\n## GÖÇ VE UYUM ÇALIŞMALARI\n\n"
        "Kilis’te 12\u00a0Ekim 2026 günü İŞKUR ile kurs açıldı.\n\n"
        "## SAĞLIK\n\nHatay’da\u202fmobil ekipler, European Union desteğiyle.\n",
        "utf-8",
    )
    (report,) = import_files(engine, config.library, [path], ImportOptions(), NOW)
    first, second = report.created
    assert (first["title"], second["title"]) == ("Göç ve Uyum Çalışmaları", "Sağlık")
    assert first["body"] == "Kilis’te 12 Ekim 2026 günü İŞKUR ile kurs açıldı."
    assert second["body"] == "Hatay’da mobil ekipler, European Union desteğiyle."
    assert (first["partners"], second["partners"]) == (["İŞKUR"], ["Avrupa Birliği"])
    assert first["guessed"][0] == "title"
