"""Dates as bulletins write them, with the year from the document or the officer."""

from __future__ import annotations

from datetime import date

import pytest

from newsletter.library.datefinder import document_year, find_dates, first_date


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("to honour World Refugee Day on 20th June.", date(2024, 6, 20), None),
        ("an exercise on 23-24 March at the airport", date(2024, 3, 23), date(2024, 3, 24)),
        ("training between 7-9 April 2021 under", date(2021, 4, 7), date(2021, 4, 9)),
        ("training between 7 and 9 April", date(2024, 4, 7), date(2024, 4, 9)),
        ("gathered on the 4th of May 2021 to", date(2021, 5, 4), None),
        ("letters on 23 March 2021 in", date(2021, 3, 23), None),
        ("meeting held on April 27, 2021, within", date(2021, 4, 27), None),
        ("from March 23–24, 2022 in", date(2022, 3, 23), date(2022, 3, 24)),
        ("from 30 September – 2 October 2025 at", date(2025, 9, 30), date(2025, 10, 2)),
        ("sessions from 7 to 9 April", date(2024, 4, 7), date(2024, 4, 9)),
        ("on 2 Sept. 2020", date(2020, 9, 2), None),
        ("20 Haziran 2021 tarihinde", date(2021, 6, 20), None),
        ("4 Şubat günü", date(2024, 2, 4), None),
    ],
)
def test_styles(text: str, start: date, end: date | None) -> None:
    found = first_date(text, year=2024)
    assert found is not None
    assert (found.start, found.end) == (start, end)


def test_month_and_year_only_when_no_day_is_given() -> None:
    found = first_date("In June 2021 the teams met; on 3 May they met again.", year=2021)
    assert found is not None and found.start == date(2021, 5, 3)
    only_month = first_date("In October 2025 teams distributed winter kits.")
    assert only_month is not None
    assert (only_month.start, only_month.has_day) == (date(2025, 10, 1), False)


def test_no_year_known_means_no_date() -> None:
    assert first_date("on 20th June the centre opened") is None


def test_not_dates() -> None:
    text = "We may 2021 see 50 SMEs, 508 firms, room 12.5 March-ing, 31 June 2021 and 2021 alone."
    assert find_dates(text, year=2021) == []


def test_text_and_offset_point_at_the_words() -> None:
    text = "It was held on the 4th of May 2021."
    (found,) = find_dates(text)
    assert found.text == "4th of May 2021"
    assert text[found.offset :].startswith("4th")


def test_document_year_is_the_year_its_dates_name_most() -> None:
    text = "Report 2019. Met on 4 May 2021, then 7-9 April 2021 and 23 March 2020."
    assert document_year(text) == 2021
    assert document_year("Annual report 2023 with no full dates") == 2023
    assert document_year("no year at all") is None


def test_a_deadline_is_used_only_when_nothing_else_is_dated() -> None:
    text = "Applications are open until 25 June 2021; the fair was held on 12 June 2021."
    found = first_date(text)
    assert found is not None and found.start == date(2021, 6, 12)
    only = first_date("Interviews will continue until 25 June 2021.")
    assert only is not None and (only.start, only.deadline) == (date(2021, 6, 25), True)
