"""bookings: index the open bookings by their end (issue 16 §2)

Revision ID: 0016_bookings_open_window
Revises: 0015_web_indexes
"""
from alembic import op

revision = "0016_bookings_open_window"
down_revision = "0015_web_indexes"
branch_labels = None
depends_on = "0004_hearings"  # the bookings table: created on the hearings branch


def upgrade() -> None:
    # Planning a hearing reads the other bookings around it (booked, ending after the window
    # starts). With no index that read scanned every booking ever made, once per hearing added in
    # the workspace and once per 200 hearings in the sweep: a cost growing with the years of history.
    op.create_index("ix_bookings_status_ends", "bookings", ["status", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_bookings_status_ends", table_name="bookings")
