"""Alembic environment: runs with the engine handed over by newsletter.db.

On SQLite, foreign keys are off while migrating. Batch mode rebuilds a table by copying it and
dropping the old one, and with foreign keys on, that DROP deletes every child row through ON
DELETE CASCADE (0007 rebuilding subscribers would erase all subscriptions and consent). The
pragma is ignored inside a transaction, so it is set on the raw connection before Alembic begins
one; the references are checked before the commit and the pragma is back on afterwards.
"""

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import newsletter.core.account_models  # noqa: F401  (registers the workspace tables)
import newsletter.core.models  # noqa: F401  (registers every table)

target_metadata = SQLModel.metadata


def _pragma(connection: Connection, statement: str) -> Any:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
        return cursor.fetchall()
    finally:
        cursor.close()


def _foreign_keys_off(connection: Connection) -> None:
    _pragma(connection, "PRAGMA foreign_keys=OFF")
    if _pragma(connection, "PRAGMA foreign_keys") != [(0,)]:
        raise RuntimeError("could not turn SQLite foreign keys off for the migration")


def _check_references(connection: Connection) -> None:
    broken = _pragma(connection, "PRAGMA foreign_key_check")
    if broken:
        table, rowid, parent, _ = broken[0]
        raise RuntimeError(
            f"migration left {len(broken)} broken references, e.g. {table} row {rowid} -> {parent}"
        )


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys_off(connection)
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_references(connection)
        finally:
            if sqlite:
                _pragma(connection, "PRAGMA foreign_keys=ON")


run_migrations_online()
