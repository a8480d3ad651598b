"""Database access: the engine, sessions, and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(config: Config) -> str:
    """The configured URL; a relative SQLite path resolves against the config file's folder."""
    url = sa.engine.make_url(config.database.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = config.resolve_path(url.database)
        url = url.set(database=str(path))
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(config: Config) -> Engine:
    url = database_url(config)
    kwargs: dict[str, Any] = {"echo": config.database.echo}
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:" and not Path(path).parent.exists():
            raise UserError(f"database folder does not exist: {Path(path).parent}")
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # Let BEGIN take the write lock up front (BEGIN IMMEDIATE) so claims never deadlock.
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        sa.event.listen(engine, "connect", _no_pysqlite_begin)
    return engine


def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN would defeat the BEGIN IMMEDIATE above.
    dbapi_conn.isolation_level = None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: no half-written state."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to ``revision``; existing data is kept."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database (None for an empty database)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def head_revision(engine: Engine | None = None) -> str:
    """The revision this version of the code needs."""
    return HEAD


def script_head(engine: Engine) -> str | None:
    """The newest revision among the migration scripts (loads Alembic; tests compare it to HEAD)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def open_database(config: Config, migrate: bool = False) -> Engine:
    """An engine for the configured database, refusing one whose schema is out of date."""
    url = sa.engine.make_url(database_url(config))
    missing_file = (
        url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
        and not Path(url.database or "").exists()
    )
    if missing_file and not migrate:  # connecting would leave an empty file behind
        raise UserError(
            f"no database at {url.database}: run 'newsletter init' or 'newsletter db upgrade'"
        )
    engine = make_engine(config)
    if migrate:
        upgrade(engine)
        return engine
    current, head = current_revision(engine), head_revision(engine)
    if current is None:
        raise UserError(
            f"no database at {database_url(config)}: "
            "run 'newsletter init' or 'newsletter db upgrade'"
        )
    if current != head:
        raise UserError(
            f"the database schema is at {current}, this version needs {head}: "
            "run 'newsletter db upgrade'"
        )
    return engine
