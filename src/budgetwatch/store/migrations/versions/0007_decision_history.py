"""the history of reviewers' decisions (who, when, why; undo), one event per decision, filled from the
current decisions

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_decision_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_finding_decision_events_document_id", "finding_decision_events", ["document_id"])
    op.create_index("ix_finding_decision_events_fingerprint", "finding_decision_events", ["fingerprint"])
    op.execute(
        "insert into finding_decision_events (document_id, fingerprint, action, status, reason, decided_by, "
        "decided_at) select document_id, fingerprint, 'decide', status, reason, decided_by, "
        "coalesce(decided_at, current_timestamp) from finding_decisions order by id"
    )


def downgrade() -> None:
    op.drop_table("finding_decision_events")
