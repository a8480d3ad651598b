"""A list's name and description per language, and the edition its members get by fallback."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from newsletter.audience import lists
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList
from tests.plugins.audience import AUDIENCE_NOW


def _monthly(session: Session, **kw) -> MailingList:
    return lists.create(session, "aylik", "Aylık Bülten", AUDIENCE_NOW, "Her ayın haberleri.",
                        default_language="tr", **kw)  # fmt: skip


def test_a_translation_is_shown_in_its_language_and_the_list_s_own_elsewhere(
    session: Session,
) -> None:
    mlist = _monthly(session)
    assert lists.localised(mlist, "ar") == ("Aylık Bülten", "Her ayın haberleri.")
    lists.translate(session, "aylik", "ar", name="النشرة الشهرية", description="أخبار كل شهر.")
    lists.translate(session, "aylik", "en", name="Monthly bulletin")
    session.refresh(mlist)
    assert lists.localised(mlist, "ar") == ("النشرة الشهرية", "أخبار كل شهر.")
    # A language with only a name keeps the list's own description.
    assert lists.localised(mlist, "en") == ("Monthly bulletin", "Her ayın haberleri.")
    assert lists.localised(mlist, "tr") == ("Aylık Bülten", "Her ayın haberleri.")
    assert lists.as_dict(mlist)["translations"] == {
        "ar": {"name": "النشرة الشهرية", "description": "أخبار كل شهر."},
        "en": {"name": "Monthly bulletin"},
    }


def test_translations_are_changed_field_by_field_and_removed(session: Session) -> None:
    mlist = _monthly(session)
    lists.translate(session, "aylik", "ar", name="النشرة الشهرية", description="أخبار كل شهر.")
    lists.translate(session, "aylik", "ar", description="")  # "" drops that field only
    session.refresh(mlist)
    assert mlist.translations == {"ar": {"name": "النشرة الشهرية"}}
    lists.translate(session, "aylik", "ar", remove=True)
    session.refresh(mlist)
    assert mlist.translations == {}
    with pytest.raises(UserError, match="list 'aylik' has no 'ar' translation"):
        lists.translate(session, "aylik", "ar", remove=True)


@pytest.mark.parametrize(
    ("language", "fields", "message"),
    [
        ("Arapça", {"name": "x"}, "language 'Arapça' is not a language code"),
        ("ar", {"name": "النشرة\nالشهرية"}, "ar list name contains a line break"),
        ("ar", {"name": "\u202eالنشرة"}, "ar list name contains the bidi control U\\+202E"),
        ("ar", {"description": "أخبار\x00"}, "ar list description contains a NUL"),
        ("ar", {}, "nothing to change: give --name, --description or --remove"),
    ],
)
def test_bad_translations_are_named(
    session: Session, language: str, fields: dict, message: str
) -> None:
    _monthly(session)
    with pytest.raises(UserError, match=message):
        lists.translate(session, "aylik", language, **fields)


def test_a_description_may_span_lines(session: Session) -> None:
    mlist = _monthly(session)
    lists.translate(session, "aylik", "ar", description="أخبار كل شهر.\nوقصص من الميدان.")
    assert lists.localised(mlist, "ar")[1] == "أخبار كل شهر.\nوقصص من الميدان."


def test_fallback_language_is_set_checked_and_cleared(session: Session) -> None:
    mlist = _monthly(session, fallback_language="en")
    assert mlist.fallback_language == "en"
    with pytest.raises(UserError, match="fallback language 'İngilizce'"):
        lists.edit(session, "aylik", fallback_language="İngilizce")
    lists.edit(session, "aylik", fallback_language="tr")
    assert mlist.fallback_language == "tr"
    lists.edit(session, "aylik", fallback_language="")  # "": none, the issue's own language
    assert mlist.fallback_language is None
    with pytest.raises(UserError, match="fallback language 'x'"):
        _monthly(session, fallback_language="x")


@pytest.mark.parametrize(
    ("person", "fallback", "expected"),
    [
        ("ar", "tr", "ar"),  # the issue has an Arabic edition: that one
        ("ku", "tr", "tr"),  # no Kurdish edition: the list's fallback
        ("ku", None, "en"),  # no fallback set: the issue's own language
        ("ku", "fa", "en"),  # a fallback the issue has no edition in: the issue's own
    ],
)
def test_the_edition_a_member_gets(
    session: Session, person: str, fallback: str | None, expected: str
) -> None:
    mlist = _monthly(session, fallback_language=fallback)
    assert lists.edition_language(mlist, person, {"en", "tr", "ar"}, "en") == expected
    assert lists.edition_language(None, person, {"en", "tr", "ar"}, "en") in {person, "en"}
