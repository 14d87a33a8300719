"""shelter placements and providers, detention, victim circumstances (issue 12: items 5, 6, 9)

Revision ID: 0011_shelter_detention_guardians
Revises: 0010_return_referral_interpreters
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0011_shelter_detention_guardians"
down_revision = "0010_return_interpreters"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
