"""calendar subscriptions (R-114) and the indexes the paged case list reads in (R-112)

Revision ID: 0009_calendar_subscriptions
Revises: 0008_accounts
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0009_calendar_subscriptions"
down_revision = "0008_accounts"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "calendar_subscriptions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("login", sa.String(80),
                  sa.ForeignKey("accounts.login", name="fk_calendar_subscriptions_login_accounts"), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("revoked_at", UTC()),
    )
    op.create_index("ix_calendar_subscriptions_login", "calendar_subscriptions", ["login", "audience", "revoked_at"])
    op.create_index("ix_cases_opened", "cases", ["opened_at", "id"])
    op.create_index("ix_cases_coordinator_opened", "cases", ["coordinator", "opened_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_coordinator_opened", "cases")
    op.drop_index("ix_cases_opened", "cases")
    op.drop_index("ix_calendar_subscriptions_login", "calendar_subscriptions")
    op.drop_table("calendar_subscriptions")
