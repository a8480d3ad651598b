"""Guessed block fields and the organisations table.

``blocks.guessed`` lists the fields the importer inferred rather than read (a year taken from
the document, a suggested area, a heading put in title case) until an officer confirms them.
``organisations`` holds partners and donors with their acronyms and English and Turkish names,
filled with the defaults of this release (``library_defaults.DEFAULT_ORGANISATIONS``).

Revision ID: 0008
Revises: 0007
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from newsletter.core.dbtypes import UTCDateTime
from newsletter.core.library_defaults import DEFAULT_ORGANISATIONS

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guessed", sa.JSON(), nullable=False, server_default="[]"))
    table = op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("acronym", sa.String(), nullable=False, server_default=""),
        sa.Column("name_tr", sa.String(), nullable=False, server_default=""),
        sa.Column("acronym_tr", sa.String(), nullable=False, server_default=""),
        sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("kind", sa.String(), nullable=False, server_default="partner"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        table,
        [{**entry.model_dump(), "created_at": now, "updated_at": now}
         for entry in DEFAULT_ORGANISATIONS],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("organisations")
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_column("guessed")
