"""Mailing lists: create, find, edit, delete, count members; bad input named clearly."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from newsletter.audience import lists, roster
from newsletter.core.errors import NotFound, StateError, UserError
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET


def test_create_and_find(session: Session) -> None:
    made = lists.create(session, "aylik-tr", "Aylık Bülten", AUDIENCE_NOW, "Her ay.",
                        "single", "public", "tr")  # fmt: skip
    found = lists.get(session, "aylik-tr")
    assert found.id == made.id
    assert (found.name, found.opt_in, found.visibility, found.default_language) == (
        "Aylık Bülten", "single", "public", "tr",
    )  # fmt: skip
    assert [m.slug for m in lists.all_lists(session, public_only=True)] == ["aylik-tr"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"slug": "Aylık"}, "list slug 'Aylık'"),
        ({"name": "  "}, "needs a name"),
        ({"opt_in": "triple"}, "opt-in 'triple'"),
        ({"visibility": "secret"}, "visibility 'secret'"),
        ({"default_language": "Türkçe"}, "default language 'Türkçe'"),
    ],
)
def test_bad_values_are_named(session: Session, kwargs: dict, message: str) -> None:
    args = {"slug": "aylik", "name": "Aylık", "now": AUDIENCE_NOW} | kwargs
    with pytest.raises(UserError, match=message):
        lists.create(session, **args)


def test_duplicate_slug_and_unknown_slug(session: Session) -> None:
    lists.create(session, "aylik", "Aylık", AUDIENCE_NOW)
    with pytest.raises(StateError, match="already exists"):
        lists.create(session, "aylik", "Başka", AUDIENCE_NOW)
    with pytest.raises(NotFound, match="no list with slug 'haftalik'"):
        lists.get(session, "haftalik")


def test_edit_changes_only_given_fields(session: Session) -> None:
    lists.create(session, "aylik", "Aylık", AUDIENCE_NOW, description="Eski")
    edited = lists.edit(session, "aylik", name="Aylık Haberler", visibility="public")
    assert (edited.name, edited.description, edited.visibility) == (
        "Aylık Haberler", "Eski", "public",
    )  # fmt: skip
    with pytest.raises(UserError, match="opt-in 'sometimes'"):
        lists.edit(session, "aylik", opt_in="sometimes")


def test_counts_and_delete_needs_force_when_members(session: Session) -> None:
    mlist = lists.create(session, "aylik", "Aylık", AUDIENCE_NOW, opt_in="single")
    roster.add(session, AUDIENCE_SECRET, "ayse@example.com", AUDIENCE_NOW, list_slugs=["aylik"])
    roster.add(session, AUDIENCE_SECRET, "veli@example.com", AUDIENCE_NOW, list_slugs=["aylik"])
    assert lists.counts(session)[mlist.id] == lists.ListCounts(confirmed=2)
    with pytest.raises(StateError, match="has 2 subscriptions: use --force"):
        lists.delete(session, "aylik")
    assert lists.delete(session, "aylik", force=True) == 2
    assert lists.find(session, "aylik") is None
    # The people stay; only their membership of the deleted list went.
    rows, total = roster.listing(session, roster.Filters())
    assert total == 2 and all(row["lists"] == {} for row in rows)
