"""PostgreSQL: search_entries hash-partitioned by id (store/search.py PARTS), each partition under its own GIN
index — a GIN scan collects every match of a word before it yields one, so a common word's search cost the
whole list however few entries it read; partitioned, it stops in the partition where enough were found

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":  # SQLite's FTS5 index stops at the limit as it is
        return
    from budgetwatch.store.search import partition

    partition(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    from budgetwatch.store.search import unpartition

    unpartition(conn)
