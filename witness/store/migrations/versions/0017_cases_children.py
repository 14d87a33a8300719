"""cases: index by age status and stage, for the sweep's follow-ups about children (issue 16 §2)

Revision ID: 0017_cases_children
Revises: 0016_bookings_open_window
"""
from alembic import op

revision = "0017_cases_children"
down_revision = "0016_bookings_open_window"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "A child with no guardian yet" and "a child's proceedings stalled" are asked of every case at
    # each sweep; a fifth of the cases are children (or presumed to be): the index starts from them.
    op.create_index("ix_cases_age_stage", "cases", ["age_status", "stage"])


def downgrade() -> None:
    op.drop_index("ix_cases_age_stage", table_name="cases")
