"""key_figures .document_id, .year, .stage, .latest: copies of the version's (kept by store/figures.py and
store/newest.py), so that 比较 ranks a year's newest versions along one index per ranked figure
(ix_key_figures_rank_*) and reads only the page, instead of sorting every version of the year

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

LATEST = sa.text("latest")


def upgrade() -> None:
    with op.batch_alter_table("key_figures") as t:  # SQLite: the foreign key needs the table made again
        t.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("year", sa.Integer(), nullable=True))
        t.add_column(sa.Column("stage", sa.String(16), nullable=True))
        t.add_column(sa.Column("latest", sa.Boolean(), nullable=False, server_default=sa.false()))
        t.create_foreign_key("fk_key_figures_document_id_documents", "documents", ["document_id"], ["id"])
    version = "(select {} from document_versions v where v.id = key_figures.version_id)"
    op.execute(
        "update key_figures set "
        + ", ".join(f"{c} = {version.format(c)}" for c in ("document_id", "year", "stage", "latest"))
    )
    op.create_index("ix_key_figures_document_id", "key_figures", ["document_id"])
    op.create_index(
        "ix_key_figures_newest", "key_figures", ["year", "stage"], sqlite_where=LATEST, postgresql_where=LATEST
    )
    from budgetwatch.store.figures import create_ranking_indexes

    create_ranking_indexes(op.get_bind())


def downgrade() -> None:
    from budgetwatch.store.figures import drop_ranking_indexes

    drop_ranking_indexes(op.get_bind())
    op.drop_index("ix_key_figures_newest", "key_figures")
    op.drop_index("ix_key_figures_document_id", "key_figures")
    with op.batch_alter_table("key_figures") as t:
        t.drop_constraint("fk_key_figures_document_id_documents", type_="foreignkey")
        for c in ("latest", "stage", "year", "document_id"):
            t.drop_column(c)
