"""each version's region and level (queried by 总览), and a table of key figures (filled as versions are checked)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FIGURES = (
    "income_total",
    "expenditure_total",
    "basic",
    "project",
    "personnel",
    "public",
    "three_public",
    "admin_operating",
    "carryover",
    "carryover_share",
    "public_per_head",
    "project_share",
)


def upgrade() -> None:
    with op.batch_alter_table("document_versions") as b:
        b.add_column(sa.Column("region", sa.String(40), nullable=True))
        b.add_column(sa.Column("level", sa.String(8), nullable=True))
        b.create_index("ix_document_versions_region", ["region"])
        b.create_index("ix_document_versions_level", ["level"])
    op.create_table(
        "key_figures",
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("document_versions.id"), primary_key=True),
        *[sa.Column(k, sa.Float(), nullable=True) for k in FIGURES],
        sa.Column("staff", sa.Integer(), nullable=True),
        sa.Column("classes", sa.JSON(), nullable=False),
    )
    _backfill_place()


def _backfill_place() -> None:
    """Versions stored before this revision: placed by the same reading as new ones."""
    from budgetwatch.extract.place import COVER_LINES, place

    conn = op.get_bind()
    versions = conn.execute(sa.text("select id, unit_name from document_versions")).fetchall()
    for vid, unit in versions:
        lines = [
            t
            for (t,) in conn.execute(
                sa.text("select text from narrative_lines where version_id = :v and ordinal < :n order by ordinal"),
                {"v": vid, "n": COVER_LINES},
            )
        ]
        p = place(unit, lines)
        conn.execute(
            sa.text("update document_versions set region = :r, level = :l where id = :v"),
            {"r": p["region"], "l": p["level"], "v": vid},
        )


def downgrade() -> None:
    op.drop_table("key_figures")
    with op.batch_alter_table("document_versions") as b:
        b.drop_index("ix_document_versions_level")
        b.drop_index("ix_document_versions_region")
        b.drop_column("level")
        b.drop_column("region")
