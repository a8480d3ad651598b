"""The migrations build exactly the tables the models describe (so a model change without a
migration, or a migration that drifts from the models, fails here rather than at a user's)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import newsletter.core.account_models  # noqa: F401  (registers the workspace tables)
import newsletter.core.models  # noqa: F401
from newsletter.core import db


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    assert not diff, diff
    engine.dispose()
