"""the 说明's lines; findings of the checks and reviewers' decisions on them

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

AMOUNT = sa.Numeric(24, 6)


def upgrade() -> None:
    op.create_table(
        "narrative_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("document_versions.id"), nullable=False, index=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer()),
        sa.Column("page", sa.Integer()),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("document_versions.id"), nullable=False, index=True),
        sa.Column("rule", sa.String(32), nullable=False, index=True),
        sa.Column("family", sa.String(1), nullable=False, index=True),
        sa.Column("severity", sa.String(8), nullable=False, index=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
        sa.Column("file", sa.Text()),
        sa.Column("page", sa.Integer()),
        sa.Column("line", sa.Integer()),
        sa.Column("table_kind", sa.String(32)),
        sa.Column("table_title", sa.Text()),
        sa.Column("row_code", sa.String(16)),
        sa.Column("row_name", sa.Text()),
        sa.Column("column", sa.String(200)),
        sa.Column("value", AMOUNT),
        sa.Column("expected", AMOUNT),
        sa.Column("difference", AMOUNT),
        sa.Column("money_unit", sa.String(8)),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text()),
        sa.Column("evidence", sa.JSON()),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "finding_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("document_id", "fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("finding_decisions")
    op.drop_table("findings")
    op.drop_table("narrative_lines")
