"""search_entries .name, .value: each entry's texts as written, so that a search's exact LIKE test reads the
entries it found and joins nothing back to the forms, indicators and rows (1,000 candidates cost three index
probes each at 20k documents)

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN: SQLite's FTS5 table reads search_entries by rowid, and a partitioned table takes it whole
    op.add_column("search_entries", sa.Column("name", sa.Text(), nullable=True))
    op.add_column("search_entries", sa.Column("value", sa.Text(), nullable=True))
    from budgetwatch.store.search import fill_texts

    fill_texts(op.get_bind())


def downgrade() -> None:
    op.drop_column("search_entries", "value")
    op.drop_column("search_entries", "name")
