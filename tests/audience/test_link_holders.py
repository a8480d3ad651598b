"""person_for_token: a link opens only the record it was made for, never a later one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from newsletter.audience import lookups, privacy, tokens
from newsletter.audience.addresses import normalise
from newsletter.core import db
from newsletter.core.clock import utcnow
from newsletter.core.models import Subscriber
from tests.conftest import SECRET
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

GONE = "^this link is no longer valid$"


def _person(session: Session, email: str, created: datetime = AUDIENCE_NOW) -> Subscriber:
    person = lookups.new_subscriber(normalise(email), created, name="Ayşe Kaya")
    session.add(person)
    session.flush()
    return person


def _data(person_id: int, made: datetime, purpose: str = "unsubscribe") -> tokens.TokenData:
    token = tokens.make(AUDIENCE_SECRET, purpose, person_id, None, now=made)
    return tokens.read(AUDIENCE_SECRET, purpose, token, AUDIENCE_NOW + timedelta(days=1))


def test_a_link_made_after_the_person_joined_opens_them(session: Session) -> None:
    person = _person(session, "ayse@example.org")
    assert lookups.person_for_token(session, _data(person.id, AUDIENCE_NOW)) is person
    later = _data(person.id, AUDIENCE_NOW + timedelta(hours=5))
    assert lookups.person_for_token(session, later) is person


def test_a_link_made_in_the_same_second_as_the_record_works(session: Session) -> None:
    """The token's stamp has whole seconds; the record has microseconds."""
    joined = AUDIENCE_NOW + timedelta(microseconds=900_000)
    person = _person(session, "ayse@example.org", joined)
    assert lookups.person_for_token(session, _data(person.id, joined)) is person


def test_a_link_to_no_one_is_refused(session: Session) -> None:
    with pytest.raises(tokens.TokenError, match=GONE):
        lookups.person_for_token(session, _data(4242, AUDIENCE_NOW))


def test_an_erased_persons_link_is_refused(session: Session) -> None:
    person = _person(session, "ayse@example.org")
    data = _data(person.id, AUDIENCE_NOW + timedelta(minutes=1), "preferences")
    privacy.erase(session, AUDIENCE_SECRET, "ayse@example.org", AUDIENCE_NOW + timedelta(hours=1))
    with pytest.raises(tokens.TokenError, match=GONE) as caught:
        lookups.person_for_token(session, data)
    assert not caught.value.expired


def test_a_link_older_than_the_record_is_refused(session: Session) -> None:
    """As when an old database gave an erased person's id to someone new."""
    person = _person(session, "yeni@example.org")
    with pytest.raises(tokens.TokenError, match=GONE):
        lookups.person_for_token(session, _data(person.id, AUDIENCE_NOW - timedelta(seconds=1)))


def test_removing_the_newest_subscriber_does_not_hand_their_links_on(cli, engine: Engine) -> None:
    """`subscribers remove --yes`, then someone new: the old person's link opens no one."""
    assert cli("subscribers", "add", "eski@example.org", "--name", "Eski Kişi").exit_code == 0
    with db.session_scope(engine) as session:
        old_id = lookups.find(session, "eski@example.org").id
    token = tokens.make(SECRET, "unsubscribe", old_id, None, now=utcnow())
    assert cli("subscribers", "remove", "eski@example.org", "--yes").exit_code == 0
    assert cli("subscribers", "add", "yeni@example.org", "--name", "Yeni Kişi").exit_code == 0
    with db.session_scope(engine) as session:
        new = lookups.find(session, "yeni@example.org")
        assert new.id != old_id
        data = tokens.read(SECRET, "unsubscribe", token, utcnow())
        with pytest.raises(tokens.TokenError, match=GONE):
            lookups.person_for_token(session, data)
