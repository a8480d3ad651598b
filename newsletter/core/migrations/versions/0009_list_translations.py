"""List names and descriptions per language, and a list's fallback edition language.

``lists.translations`` holds ``{lang: {"name", "description"}}`` for the public pages and the
confirmation mails; ``lists.fallback_language`` is the edition a subscriber gets when an issue
has none in their language (NULL: the issue's own language). Existing lists keep working as
they were: no translations and no fallback.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("fallback_language", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.drop_column("fallback_language")
        batch_op.drop_column("translations")
