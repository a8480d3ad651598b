"""Names that end up in mail headers are one clean line from the moment they enter the audience.

Typed options are refused with the field named; names from forms and files are folded, since
refusing would lose a person over a wrapped cell.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from newsletter.audience import lists, roster, subscriptions
from newsletter.audience.lookups import find
from newsletter.core import db
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, Subscriber
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

BAD = [
    ("Aylık\r\nBcc: all@example.org", "a carriage return"),
    ("Aylık\nBülten", "a line break"),
    ("Aylık\x00", "a NUL"),
    ("Aylık\x1b[31m", "the control character U+001B"),
    ("Aylık \u202enetlüB", "the bidi control U+202E"),
]


@pytest.mark.parametrize(("name", "problem"), BAD)
def test_cli_refuses_a_list_name_that_is_not_one_line(
    cli, engine: Engine, name: str, problem: str
) -> None:
    made = cli("lists", "create", "aylik", "--name", name)
    assert made.exit_code == 1
    assert f"Error: list name contains {problem}" in made.stderr
    assert cli("lists", "create", "aylik", "--name", "Aylık Bülten").exit_code == 0
    edited = cli("lists", "edit", "aylik", "--name", name)
    assert edited.exit_code == 1 and f"list name contains {problem}" in edited.stderr
    with db.session_scope(engine) as session:
        assert lists.get(session, "aylik").name == "Aylık Bülten"


@pytest.mark.parametrize(("name", "problem"), BAD)
def test_cli_refuses_a_subscriber_name_that_is_not_one_line(
    cli, engine: Engine, name: str, problem: str
) -> None:
    added = cli("subscribers", "add", "ayse@example.org", "--name", name)
    assert added.exit_code == 1 and f"Error: name contains {problem}" in added.stderr
    added = cli("subscribers", "add", "ayse@example.org", "--organisation", name)
    assert added.exit_code == 1 and f"Error: organisation contains {problem}" in added.stderr
    assert cli("subscribers", "add", "ayse@example.org", "--name", "Ayşe").exit_code == 0
    edited = cli("subscribers", "edit", "ayse@example.org", "--name", name)
    assert edited.exit_code == 1 and f"Error: name contains {problem}" in edited.stderr
    with db.session_scope(engine) as session:
        assert find(session, "ayse@example.org").name == "Ayşe"


def test_the_subscribe_form_folds_a_name_onto_one_line(
    session: Session, single_list: MailingList
) -> None:
    result = subscriptions.subscribe(
        session, AUDIENCE_SECRET, "ayse@example.org", "Ayşe\r\nBcc: x@example.org\u202e",
        "tr", ["updates-en"], "form", None, None, "ok", None, AUDIENCE_NOW,
    )  # fmt: skip
    person = session.get(Subscriber, result.subscriber_id)
    assert person.name == "Ayşe Bcc: x@example.org"


def test_the_preferences_page_folds_a_new_name(session: Session, single_list) -> None:
    result = subscriptions.subscribe(
        session, AUDIENCE_SECRET, "ayse@example.org", "Ayşe", "tr", ["updates-en"], "form",
        None, None, "ok", None, AUDIENCE_NOW,
    )  # fmt: skip
    changed = subscriptions.update_preferences(
        session, AUDIENCE_SECRET, result.subscriber_id, now=AUDIENCE_NOW, source="preferences",
        name="Ayşe\nKaya\x07",
    )  # fmt: skip
    assert changed["changed"] == ["name"]
    assert find(session, "ayse@example.org").name == "Ayşe Kaya"


def test_services_refuse_what_the_cli_refuses(session: Session, double_list) -> None:
    with pytest.raises(UserError, match="^list name contains a line break"):
        lists.create(session, "iki", "Bir\nİki", AUDIENCE_NOW)
    with pytest.raises(UserError, match="^name contains the bidi control U\\+202E"):
        roster.add(session, AUDIENCE_SECRET, "a@example.org", AUDIENCE_NOW, name="\u202eA")
