"""return plans, data shares (referrals), the interpreter registry, information-sheet explanations (issue 12)

Revision ID: 0010_return_referral_interpreters
Revises: 0009_calendar_subscriptions
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0010_return_referral_interpreters"
down_revision = "0009_calendar_subscriptions"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    pass  # filled in below (the number is taken first so nobody else takes it)


def downgrade() -> None:
    pass
