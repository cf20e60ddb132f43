"""access: accounts, memberships (a role in a region), sessions, machine tokens, the append-only audit log
(triggers refuse UPDATE and DELETE), 代表服务 questions and their events; each document version's region code

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
PG_TRIGGERS = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("must_change", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", TZ),
        sa.Column("last_login_at", TZ),
        sa.Column("superadmin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("region_code", sa.String(9), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("descend", sa.Boolean(), nullable=False),
        sa.Column("agency_code", sa.String(64)),
        sa.UniqueConstraint("user_id", "region_code", "role"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen", TZ, nullable=False),
        sa.Column("ended_at", TZ),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(300)),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("region_code", sa.String(9), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("ip_allowlist", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ),
        sa.Column("revoked_at", TZ),
        sa.Column("last_used_at", TZ),
    )
    op.create_table(
        "tenant_settings",
        sa.Column("region_code", sa.String(9), primary_key=True),
        sa.Column("parent_sees_detail", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", TZ, nullable=False, index=True),
        sa.Column("request_id", sa.String(32)),
        sa.Column("principal_id", sa.Integer()),
        sa.Column("principal_login", sa.String(64)),
        sa.Column("role", sa.String(16)),
        sa.Column("region_code", sa.String(9)),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(300)),
        sa.Column("action", sa.String(32), nullable=False, index=True),
        sa.Column("object_type", sa.String(64)),
        sa.Column("object_id", sa.String(200)),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Index("ix_audit_log_ip_at", "ip", "at"),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region_code", sa.String(9), index=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("author_name", sa.String(100), nullable=False),
        sa.Column("on_behalf_of", sa.String(100)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(100)),
        sa.Column("target_label", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("responsible_code", sa.String(64)),
        sa.Column("responsible_name", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("due_at", TZ),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "question_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("questions.id"), nullable=False, index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_id", sa.Integer()),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text()),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    with op.batch_alter_table("document_versions") as b:
        b.add_column(sa.Column("region_code", sa.String(9), nullable=True))
        b.create_index("ix_document_versions_region_code", ["region_code"])
    for ddl in PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("document_versions") as b:
        b.drop_index("ix_document_versions_region_code")
        b.drop_column("region_code")
    for t in (
        "question_events",
        "questions",
        "audit_log",
        "tenant_settings",
        "api_tokens",
        "sessions",
        "memberships",
        "users",
    ):
        op.drop_table(t)
