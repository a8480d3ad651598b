"""Telling headlines from sub-headings by shape and by the document's habits (pure text)."""

from __future__ import annotations

from newsletter.library.bulletin import split_bulletin
from newsletter.library.titlecase import title_case

STORY = "Sixty people took part in the sessions, which ran for three weeks and ended with a meal."


def _titles(text: str) -> list[str]:
    return [s.title for s in split_bulletin(text).stories]


def test_single_blank_lines_still_split_stories_by_shape() -> None:
    text = f"Monthly update\n\nClinic Opens in Kilis\n\n{STORY}\n\nJob Fair in Hatay\n\n{STORY}\n"
    bulletin = split_bulletin(text)
    assert [s.title for s in bulletin.stories] == ["Clinic Opens in Kilis", "Job Fair in Hatay"]
    assert bulletin.document_type == "Monthly update"
    assert [s.body for s in bulletin.stories] == [STORY, STORY]


def test_a_headline_in_quotes_is_a_headline_and_a_quoted_sentence_is_prose() -> None:
    text = f"‘Back at School’\n\n{STORY}\n\nShe said: “we are home.”\n\nNew Centre Opens\n\n{STORY}"
    stories = split_bulletin(text).stories
    assert [s.title for s in stories] == ["‘Back at School’", "New Centre Opens"]
    assert stories[0].paragraphs == [STORY, "She said: “we are home.”"]


def test_capitalised_sub_heading_in_a_document_of_small_letters() -> None:
    text = (
        f"Clinic Opens in Kilis\n\n{STORY}\n\nWHAT COMES NEXT\n\n{STORY}\n\n"
        f"Job Fair in Hatay\n\n{STORY}\n\nCourses in Konya Begin\n\n{STORY}"
    )
    stories = split_bulletin(text, case=title_case).stories
    assert [s.title for s in stories] == [
        "Clinic Opens in Kilis", "Job Fair in Hatay", "Courses in Konya Begin",
    ]  # fmt: skip
    assert stories[0].paragraphs == [STORY, "#### What Comes Next", STORY]


def test_a_paragraph_that_goes_on_about_someone_keeps_its_heading_inside() -> None:
    text = f"Ayşe Opens a Shop\n\n{STORY}\n\nA new start\n\nShe now employs two neighbours."
    (story,) = split_bulletin(text).stories
    assert story.paragraphs == [STORY, "#### A new start", "She now employs two neighbours."]


def test_releases_are_told_by_their_datelines() -> None:
    text = (
        "Latest news\n\nTeams Reach Mardin\n\nMardin – Two teams arrived on Monday. They met "
        f"officials.\n\nA Busy Week\n\n{STORY}\n\nCentre Opens in Van\n\nVAN, 3 May 2021 — The "
        "centre opened."
    )
    stories = split_bulletin(text).stories
    assert [s.title for s in stories] == ["Teams Reach Mardin", "Centre Opens in Van"]
    assert stories[0].paragraphs == [
        "Two teams arrived on Monday. They met officials.", "#### A Busy Week", STORY,
    ]  # fmt: skip
    assert stories[0].dateline and stories[0].dateline.place == "Mardin"
    dateline = stories[1].dateline
    assert dateline and (dateline.place, dateline.date_text) == ("Van", "3 May 2021")
    assert stories[1].paragraphs == ["The centre opened."]


def test_no_dateline_in_ordinary_sentences() -> None:
    text = (
        "Twenty-four Women – All Mothers – Finish a Course\n\nTwenty-four women – all of them "
        "mothers – finished the course. The Minister – who opened it – spoke.\n\nKilis–Gaziantep "
        f"Road Reopens\n\nKilis–Gaziantep road reopened on Monday.\n\nThird Story\n\n{STORY}"
    )
    assert all(s.dateline is None for s in split_bulletin(text).stories)


def test_a_gap_of_two_blank_lines_decides_when_the_document_uses_it() -> None:
    text = (
        f"Programme bulletin\n\nClinic Opens\n\n{STORY}\n\nNext steps\n\n{STORY}\n\n\n"
        f"KEY PROGRAMMES\n\n\nJob Fair Held\n\n{STORY}\n"
    )
    bulletin = split_bulletin(text)
    assert [s.title for s in bulletin.stories] == ["Clinic Opens", "Job Fair Held"]
    assert bulletin.stories[0].paragraphs == [STORY, "#### Next steps", STORY]
    assert [(d.text, d.reason) for d in bulletin.dropped] == [
        ("Programme bulletin", "page heading"), ("KEY PROGRAMMES", "section label"),
    ]  # fmt: skip


def test_text_under_a_page_heading_is_dropped_and_said() -> None:
    text = (
        f"Press releases\n\nRead our latest news below.\n\nClinic Opens\n\nKilis – {STORY}\n\n"
        f"Fair Held\n\nHatay – {STORY}"
    )
    bulletin = split_bulletin(text)
    assert [s.title for s in bulletin.stories] == ["Clinic Opens", "Fair Held"]
    assert [(d.line, d.reason) for d in bulletin.dropped] == [
        (1, "page heading"), (3, "text under the page heading"),
    ]  # fmt: skip


def test_captions_are_dropped_only_at_the_end() -> None:
    text = (
        f"Centre Opens\n\nFunded by the European Union, the centre opened. {STORY}\n\n"
        "Contact: info@example.org\n\nFunded by\n\nIOM\n\nJapan"
    )
    bulletin = split_bulletin(text, names={"iom"})
    assert bulletin.stories[0].paragraphs[-1] == "Contact: info@example.org"
    assert [d.text for d in bulletin.dropped] == ["Funded by", "IOM", "Japan"]
