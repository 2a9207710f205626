"""queue search: one lower-case search column per submission, and the outbox by decision

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    # The same text the app writes (queue.search_text), so an upgraded queue searches alike.
    op.execute(
        sa.text(
            "UPDATE submissions SET search_text = lower(trim("
            " id"
            " || ' ' || coalesce((SELECT name FROM vendors v WHERE v.id = vendor_id), '')"
            " || ' ' || coalesce((SELECT name FROM projects p WHERE p.id = project_id), '')"
            " || ' ' || coalesce(insured_name, '')))"
        )
    )

    # The queue joins each decision to its outbox item; without this SQLite builds a
    # throw-away index on every query.
    op.create_index("ix_outbox_items_decision_id", "outbox_items", ["decision_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_items_decision_id", table_name="outbox_items")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("search_text")
