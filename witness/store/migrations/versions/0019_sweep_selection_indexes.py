"""Indexes that let the sweep's selections read indexes instead of rows (issue 16 §2): each case's
latest risk assessment with its review date, the victims with no guardian recorded, each case's
last stage change

Revision ID: 0019_sweep_selection_indexes
Revises: 0018_hearing_inputs_changed
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_sweep_selection_indexes"
down_revision = "0018_hearing_inputs_changed"
branch_labels = None
depends_on = None

_NO_GUARDIAN = sa.text("guardian_name IS NULL")


def upgrade() -> None:
    # (case_id, at) is a prefix of the new index: the old one would only cost writes.
    op.drop_index("ix_risk_assessments_case_at", table_name="risk_assessments")
    op.create_index("ix_risk_assessments_case_at_review", "risk_assessments", ["case_id", "at", "next_review_at"])
    op.create_index("ix_identities_no_guardian", "identities", ["case_id"],
                    sqlite_where=_NO_GUARDIAN, postgresql_where=_NO_GUARDIAN)
    op.drop_index("ix_stage_history_case_id", table_name="stage_history")
    op.create_index("ix_stage_history_case_at", "stage_history", ["case_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_stage_history_case_at", table_name="stage_history")
    op.create_index("ix_stage_history_case_id", "stage_history", ["case_id"])
    op.drop_index("ix_identities_no_guardian", table_name="identities")
    op.drop_index("ix_risk_assessments_case_at_review", table_name="risk_assessments")
    op.create_index("ix_risk_assessments_case_at", "risk_assessments", ["case_id", "at"])
