"""payments: a partial index of the unmatched payments (line_match = 'none') by region-year and date

The region-year page lists the first hundred unmatched payments by date; with only the region-year indexes it read
every payment of the year to find them (tests/test_feed_indexed_reads.py). Partial: a load maintains it only for the
payments it cannot link.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_WHERE = sa.text("line_match = 'none'")


def upgrade() -> None:
    op.create_index(
        "ix_payments_unmatched",
        "payments",
        ["region_code", "fiscal_year", "pay_date"],
        postgresql_where=_WHERE,
        sqlite_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_payments_unmatched", table_name="payments")
