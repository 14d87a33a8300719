"""accounts area: people who sign in, server-side web sessions, case assignments (R-110)

Revision ID: 0008_accounts
Revises: 0007_audit_append_only
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0008_accounts"
down_revision = "0007_audit_append_only"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("login", sa.String(80), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("totp_secret", sa.Text()),
        sa.Column("totp_enrolled_at", UTC()),
        sa.Column("totp_last_step", sa.BigInteger()),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC()),
        sa.Column("disabled_at", UTC()),
        sa.Column("setup_token_hash", sa.String(64)),
        sa.Column("setup_expires_at", UTC()),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.UniqueConstraint("setup_token_hash", name="uq_accounts_setup_token_hash"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("login", sa.String(80), sa.ForeignKey("accounts.login", name="fk_web_sessions_login_accounts"),
                  nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("last_seen_at", UTC(), nullable=False),
        sa.Column("ended_at", UTC()),
        sa.Column("end_reason", sa.String(20)),
    )
    op.create_index("ix_web_sessions_login_ended", "web_sessions", ["login", "ended_at"])
    op.create_table(
        "account_cases",
        sa.Column("login", sa.String(80), sa.ForeignKey("accounts.login", name="fk_account_cases_login_accounts"),
                  primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_account_cases_case_id_cases"),
                  primary_key=True),
        sa.Column("assigned_at", UTC(), nullable=False),
        sa.Column("assigned_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_account_cases_case_id", "account_cases", ["case_id"])


def downgrade() -> None:
    for t in ("account_cases", "web_sessions", "accounts"):
        op.drop_table(t)
