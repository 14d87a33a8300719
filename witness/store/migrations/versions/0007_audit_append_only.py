"""audit log append-only on PostgreSQL: UPDATE, DELETE and TRUNCATE of audit_log are refused

Revision ID: 0007_audit_append_only
Revises: 0002_risk

SQLite has no roles and its triggers can be dropped by whoever holds the file; there the HMAC
chain and the external head are the protection. On PostgreSQL the database itself refuses.
"""
from alembic import op

revision = "0007_audit_append_only"
down_revision = "0002_risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION witness_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only (R-72): % refused', TG_OP;
        END $$;
    """)
    op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION witness_audit_append_only()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION witness_audit_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS witness_audit_append_only()")
