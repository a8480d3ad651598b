"""Which date is the event, and the year of a date written without one."""

from __future__ import annotations

from datetime import date

import pytest

from newsletter.library.datefinder import DEADLINE, PUBLICATION, scan
from newsletter.library.dateguess import DateContext, pick

OCT_NOV_JAN = [date(2020, 10, 14), date(2020, 11, 3), date(2021, 1, 20)]


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("on the 26th, 30th October, and 2nd November 2020", date(2020, 10, 26), date(2020, 11, 2)),
        ("on 26, 27 and 28 October 2020", date(2020, 10, 26), date(2020, 10, 28)),
        ("from 30 December 2020 – 2 January 2021", date(2020, 12, 30), date(2021, 1, 2)),
        ("from 30 December – 2 January 2021", date(2020, 12, 30), date(2021, 1, 2)),
        ("between October and December 2020", date(2020, 10, 1), date(2020, 12, 31)),
        ("on 18.12.2019 in Van", date(2019, 12, 18), None),
        ("held 2019-12-18", date(2019, 12, 18), None),
    ],
)  # fmt: skip
def test_lists_ranges_and_numbers(text: str, start: date, end: date | None) -> None:
    chosen = pick(scan(text), [], DateContext())
    assert (chosen.start, chosen.end, chosen.guessed) == (start, end, False)


def test_year_from_the_document_nearest_wins() -> None:
    chosen = pick(scan("between 22 and 24 December"), [], DateContext(OCT_NOV_JAN))
    assert (chosen.start, chosen.end) == (date(2020, 12, 22), date(2020, 12, 24))
    assert (chosen.guessed, chosen.confidence) == (True, "low")
    january = pick(scan("on 2 January"), [], DateContext(OCT_NOV_JAN))
    assert january.start == date(2021, 1, 2)


def test_the_storys_own_dates_come_before_the_documents() -> None:
    text = "Planned on 5 December 2021; the visit on 28 December went well."
    chosen = pick(scan(text), [], DateContext([date(2019, 12, 1)]))
    assert chosen.start == date(2021, 12, 5)  # the first event date, written in full
    own = pick(scan("the visit on 28 December went well"), [date(2022, 1, 3)],
               DateContext([date(2019, 12, 1)]))  # fmt: skip
    assert (own.start, own.confidence) == (date(2021, 12, 28), "medium")


def test_a_deadline_and_a_publication_date_are_not_the_event() -> None:
    mentions = scan("Published on 3 March 2021. Applications until 25 June; son başvuru 1 Mayıs.")
    assert [m.kind for m in mentions] == [PUBLICATION, DEADLINE, DEADLINE]
    chosen = pick(mentions, [], DateContext([date(2021, 3, 3)]))
    assert chosen.start == date(2021, 3, 3)  # no event: the publication date, as a guess
    assert chosen.guessed and chosen.deadlines == (date(2021, 6, 25), date(2021, 5, 1))
    kadar = scan("Başvurular 25 Haziran'a kadar sürüyor.")
    assert [m.kind for m in kadar] == [DEADLINE]
    late = pick(scan("Apply until 25 June."), [], DateContext([date(2021, 1, 11)]))
    assert (late.start, late.deadlines) == (None, (date(2021, 6, 25),))  # after the document


def test_no_year_anywhere_means_no_date_and_fixed_year_is_certain() -> None:
    assert pick(scan("on 20th June"), [], DateContext()).start is None
    fixed = pick(scan("on 20th June"), [], DateContext(OCT_NOV_JAN, fixed_year=2024))
    assert (fixed.start, fixed.guessed) == (date(2024, 6, 20), False)
    fallback = pick(scan("on 20th June"), [], DateContext(fallback_year=2023))
    assert (fallback.start, fallback.guessed) == (date(2023, 6, 20), True)
    dated = pick([], [], DateContext(document_date=date(2021, 1, 1)))
    assert (dated.start, dated.guessed) == (date(2021, 1, 1), True)
