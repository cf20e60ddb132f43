"""reads that do not scan: each document's newest version flagged (`latest`) and indexed with the lists'
filters, and the full-text index of projects and indicators (`search_entries`, store/search.py)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE … ADD COLUMN: SQLite's batch rebuild would drop a table other rows point to
    op.add_column("document_versions", sa.Column("latest", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "update document_versions set latest = true where number = (select max(n.number) from "
        "document_versions n where n.document_id = document_versions.document_id)"
    )
    op.create_index(
        "uq_document_versions_latest",
        "document_versions",
        ["document_id"],
        unique=True,
        sqlite_where=sa.text("latest"),
        postgresql_where=sa.text("latest"),
    )
    op.create_index("ix_document_versions_latest_unit", "document_versions", ["latest", "unit_name", "year"])
    op.create_index("ix_document_versions_latest_year", "document_versions", ["latest", "year", "stage", "scope"])
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("document_versions.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("grams", sa.Text(), nullable=False),
    )
    op.create_index("ix_search_entries_version_id", "search_entries", ["version_id"])
    from budgetwatch.store.search import create_index, fill

    conn = op.get_bind()
    create_index(conn)
    fill(conn)  # the newest versions stored before this revision


def downgrade() -> None:
    from budgetwatch.store.search import drop_index

    drop_index(op.get_bind())
    op.drop_index("ix_search_entries_version_id", "search_entries")
    op.drop_table("search_entries")
    op.drop_index("ix_document_versions_latest_year", "document_versions")
    op.drop_index("ix_document_versions_latest_unit", "document_versions")
    op.drop_index("uq_document_versions_latest", "document_versions")
    with op.batch_alter_table("document_versions") as b:
        b.drop_column("latest")
