"""The database: SQLite settings, Alembic upgrades that keep data, refusal of an old schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from newsletter.core import db
from newsletter.core.config import Config
from newsletter.core.errors import UserError


def test_sqlite_runs_in_wal_with_foreign_keys(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_fresh_database_is_at_head(engine: sa.Engine) -> None:
    assert db.current_revision(engine) == db.head_revision(engine)


def test_head_constant_matches_the_migration_scripts(engine: sa.Engine) -> None:
    """migrations.HEAD must name the newest script: update it with every migration."""
    assert db.script_head(engine) == db.head_revision()


def test_open_database_refuses_missing_or_old_schema(config: Config) -> None:
    with pytest.raises(UserError, match="newsletter init"):
        db.open_database(config)
    assert not (config.resolve_path("newsletter.db")).exists()  # no empty file left behind
    engine = db.make_engine(config)
    db.upgrade(engine, "0001")
    with pytest.raises(UserError, match="newsletter db upgrade"):
        db.open_database(config)
    db.upgrade(engine)
    assert db.open_database(config)


def test_upgrade_from_first_revision_keeps_data(config: Config) -> None:
    engine = db.make_engine(config)
    db.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO blocks (title, body, summary, kind, tags, places, partners, language,"
                " status, author, created_at, updated_at) VALUES ('Şanlıurfa’da yeni merkez',"
                " 'Gövde', '', 'story', '[]', '[\"Şanlıurfa\"]', '[]', 'tr', 'draft', 'ayşe',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    db.upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT title, places FROM blocks")).one()
    assert row.title == "Şanlıurfa’da yeni merkez"
    assert "Şanlıurfa" in row.places


ADD_COLUMN = '''
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("nickname", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("nickname")
'''


def test_a_new_version_adding_a_column_keeps_existing_rows(
    config: Config, tmp_path: Path
) -> None:
    """A database made by this version upgrades to a (simulated) next version without loss."""
    engine = db.make_engine(config)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO subscribers (email, email_ascii, name, language, organisation,"
                " attributes, status, created_at, updated_at) VALUES ('ayse@örnek.com.tr',"
                " 'ayse@xn--rnek-4qa.com.tr', 'Ayşe Yılmaz', 'tr', '', '{}', 'active',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    scripts = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, scripts)
    (scripts / "versions" / "9999_add_nickname.py").write_text(
        ADD_COLUMN.format(head=db.script_head(engine))
    )
    cfg = db.alembic_config(engine)
    cfg.set_main_option("script_location", str(scripts))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT name, nickname FROM subscribers")).one()
    assert tuple(row) == ("Ayşe Yılmaz", "")
    command.downgrade(cfg, "-1")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM subscribers")).scalar() == "Ayşe Yılmaz"


def test_session_scope_rolls_back_on_error(engine: sa.Engine) -> None:
    from newsletter.core.models import MailingList

    with pytest.raises(RuntimeError), db.session_scope(engine) as s:
        s.add(MailingList(slug="x", name="X"))
        s.flush()
        raise RuntimeError("boom")
    with db.session_scope(engine) as s:
        assert s.exec(sa.select(MailingList)).first() is None


def test_aware_times_round_trip(engine: sa.Engine) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from newsletter.core.models import MailingList

    istanbul = timezone(timedelta(hours=3))
    with db.session_scope(engine) as s:
        s.add(MailingList(slug="t", name="T", created_at=datetime(2026, 5, 1, 12, tzinfo=istanbul)))
    with db.session_scope(engine) as s:
        got = s.exec(sa.select(MailingList)).scalars().one().created_at
    assert got == datetime(2026, 5, 1, 9, tzinfo=UTC)
