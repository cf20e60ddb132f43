"""table headers: each column's printed header path (上年结转 › 小计), shown instead of 小计（第3列）

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tables", sa.Column("headers", sa.JSON(), nullable=True))  # SQLite adds it in place


def downgrade() -> None:
    with op.batch_alter_table("tables") as t:
        t.drop_column("headers")
