"""The database: SQLite settings, Alembic upgrades that keep data, refusal of an old schema."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from newsletter.core import db
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.models import MailingList, RateLimitHit


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


# --- Read and write transactions -------------------------------------------------------------


@contextmanager
def _other_connection(engine: sa.Engine) -> Iterator[sqlite3.Connection]:
    """A second, independent SQLite connection to the same file (another process, in effect)."""
    conn = sqlite3.connect(engine.url.database or "", isolation_level=None, timeout=0)
    try:
        yield conn
    finally:
        conn.close()


def test_write_scope_takes_the_write_lock_up_front(engine: sa.Engine) -> None:
    with db.session_scope(engine) as s, _other_connection(engine) as other:
        s.exec(sa.select(MailingList)).all()  # only a read so far
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")


def test_read_scope_leaves_the_write_lock_free(engine: sa.Engine) -> None:
    with db.read_scope(engine) as s, _other_connection(engine) as other:
        s.exec(sa.select(MailingList)).all()
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO rate_limit_hits (key, at) VALUES ('k', '2026-01-01 00:00:00')")
        # The read keeps its own snapshot and is not held up by the writer.
        assert s.exec(sa.select(RateLimitHit)).all() == []
        other.execute("ROLLBACK")


def test_read_scope_answers_while_another_connection_writes(engine: sa.Engine) -> None:
    with _other_connection(engine) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO rate_limit_hits (key, at) VALUES ('k', '2026-01-01 00:00:00')")
        started = time.monotonic()
        with db.read_scope(engine) as s:
            assert s.exec(sa.select(MailingList)).all() == []
        assert time.monotonic() - started < 1
        other.execute("ROLLBACK")


def test_read_scope_refuses_to_write(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError, match="read-only"), db.read_scope(engine) as s:
        s.add(MailingList(slug="x", name="X"))
        s.flush()
    with db.read_scope(engine) as s:
        assert s.exec(sa.select(MailingList)).first() is None


def test_objects_read_stay_usable_after_the_read_scope(engine: sa.Engine) -> None:
    with db.session_scope(engine) as s:
        s.add(MailingList(slug="aylik", name="Aylık Bülten"))
    with db.read_scope(engine) as s:
        found = s.exec(sa.select(MailingList)).scalars().one()
    assert found.name == "Aylık Bülten"


# --- One-line errors for every database problem ------------------------------------------------


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point the CLI at another database URL (the environment overrides the config file)."""

    def use(url: str) -> None:
        monkeypatch.setenv("NEWSLETTER_DATABASE_URL", url)

    return use


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.mark.parametrize(
    "args", [("lists", "list"), ("db", "upgrade"), ("db", "status"), ("init",)]
)
def test_a_file_that_is_not_sqlite(cli, use_database, tmp_path: Path, args) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("Toplantı notları: perşembe 10:00\n", encoding="utf-8")
    use_database(f"sqlite:///{notes}")
    line = _one_line_error(cli(*args))
    assert f"{notes} is not a SQLite database" in line
    assert notes.read_text(encoding="utf-8") == "Toplantı notları: perşembe 10:00\n"


@pytest.mark.parametrize("args", [("lists", "list"), ("db", "upgrade"), ("init",)])
def test_a_folder_where_the_database_file_should_be(cli, use_database, tmp_path: Path, args):
    folder = tmp_path / "data.db"
    folder.mkdir()
    use_database(f"sqlite:///{folder}")
    line = _one_line_error(cli(*args))
    assert f"cannot open the database {folder}: it is a folder" in line


@pytest.mark.parametrize("args", [("db", "upgrade"), ("init",)])
def test_a_database_path_below_a_file(cli, use_database, tmp_path: Path, args) -> None:
    (tmp_path / "backup").write_text("not a folder", encoding="utf-8")
    path = tmp_path / "backup" / "newsletter.db"
    use_database(f"sqlite:///{path}")
    line = _one_line_error(cli(*args))
    assert f"cannot open the database {path}: {tmp_path / 'backup'} is not a folder" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder(cli, use_database, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        use_database(f"sqlite:///{folder / 'newsletter.db'}")
        line = _one_line_error(cli("db", "upgrade"))
    finally:
        folder.chmod(0o755)
    assert f"cannot open the database {folder / 'newsletter.db'}" in line
    assert "not writable" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_database_file(cli, config: Config, engine: sa.Engine) -> None:
    path = Path(engine.url.database or "")
    engine.dispose()
    path.chmod(0o444)
    try:
        line = _one_line_error(cli("db", "upgrade"))
    finally:
        path.chmod(0o644)
    assert str(path) in line and "read-only" in line


@pytest.mark.parametrize("url", ["not a url", "newsletter.db", ""])
def test_a_value_that_is_not_a_url(cli, use_database, url: str) -> None:
    use_database(url)
    for args in (("lists", "list"), ("db", "status"), ("db", "upgrade")):
        line = _one_line_error(cli(*args))
        assert f"database.url {url!r} is not a database URL" in line
        assert "sqlite:///" in line  # says what one looks like


@pytest.mark.parametrize(
    ("url", "missing"),
    [
        ("postgresql+psycopg://haber:gizli-parola@db.example.org/haber", "psycopg"),
        ("mysql://haber:gizli-parola@db.example.org/haber", "MySQLdb"),
    ],
)
def test_a_url_whose_driver_is_not_installed(cli, use_database, url: str, missing: str) -> None:
    use_database(url)
    for args in (("lists", "list"), ("db", "upgrade")):
        line = _one_line_error(cli(*args))
        assert f"driver {missing!r} is not installed" in line
        assert "db.example.org" in line
        assert "gizli-parola" not in line  # never print the password


def test_a_url_of_an_unknown_database_kind(cli, use_database) -> None:
    use_database("nosuchdb://db.example.org/haber")
    line = _one_line_error(cli("lists", "list"))
    assert "database.url 'nosuchdb://db.example.org/haber'" in line
    assert "unknown kind of database 'nosuchdb'" in line


def _stamp(engine: sa.Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


@pytest.mark.parametrize("args", [("lists", "list"), ("db", "upgrade"), ("init",)])
def test_a_database_made_by_a_newer_version(cli, engine: sa.Engine, args) -> None:
    _stamp(engine, "9999")
    line = _one_line_error(cli(*args))
    assert "the database schema is at 9999" in line
    assert "newer version of newsletter" in line
    assert "upgrade newsletter" in line
    assert "db upgrade" not in line  # the tool is old, not the database


def test_an_older_schema_still_says_db_upgrade(cli, use_database, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sa.create_engine(f"sqlite:///{path}")
    db.upgrade(old, "0001")
    old.dispose()
    use_database(f"sqlite:///{path}")
    line = _one_line_error(cli("lists", "list"))
    assert "the database schema is at 0001" in line
    assert "run 'newsletter db upgrade'" in line
