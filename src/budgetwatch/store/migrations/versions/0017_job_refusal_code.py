"""jobs.code: why a refused upload was refused (errors.Code), so the web answers with that code's HTTP status

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("code", sa.String(length=32), nullable=True))  # SQLite adds it in place


def downgrade() -> None:
    with op.batch_alter_table("jobs") as t:
        t.drop_column("code")
