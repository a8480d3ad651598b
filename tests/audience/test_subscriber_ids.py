"""Subscriber ids are never reused: migration 0007 on a database with people, and after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from newsletter.audience import lookups, tokens
from newsletter.audience.addresses import normalise
from newsletter.core import db
from newsletter.core.config import Config
from newsletter.core.migrations import HEAD
from newsletter.core.models import Subscriber
from tests.plugins.audience import AUDIENCE_NOW, AUDIENCE_SECRET

OLD = "2026-01-05 10:00:00"


def _old_database(config: Config) -> Engine:
    """A database at revision 0006 with four people, the newest (id 4) since erased."""
    engine = db.make_engine(config)
    db.upgrade(engine, "0006")
    with engine.begin() as conn:
        run = conn.exec_driver_sql
        run(
            "INSERT INTO lists (slug, name, description, opt_in, visibility, default_language,"
            f" created_at) VALUES ('aylik', 'Aylık', '', 'double', 'public', 'tr', '{OLD}')"
        )
        for sid in (1, 2, 3, 4):
            run(
                "INSERT INTO subscribers (id, email, email_ascii, name, language, organisation,"
                " attributes, status, created_at, updated_at, smtputf8, search_text) VALUES"
                f" ({sid}, 'kisi{sid}@example.org', 'kisi{sid}@example.org', 'Kişi {sid}', 'tr',"
                f" '', '{{\"il\": \"Van\"}}', 'active', '{OLD}', '{OLD}', 0, 'kisi{sid}')"
            )
            run(
                "INSERT INTO subscriptions (subscriber_id, list_id, status, created_at) VALUES"
                f" ({sid}, 1, 'confirmed', '{OLD}')"
            )
            run(
                "INSERT INTO consent_records (subscriber_id, list_id, event, source, details, at)"
                f" VALUES ({sid}, 1, 'subscribed', 'form', '{{}}', '{OLD}')"
            )
        run("DELETE FROM subscribers WHERE id = 4")  # cascades, as erasure does
    return engine


def _insert(engine: Engine, email: str) -> int:
    with db.session_scope(engine) as session:
        person = lookups.new_subscriber(normalise(email), AUDIENCE_NOW)
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)


def test_migration_keeps_every_row_and_id_and_children(config: Config) -> None:
    engine = _old_database(config)
    db.upgrade(engine)
    assert db.current_revision(engine) == HEAD  # 0007 and every revision after it
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, email, name, attributes FROM subscribers"))
        kept = [(r.id, r.email, r.name) for r in rows]
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'subscribers'")
        schema = sql.scalar()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert kept == [(i, f"kisi{i}@example.org", f"Kişi {i}") for i in (1, 2, 3)]
    assert "AUTOINCREMENT" in schema
    # Dropping the old table with foreign keys on would have cascaded into these.
    assert (_count(engine, "subscriptions"), _count(engine, "consent_records")) == (3, 3)
    with db.session_scope(engine) as session:
        assert session.get(Subscriber, 2).attributes == {"il": "Van"}


def test_after_the_migration_an_erased_id_is_never_given_again(config: Config) -> None:
    engine = _old_database(config)
    db.upgrade(engine)
    new = _insert(engine, "yeni@example.org")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM subscribers WHERE id = {new}")
    assert _insert(engine, "sonraki@example.org") == new + 1


def test_links_of_people_kept_work_and_an_erased_persons_links_do_not(config: Config) -> None:
    """Id 4 was erased before the migration, so SQLite hands it out once more: the record's
    creation time, later than the link, still refuses the old link."""
    engine = _old_database(config)
    made = AUDIENCE_NOW - timedelta(days=30)
    kept = tokens.make(AUDIENCE_SECRET, "preferences", 3, now=made)
    erased = tokens.make(AUDIENCE_SECRET, "unsubscribe", 4, now=made)
    db.upgrade(engine)
    assert _insert(engine, "yeni@example.org") == 4
    with db.session_scope(engine) as session:
        data = tokens.read(AUDIENCE_SECRET, "preferences", kept, AUDIENCE_NOW)
        assert lookups.person_for_token(session, data).email == "kisi3@example.org"
        data = tokens.read(AUDIENCE_SECRET, "unsubscribe", erased, AUDIENCE_NOW)
        with pytest.raises(tokens.TokenError, match="^this link is no longer valid$"):
            lookups.person_for_token(session, data)


def test_fresh_database_never_reuses_the_highest_id(engine: Engine) -> None:
    first, second = _insert(engine, "bir@example.org"), _insert(engine, "iki@example.org")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM subscribers WHERE id = {second}")
    assert _insert(engine, "uc@example.org") == second + 1 == first + 2


def test_downgrade_keeps_rows(config: Config) -> None:
    engine = _old_database(config)
    db.upgrade(engine)
    command.downgrade(db.alembic_config(engine), "0006")
    with engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM subscribers ORDER BY id")]
        schema = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'subscribers'"
        ).scalar()
    assert ids == [1, 2, 3]
    assert "AUTOINCREMENT" not in schema
    assert _count(engine, "subscriptions") == 3
