"""execution monitoring (family G): per-region rule thresholds (rule_settings), decisions on execution findings
(execution_decisions), figures kept per run for the execution pages (execution_figures)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "rule", "key"),
    )
    op.create_table(
        "execution_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fingerprint"),
    )

    op.create_table(
        "execution_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("b0", sa.Numeric(18, 2), nullable=True),
        sa.Column("b", sa.Numeric(18, 2), nullable=True),
        sa.Column("paid", sa.Numeric(18, 2), nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_execution_figures_scope", "execution_figures", ["region_code", "fiscal_year", "as_of", "kind"])


def downgrade() -> None:
    op.drop_index("ix_execution_figures_scope", "execution_figures")
    op.drop_table("execution_figures")
    op.drop_table("execution_decisions")
    op.drop_table("rule_settings")
