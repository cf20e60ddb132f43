"""one version per document and content: concurrent ingests of the same bytes store them once

Repeated versions a race stored before this key existed (same document, same bytes) are removed,
the earliest kept; their findings go with them (decisions are kept by document and fingerprint).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# children first: what a version owns, innermost tables first
_OWNED = (
    "DELETE FROM cells WHERE row_id IN (SELECT r.id FROM table_rows r JOIN tables t ON t.id = r.table_id "
    "WHERE t.version_id IN ({ids}))",
    "DELETE FROM table_rows WHERE table_id IN (SELECT id FROM tables WHERE version_id IN ({ids}))",
    "DELETE FROM tables WHERE version_id IN ({ids})",
    "DELETE FROM indicators WHERE form_id IN (SELECT id FROM performance_forms WHERE version_id IN ({ids}))",
    "DELETE FROM performance_forms WHERE version_id IN ({ids})",
    "DELETE FROM narrative_lines WHERE version_id IN ({ids})",
    "DELETE FROM source_files WHERE version_id IN ({ids})",
    "DELETE FROM findings WHERE version_id IN ({ids})",
    "DELETE FROM key_figures WHERE version_id IN ({ids})",
    "DELETE FROM feed_links WHERE version_id IN ({ids})",
    "DELETE FROM execution_findings WHERE version_id IN ({ids})",
    "DELETE FROM document_versions WHERE id IN ({ids})",
)


def upgrade() -> None:
    conn = op.get_bind()
    repeats = [
        r[0]
        for r in conn.execute(
            sa.text(
                "SELECT v.id FROM document_versions v WHERE EXISTS (SELECT 1 FROM document_versions o WHERE "
                "o.document_id = v.document_id AND o.content_sha256 = v.content_sha256 AND o.id < v.id)"
            )
        )
    ]
    if repeats:
        ids = ",".join(str(int(i)) for i in repeats)
        for statement in _OWNED:
            conn.execute(sa.text(statement.format(ids=ids)))
    # a unique index, not a constraint: SQLite adds it without rebuilding the table (which the rows'
    # foreign keys would refuse)
    op.create_index("uq_document_versions_content", "document_versions", ["document_id", "content_sha256"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_document_versions_content", table_name="document_versions")
