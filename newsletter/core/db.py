"""Database access: the engine, sessions, and schema upgrades through Alembic.

Writes take SQLite's write lock when their transaction begins (BEGIN IMMEDIATE), so two writers
never deadlock halfway; the delivery ledger's claims depend on it. Reads (``read_scope``) begin
deferred: in WAL mode they never wait for a writer, so a long import or a send start holding
the lock does not hold up the pages that only read.

Every problem with the database itself (a URL that is not one, a missing driver, a file that is
not SQLite, a folder that cannot be written, a schema from another version) is a one-line
UserError naming the URL or file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session

from newsletter.core.config import Config
from newsletter.core.errors import ConfigError, UserError
from newsletter.core.migrations import HEAD

MIGRATIONS = Path(__file__).parent / "migrations"
# Execution option: False makes the SQLite transaction begin deferred (a reader).
WRITE = "newsletter_write"


URL_EXAMPLE = "sqlite:///newsletter.db or postgresql+psycopg://user@host/name"
# Driver modules and the package that provides each, for the "not installed" message.
DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary",
                   "MySQLdb": "mysqlclient", "pymysql": "PyMySQL"}  # fmt: skip


def database_url(config: Config) -> str:
    """The configured URL; a relative SQLite path resolves against the config file's folder."""
    url = _parse_url(config.database.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = config.resolve_path(url.database)
        url = url.set(database=str(path))
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # FULL: a commit survives a power cut. With NORMAL the last commits of a WAL database may
    # roll back, and a ledger row marked 'sending' revert to 'queued' and go out twice. The
    # cost is measured by benchmarks/send.py --synchronous NORMAL.
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _begin(conn: sa.Connection) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE) so claims never deadlock; readers
    # begin deferred and, in WAL mode, never wait for a writer.
    write = conn.get_execution_options().get(WRITE, True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(config: Config) -> Engine:
    url = database_url(config)
    kwargs: dict[str, Any] = {"echo": config.database.echo}
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:" and not Path(path).parent.exists():
            raise UserError(f"database folder does not exist: {Path(path).parent}")
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = _create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _begin)
        sa.event.listen(engine, "connect", _no_pysqlite_begin)
    return engine


def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN would defeat the BEGIN IMMEDIATE above.
    dbapi_conn.isolation_level = None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: no half-written state.

    Its transaction holds the write lock from the start (BEGIN IMMEDIATE on SQLite).
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _refuse_writes(_session: Session, _context: Any, _instances: Any) -> None:
    raise RuntimeError("a read-only session (read_scope) cannot write: use session_scope")


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session for reading only: its transaction begins deferred and never takes the write
    lock, so it does not wait for writers (SQLite in WAL mode). Any write raises RuntimeError.

    Objects read stay usable after the scope (they are detached, not expired).
    """
    session = Session(engine.execution_options(**{WRITE: False}), expire_on_commit=False)
    sa.event.listen(session, "before_flush", _refuse_writes)
    try:
        yield session
    finally:
        session.close()  # ends the read transaction; nothing is committed


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to ``revision``; existing data is kept.

    A database whose schema is newer than this code knows is refused: only a newer version of
    newsletter can use it.
    """
    current = current_revision(engine, write=True)
    _refuse_newer(engine, current, known_revisions(), HEAD)
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine, write: bool = False) -> str | None:
    """The schema revision stamped in the database (None for an empty database).

    ``write`` also checks that the database can be written (for upgrades).
    """
    with _explained(engine), engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(**{WRITE: write})
            # Reading the schema is what tells a file that is not SQLite.
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def head_revision(engine: Engine | None = None) -> str:
    """The revision this version of the code needs."""
    return HEAD


def known_revisions() -> frozenset[str]:
    """The revisions of the shipped migration scripts (named ``<revision>_<what>.py``)."""
    scripts = (MIGRATIONS / "versions").glob("[0-9]*_*.py")
    return frozenset(path.name.partition("_")[0] for path in scripts)


def script_head(engine: Engine) -> str | None:
    """The newest revision among the migration scripts (loads Alembic; tests compare it to HEAD)."""
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
    check_schema(engine)
    return engine


def check_schema(engine: Engine) -> None:
    """UserError unless the schema is the one this code needs, saying what to do: create the
    database, upgrade it (``db upgrade``), or upgrade newsletter for a newer schema."""
    current, head = current_revision(engine), head_revision(engine)
    if current is None:
        raise UserError(
            f"no database at {_shown(engine)}: run 'newsletter init' or 'newsletter db upgrade'"
        )
    _refuse_newer(engine, current, known_revisions(), head)
    if current != head:
        raise UserError(
            f"the database schema is at {current}, this version needs {head}: "
            "run 'newsletter db upgrade'"
        )


# --- One-line errors ------------------------------------------------------------------------


def _parse_url(value: str) -> sa.URL:
    try:
        return sa.engine.make_url(value)
    except sa.exc.ArgumentError:
        raise ConfigError(
            f"database.url {value!r} is not a database URL: write it like {URL_EXAMPLE}"
        ) from None


def _create_engine(url: str, **kwargs: Any) -> Engine:
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    try:
        return sa.create_engine(url, **kwargs)
    except sa.exc.NoSuchModuleError:
        kind = sa.engine.make_url(url).get_backend_name()
        raise ConfigError(
            f"database.url {shown!r}: unknown kind of database {kind!r}; write it like "
            f"{URL_EXAMPLE}"
        ) from None
    except ImportError as exc:
        module = (exc.name or "?").split(".")[0]
        package = DRIVER_PACKAGES.get(module, module)
        raise ConfigError(
            f"database.url {shown!r}: its driver {module!r} is not installed; install it where "
            f"newsletter runs (pip install {package})"
        ) from None


def _shown(engine: Engine) -> str:
    """The database as messages name it: the SQLite file, else the URL without its password."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def _sqlite_open_problem(path: Path) -> str:
    if path.is_dir():
        return "it is a folder"
    if path.parent.exists() and not path.parent.is_dir():
        return f"{path.parent} is not a folder"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"its folder {path.parent} is not writable"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "the file is not readable and writable"
    return "check that the file and its folder exist and are writable"


@contextmanager
def _explained(engine: Engine) -> Iterator[None]:
    """Turns the driver's errors on opening the database into one line naming it."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        name = _shown(engine)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        sqlite = engine.dialect.name == "sqlite"
        if sqlite and "file is not a database" in reason:
            message = f"{name} is not a SQLite database: check [database] url"
        elif sqlite and "unable to open database file" in reason:
            message = f"cannot open the database {name}: {_sqlite_open_problem(Path(name))}"
        elif sqlite and "readonly" in reason:
            message = f"the database {name} is read-only: newsletter needs to write to it"
        else:
            message = f"cannot use the database {name}: {reason}"
        raise UserError(message) from None


def _refuse_newer(engine: Engine, current: str | None, known: frozenset[str], head: str) -> None:
    if current is not None and current not in known:
        raise UserError(
            f"the database schema is at {current}, made by a newer version of newsletter "
            f"(this one knows up to {head}): upgrade newsletter to use {_shown(engine)}"
        )
