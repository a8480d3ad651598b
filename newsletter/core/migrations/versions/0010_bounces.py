"""Bounces and complaints: events matched to a person, and reports that matched nobody.

``bounce_events`` rows go with their subscriber (erasure deletes them); ``unmatched_reports``
keeps what `bounces import` could not place. Both carry a unique ``report_key`` so importing a
report twice records nothing new.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from newsletter.core.dbtypes import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _report_columns() -> list[sa.Column]:
    return [
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "bounce_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_key", sa.String(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        *_report_columns(),
        sa.Column("matched_by", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("effect", sa.String(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name="fk_bounce_events_subscriber_id_subscribers",
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name="fk_bounce_events_delivery_id_deliveries",
            ondelete="SET NULL",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name="pk_bounce_events"),
        sa.UniqueConstraint("report_key", name="uq_bounce_events_report_key"),
    )
    op.create_index("ix_bounce_events_subscriber_id", "bounce_events", ["subscriber_id"])
    op.create_table(
        "unmatched_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_key", sa.String(), nullable=False),
        *_report_columns(),
        sa.Column("original_message_id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unmatched_reports"),
        sa.UniqueConstraint("report_key", name="uq_unmatched_reports_report_key"),
    )


def downgrade() -> None:
    op.drop_table("unmatched_reports")
    op.drop_index("ix_bounce_events_subscriber_id", table_name="bounce_events")
    op.drop_table("bounce_events")
