"""api_tokens.owner_login: the account a machine token belongs to, so that its pushes are that account's
own feed batches (the roles matrix: finance reads the payments of its own batches)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("owner_login", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as t:
        t.drop_column("owner_login")
