"""Schema changes of the library capability.

Adds ``blocks.search_text``: title, summary and body folded for case- and Turkish-insensitive
search that works the same on SQLite and PostgreSQL. Existing blocks are filled in.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from newsletter.core.dbtypes import UTCDateTime  # noqa: F401
from newsletter.core.textmatch import fold

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    blocks = sa.table(
        "blocks",
        sa.column("id", sa.Integer()),
        sa.column("title", sa.String()),
        sa.column("summary", sa.Text()),
        sa.column("body", sa.Text()),
        sa.column("search_text", sa.Text()),
    )
    rows = conn.execute(sa.select(blocks.c.id, blocks.c.title, blocks.c.summary, blocks.c.body))
    for row in rows.fetchall():
        text = fold("\n".join([row.title or "", row.summary or "", row.body or ""]))
        conn.execute(blocks.update().where(blocks.c.id == row.id).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_column("search_text")
