"""decisions.tracker_accepted: the tracker took the decision, kept by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

The team figures count a local decision only once the tracker accepted it: its outbox item
moved past the tracker stage. Asking the outbox that for every decision of two weeks cost the
dashboard a probe per row on each refresh. This flag says it on the decision itself.

Triggers on ``outbox_items`` keep it: every insert, delete and change of ``stage``, ``kind``
or ``decision_id`` recomputes the flag of the decisions concerned in the same statement, so
it is set in the very transaction that moves the item past the tracker stage, whoever writes
it (the delivery stage, recovery's replay, a bulk insert that bypasses the ORM). The flag is
exactly "an outbox item of kind ``decision`` of this decision is past stage ``tracker``".

Partial indexes over the decisions that count (accepted, not undone) let the figures read
them by submission and by time without visiting the others; an index on
``submissions.received_at`` lets the trend count two weeks of arrivals without reading the
whole table, and one on ``submissions.procore_company_id`` lists the customers for the
filter box and narrows a view to one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ACCEPTED = (
    "EXISTS (SELECT 1 FROM outbox_items o WHERE o.decision_id = decisions.id"
    " AND o.kind = 'decision' AND o.stage != 'tracker')"
)


def _recompute(*ids: str) -> str:
    return f"UPDATE decisions SET tracker_accepted = {_ACCEPTED} WHERE id IN ({', '.join(ids)});"


TRIGGERS = {
    "decisions_accepted_outbox_insert": (
        "AFTER INSERT ON outbox_items WHEN new.decision_id IS NOT NULL"
        f" BEGIN {_recompute('new.decision_id')} END"
    ),
    "decisions_accepted_outbox_update": (
        "AFTER UPDATE OF stage, kind, decision_id ON outbox_items"
        f" BEGIN {_recompute('old.decision_id', 'new.decision_id')} END"
    ),
    "decisions_accepted_outbox_delete": (
        "AFTER DELETE ON outbox_items WHEN old.decision_id IS NOT NULL"
        f" BEGIN {_recompute('old.decision_id')} END"
    ),
    # A decision stored after its outbox item (a replay) still starts right.
    "decisions_accepted_decision_insert": (
        f"AFTER INSERT ON decisions BEGIN {_recompute('new.id')} END"
    ),
}
COUNTED = "tracker_accepted = 1 AND undone = 0"
INDEXES = {
    "ix_decisions_counted_submission": "submission_id",
    "ix_decisions_counted_decided_at": "decided_at",
}


def upgrade() -> None:
    op.add_column(
        "decisions",
        sa.Column("tracker_accepted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for name, body in TRIGGERS.items():
        op.execute(sa.text(f"CREATE TRIGGER {name} {body}"))
    op.execute(sa.text(f"UPDATE decisions SET tracker_accepted = {_ACCEPTED}"))
    for name, column in INDEXES.items():
        op.create_index(name, "decisions", [column], sqlite_where=sa.text(COUNTED))
    op.create_index("ix_submissions_received", "submissions", ["received_at"])
    op.create_index("ix_submissions_company", "submissions", ["procore_company_id"])


def downgrade() -> None:
    op.drop_index("ix_submissions_company", "submissions")
    op.drop_index("ix_submissions_received", "submissions")
    for name in INDEXES:
        op.drop_index(name, "decisions")
    for name in TRIGGERS:
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("tracker_accepted")
