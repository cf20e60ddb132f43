"""finding_tallies, finding_totals: the findings counted per facet (store/tallies.py), so that the 问题 lists
count their facets without reading every finding; filled from the findings stored

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KEY = ("region_code", "year", "rule", "family", "severity", "status")


def _key():
    return [
        sa.Column("region_code", sa.String(length=9), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("family", sa.String(length=1), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "finding_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        *_key(),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finding_tallies_document_id", "finding_tallies", ["document_id"])
    op.create_table(
        "finding_totals", sa.Column("id", sa.Integer(), nullable=False), *_key(), sa.PrimaryKeyConstraint("id")
    )
    key = ", ".join(KEY)
    op.execute(
        f"insert into finding_tallies (document_id, {key}, n) "
        "select v.document_id, v.region_code, v.year, f.rule, f.family, f.severity, coalesce(d.status, 'open'), count(*) "
        "from findings f join document_versions v on v.id = f.version_id "
        "left join finding_decisions d on d.document_id = v.document_id and d.fingerprint = f.fingerprint "
        "where v.latest group by v.document_id, v.region_code, v.year, f.rule, f.family, f.severity, d.status"
    )
    op.execute(f"insert into finding_totals ({key}, n) select {key}, sum(n) from finding_tallies group by {key}")


def downgrade() -> None:
    op.drop_table("finding_totals")
    op.drop_index("ix_finding_tallies_document_id", table_name="finding_tallies")
    op.drop_table("finding_tallies")
