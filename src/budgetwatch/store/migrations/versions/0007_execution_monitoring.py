"""execution monitoring (family G): per-region rule thresholds (rule_settings), decisions on execution findings
(execution_decisions)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rule_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=9), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.String(length=100), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'rule', 'key'),
    )
    op.create_table(
        'execution_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=9), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'fingerprint'),
    )


def downgrade() -> None:
    op.drop_table('execution_decisions')
    op.drop_table('rule_settings')
