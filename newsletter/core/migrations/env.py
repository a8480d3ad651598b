"""Alembic environment: runs with the engine handed over by newsletter.db."""

from alembic import context
from sqlmodel import SQLModel

import newsletter.core.models  # noqa: F401  (registers every table)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
