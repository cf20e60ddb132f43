"""cells keep their box on the page and an OCR flag; indicators keep their page

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cells") as b:
        for name in ("x0", "top", "x1", "bottom"):
            b.add_column(sa.Column(name, sa.Float(), nullable=True))
        b.add_column(sa.Column("ocr", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("indicators") as b:
        b.add_column(sa.Column("page", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicators") as b:
        b.drop_column("page")
    with op.batch_alter_table("cells") as b:
        for name in ("ocr", "bottom", "x1", "top", "x0"):
            b.drop_column(name)
