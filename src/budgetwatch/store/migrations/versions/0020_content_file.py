"""tables, performance_forms, narrative_lines .file_no: which of the version's source files (its ordinal) a
table, form or line of the 说明 was printed in — pages restart in each file of a document read from several;
NULL in rows stored before (and in one-file documents), read as today: the document's only file

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("tables", "performance_forms", "narrative_lines")


def upgrade() -> None:
    for name in TABLES:
        op.add_column(name, sa.Column("file_no", sa.Integer(), nullable=True))  # SQLite adds it in place


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as t:
            t.drop_column("file_no")
