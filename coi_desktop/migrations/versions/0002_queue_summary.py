"""queue summary on submissions: pre-check counts and insured name, no join needed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COUNTS = ("pass", "fail", "needs_review")


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        for result in _COUNTS:
            batch.add_column(sa.Column(f"precheck_{result}", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("insured_name", sa.String(length=300), nullable=True))
    # Backfill from lines already stored, so an upgraded queue shows the same counts.
    for result in _COUNTS:
        op.execute(
            sa.text(
                f"UPDATE submissions SET precheck_{result} = ("
                " SELECT COUNT(*) FROM checklist_lines c"
                f" WHERE c.submission_id = submissions.id AND c.result = '{result}')"
                " WHERE EXISTS (SELECT 1 FROM checklist_lines c"
                " WHERE c.submission_id = submissions.id)"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        for result in _COUNTS:
            batch.drop_column(f"precheck_{result}")
        batch.drop_column("insured_name")
