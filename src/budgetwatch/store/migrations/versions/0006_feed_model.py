"""the 联网 feed model: regions (财政区划 tree), feed sources, batches, rejects, agencies, budget lines, adjustments,
payment applications, payments, revenues, fund balances, links to disclosed rows, execution findings (docs/feed.md)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("parent_code", sa.String(length=9), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("approval_dates", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regions_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "feed_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("preset", sa.String(length=16), nullable=True),
        sa.Column("token_env", sa.String(length=100), nullable=True),
        sa.Column("db_url_env", sa.String(length=100), nullable=True),
        sa.Column("view_names", sa.JSON(), nullable=False),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip_allowlist", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "kind", "name"),
    )
    with op.batch_alter_table("feed_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_sources_region_code"), ["region_code"], unique=False)

    op.create_table(
        "feed_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("external_batch_id", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("preset", sa.String(length=16), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("rows_in", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["feed_sources.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "external_batch_id"),
    )
    with op.batch_alter_table("feed_batches", schema=None) as batch_op:
        batch_op.create_index("ix_feed_batches_region_year", ["region_code", "fiscal_year"], unique=False)

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("agency_name", sa.String(length=300), nullable=True),
        sa.Column("dept_code", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("match", sa.String(length=16), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "agency_code"),
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agencies_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "budget_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("src_id", sa.String(length=40), nullable=False),
        sa.Column("line_src_id", sa.String(length=40), nullable=False),
        sa.Column("from_line_src_id", sa.String(length=40), nullable=True),
        sa.Column("adj_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("batch_no", sa.String(length=60), nullable=True),
        sa.Column("doc_no", sa.String(length=200), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("exp_func_code", sa.String(length=7), nullable=True),
        sa.Column("exp_func_code_raw", sa.String(length=60), nullable=True),
        sa.Column("dep_eco_code", sa.String(length=5), nullable=True),
        sa.Column("dep_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("gov_eco_code", sa.String(length=5), nullable=True),
        sa.Column("gov_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("pro_code", sa.String(length=40), nullable=True),
        sa.Column("fund_type_code", sa.String(length=10), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("src_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "src_id"),
    )
    with op.batch_alter_table("budget_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_adjustments_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_budget_adjustments_line", ["region_code", "fiscal_year", "line_src_id"], unique=False)

    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("src_id", sa.String(length=40), nullable=False),
        sa.Column("agency_name", sa.String(length=300), nullable=True),
        sa.Column("exp_func_name", sa.String(length=200), nullable=True),
        sa.Column("dep_eco_name", sa.String(length=200), nullable=True),
        sa.Column("gov_eco_name", sa.String(length=200), nullable=True),
        sa.Column("pro_name", sa.Text(), nullable=True),
        sa.Column("fund_type_name", sa.String(length=100), nullable=True),
        sa.Column("bgt_type_code", sa.String(length=50), nullable=True),
        sa.Column("bgt_type_name", sa.String(length=100), nullable=True),
        sa.Column("source_type_code", sa.String(length=20), nullable=True),
        sa.Column("source_type_name", sa.String(length=100), nullable=True),
        sa.Column("budget_level_code", sa.String(length=10), nullable=True),
        sa.Column("tp_func_code", sa.String(length=20), nullable=True),
        sa.Column("rec_div_code", sa.String(length=9), nullable=True),
        sa.Column("doc_no", sa.String(length=200), nullable=True),
        sa.Column("doc_title", sa.Text(), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("is_gov_pur", sa.Boolean(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("exp_func_code", sa.String(length=7), nullable=True),
        sa.Column("exp_func_code_raw", sa.String(length=60), nullable=True),
        sa.Column("dep_eco_code", sa.String(length=5), nullable=True),
        sa.Column("dep_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("gov_eco_code", sa.String(length=5), nullable=True),
        sa.Column("gov_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("pro_code", sa.String(length=40), nullable=True),
        sa.Column("fund_type_code", sa.String(length=10), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("src_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "src_id"),
    )
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_lines_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_budget_lines_project", ["region_code", "fiscal_year", "pro_code"], unique=False)
        batch_op.create_index(
            "ix_budget_lines_unit_func", ["region_code", "fiscal_year", "agency_code", "exp_func_code"], unique=False
        )

    op.create_table(
        "execution_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("family", sa.String(length=1), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=True),
        sa.Column("subject_id", sa.String(length=100), nullable=True),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("table_kind", sa.String(length=32), nullable=True),
        sa.Column("table_title", sa.Text(), nullable=True),
        sa.Column("row_code", sa.String(length=16), nullable=True),
        sa.Column("row_name", sa.Text(), nullable=True),
        sa.Column("column", sa.String(length=200), nullable=True),
        sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("expected", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("difference", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("money_unit", sa.String(length=8), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("execution_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_execution_findings_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_execution_findings_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(
            "ix_execution_findings_scope", ["region_code", "fiscal_year", "family", "rule"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_execution_findings_version_id"), ["version_id"], unique=False)

    op.create_table(
        "feed_rejects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_table", sa.String(length=40), nullable=False),
        sa.Column("file", sa.String(length=400), nullable=True),
        sa.Column("row_no", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feed_rejects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_rejects_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "fund_balances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("src_id", sa.String(length=40), nullable=False),
        sa.Column("fund", sa.String(length=8), nullable=True),
        sa.Column("approve_amt", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("carryover_amt", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("balance_amt", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("back_amt", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("exp_func_code", sa.String(length=7), nullable=True),
        sa.Column("exp_func_code_raw", sa.String(length=60), nullable=True),
        sa.Column("dep_eco_code", sa.String(length=5), nullable=True),
        sa.Column("dep_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("gov_eco_code", sa.String(length=5), nullable=True),
        sa.Column("gov_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("pro_code", sa.String(length=40), nullable=True),
        sa.Column("fund_type_code", sa.String(length=10), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("src_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "src_id"),
    )
    with op.batch_alter_table("fund_balances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_balances_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_fund_balances_unit", ["region_code", "fiscal_year", "agency_code"], unique=False)

    op.create_table(
        "payment_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("src_id", sa.String(length=40), nullable=False),
        sa.Column("app_no", sa.String(length=40), nullable=True),
        sa.Column("pay_cert_id", sa.String(length=40), nullable=True),
        sa.Column("line_src_id", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("contract_no", sa.String(length=100), nullable=True),
        sa.Column("app_date", sa.Date(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("src_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "src_id"),
    )
    with op.batch_alter_table("payment_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_applications_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_payment_applications_cert", ["region_code", "fiscal_year", "pay_cert_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("source_table", sa.String(length=24), nullable=False),
        sa.Column("src_id", sa.String(length=40), nullable=False),
        sa.Column("voucher_no", sa.String(length=40), nullable=True),
        sa.Column("line_src_id", sa.String(length=40), nullable=True),
        sa.Column("line_match", sa.String(length=12), nullable=True),
        sa.Column("pay_type_code", sa.String(length=20), nullable=True),
        sa.Column("pay_type_name", sa.String(length=100), nullable=True),
        sa.Column("set_mode_code", sa.String(length=20), nullable=True),
        sa.Column("set_mode_name", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("pay_month", sa.Integer(), nullable=False),
        sa.Column("payee_name", sa.String(length=300), nullable=True),
        sa.Column("payee_account_tail", sa.String(length=4), nullable=True),
        sa.Column("payee_account_hash", sa.String(length=64), nullable=True),
        sa.Column("payee_bank", sa.String(length=200), nullable=True),
        sa.Column("payee_kind", sa.String(length=8), nullable=True),
        sa.Column("payee_credit_code", sa.String(length=18), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("contract_no", sa.String(length=100), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("exp_func_code", sa.String(length=7), nullable=True),
        sa.Column("exp_func_code_raw", sa.String(length=60), nullable=True),
        sa.Column("dep_eco_code", sa.String(length=5), nullable=True),
        sa.Column("dep_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("gov_eco_code", sa.String(length=5), nullable=True),
        sa.Column("gov_eco_code_raw", sa.String(length=60), nullable=True),
        sa.Column("pro_code", sa.String(length=40), nullable=True),
        sa.Column("fund_type_code", sa.String(length=10), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("src_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "source_table", "src_id"),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_payments_line", ["region_code", "fiscal_year", "line_src_id"], unique=False)
        batch_op.create_index("ix_payments_payee", ["region_code", "payee_name", "pay_date"], unique=False)
        batch_op.create_index(
            "ix_payments_unit_month", ["region_code", "fiscal_year", "agency_code", "pay_month"], unique=False
        )

    op.create_table(
        "revenues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("src_id", sa.String(length=40), nullable=False),
        sa.Column("rev_date", sa.Date(), nullable=True),
        sa.Column("revenue_code", sa.String(length=20), nullable=True),
        sa.Column("revenue_code_raw", sa.String(length=60), nullable=True),
        sa.Column("revenue_name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=True),
        sa.Column("collector_code", sa.String(length=40), nullable=True),
        sa.Column("collector_name", sa.String(length=300), nullable=True),
        sa.Column("budget_level", sa.String(length=10), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("src_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["feed_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "fiscal_year", "src_id"),
    )
    with op.batch_alter_table("revenues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revenues_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_revenues_code", ["region_code", "fiscal_year", "revenue_code"], unique=False)

    op.create_table(
        "feed_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("table_kind", sa.String(length=32), nullable=True),
        sa.Column("table_index", sa.Integer(), nullable=True),
        sa.Column("row_ordinal", sa.Integer(), nullable=True),
        sa.Column("row_code", sa.String(length=16), nullable=True),
        sa.Column("row_name", sa.Text(), nullable=True),
        sa.Column("form_index", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["budget_lines.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line_id", "version_id", "kind"),
    )
    with op.batch_alter_table("feed_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_links_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feed_links_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_links_version_id"))
        batch_op.drop_index(batch_op.f("ix_feed_links_line_id"))

    op.drop_table("feed_links")
    with op.batch_alter_table("revenues", schema=None) as batch_op:
        batch_op.drop_index("ix_revenues_code")
        batch_op.drop_index(batch_op.f("ix_revenues_batch_id"))

    op.drop_table("revenues")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_unit_month")
        batch_op.drop_index("ix_payments_payee")
        batch_op.drop_index("ix_payments_line")
        batch_op.drop_index(batch_op.f("ix_payments_batch_id"))

    op.drop_table("payments")
    with op.batch_alter_table("payment_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_applications_cert")
        batch_op.drop_index(batch_op.f("ix_payment_applications_batch_id"))

    op.drop_table("payment_applications")
    with op.batch_alter_table("fund_balances", schema=None) as batch_op:
        batch_op.drop_index("ix_fund_balances_unit")
        batch_op.drop_index(batch_op.f("ix_fund_balances_batch_id"))

    op.drop_table("fund_balances")
    with op.batch_alter_table("feed_rejects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_rejects_batch_id"))

    op.drop_table("feed_rejects")
    with op.batch_alter_table("execution_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_execution_findings_version_id"))
        batch_op.drop_index("ix_execution_findings_scope")
        batch_op.drop_index(batch_op.f("ix_execution_findings_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_execution_findings_agency_code"))

    op.drop_table("execution_findings")
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_budget_lines_unit_func")
        batch_op.drop_index("ix_budget_lines_project")
        batch_op.drop_index(batch_op.f("ix_budget_lines_batch_id"))

    op.drop_table("budget_lines")
    with op.batch_alter_table("budget_adjustments", schema=None) as batch_op:
        batch_op.drop_index("ix_budget_adjustments_line")
        batch_op.drop_index(batch_op.f("ix_budget_adjustments_batch_id"))

    op.drop_table("budget_adjustments")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agencies_unit_id"))

    op.drop_table("agencies")
    with op.batch_alter_table("feed_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_batches_region_year")

    op.drop_table("feed_batches")
    with op.batch_alter_table("feed_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_sources_region_code"))

    op.drop_table("feed_sources")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regions_parent_code"))

    op.drop_table("regions")
    op.drop_table("feed_settings")
