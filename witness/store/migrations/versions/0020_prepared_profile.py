"""hearings.prepared_profile: the fingerprint of the jurisdiction profile a hearing was last prepared
by, so that a changed profile (a measure a court now grants, a new escort policy) plans the hearing
again at the next sweep (witness/services/preparation.py). Hearings prepared before this revision
have none and are prepared once more at the next sweep.

Revision ID: 0020_prepared_profile
Revises: 0019_sweep_selection_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_prepared_profile"
down_revision = "0019_sweep_selection_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hearings", sa.Column("prepared_profile", sa.String(16)))


def downgrade() -> None:
    op.drop_column("hearings", "prepared_profile")
