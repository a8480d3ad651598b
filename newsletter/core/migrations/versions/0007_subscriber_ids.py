"""Subscriber ids are never handed out twice.

Links in emails carry only the subscriber id. SQLite, without AUTOINCREMENT, gives a new row
the highest id plus one, so after the newest subscriber was erased or removed the next one
took their id, and with it every link still in the erased person's mailbox. The table is
rebuilt with AUTOINCREMENT (SQLite's only way to add it), keeping every row and its id; from
then on SQLite remembers the highest id ever used in sqlite_sequence.

PostgreSQL's SERIAL sequence never goes back, so there is nothing to change there.

env.py turns SQLite's foreign keys off while migrating: dropping the old table with them on
would delete, through ON DELETE CASCADE, every subscription and consent record of everyone.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from newsletter.core.dbtypes import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _subscribers(autoincrement: bool) -> sa.Table:
    """The table as 0001 and 0004 left it (given, not reflected, so the copy is exact)."""
    return sa.Table(
        "subscribers",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("email_ascii", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("organisation", sa.String(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("smtputf8", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("search_text", sa.String(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_subscribers"),
        sa.UniqueConstraint("email", name="uq_subscribers_email"),
        sa.Index("ix_subscribers_email_ascii", "email_ascii"),
        sa.Index("ix_subscribers_language", "language"),
        sa.Index("ix_subscribers_status", "status"),
        sqlite_autoincrement=autoincrement,
    )


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "subscribers",
        recreate="always",
        copy_from=_subscribers(not autoincrement),
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
