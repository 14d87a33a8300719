"""Drop four indexes whose column leads another index of the same table: the longer index answers
every query the shorter one did, and each insert paid for both. The worklist's case index was the
dearest: a 100,000-case sweep inserts ~9,000 items at random places in it (issue 16 §2).

Revision ID: 0021_redundant_indexes
Revises: 0020_prepared_profile
"""
from alembic import op

revision = "0021_redundant_indexes"
down_revision = "0020_prepared_profile"
branch_labels = None
depends_on = None

# (index, table, column): each column leads a wider index kept (in brackets).
REDUNDANT = (
    ("ix_worklist_case_id", "worklist", "case_id"),  # [ix_worklist_case_kind_due]
    ("ix_appearances_hearing_id", "appearances", "hearing_id"),  # [uq_appearances_hearing_id]
    ("ix_measures_hearing_id", "measures", "hearing_id"),  # [uq_measures_hearing_id]
    ("ix_calendar_events_hearing_id", "calendar_events", "hearing_id"),  # [uq_calendar_events_hearing_id]
)


def upgrade() -> None:
    for name, table, _ in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column])
