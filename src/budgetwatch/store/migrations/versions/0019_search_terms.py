"""PostgreSQL: the search entries' bigrams as a stored tsvector (`grams_tsv`, a generated column, filled for the
rows stored) under a GIN index, in place of the GIN index over the tsvector as an expression — whose rows the
planner saw without statistics and whose tsvector a sequential scan or a recheck computed again for every row

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":  # SQLite's FTS5 table is unchanged
        return
    from budgetwatch.store.search import OLD_GIN_INDEX, create_index

    op.execute(f"drop index if exists {OLD_GIN_INDEX}")
    create_index(conn)  # the column (computed for every row stored) and its index
    op.execute("analyze search_entries")  # the new column's statistics, before the first search is planned


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    from budgetwatch.store.search import OLD_GIN_INDEX, drop_index

    drop_index(conn)
    op.execute(
        f"create index {OLD_GIN_INDEX} on search_entries using gin (array_to_tsvector(string_to_array(grams, ' ')))"
    )
