"""hearings.recheck_at and hearing_inputs_changed, filled by triggers: hearings are prepared again
when what their preparation read changed, not every day (issue 16 §2)

Revision ID: 0018_hearing_inputs_changed
Revises: 0017_cases_children
"""
import sqlalchemy as sa
from alembic import op

from witness.store import prep_triggers
from witness.store.tables import UTC

revision = "0018_hearing_inputs_changed"
down_revision = "0017_cases_children"
branch_labels = None
# The watched tables live on the notices, hearings and claims branches.
depends_on = ("0003_notices", "0004_hearings", "0006_claims")


def upgrade() -> None:
    op.add_column("hearings", sa.Column("recheck_at", UTC()))
    op.create_table(
        "hearing_inputs_changed",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("hearing_id", sa.String(12), nullable=False),
    )
    op.create_index("ix_hearing_inputs_changed_hearing_id", "hearing_inputs_changed", ["hearing_id"])
    # The accused's trigger finds his proceedings by accused: without this index, each write to an
    # accused scanned every proceeding's accused.
    op.create_index("ix_proceeding_accused_accused_id", "proceeding_accused", ["accused_id"])
    # Every hearing prepared before this revision was prepared on the old daily rule: re-check
    # each at the next sweep once, then only on change.
    op.execute("UPDATE hearings SET recheck_at = prepared_at WHERE prepared_at IS NOT NULL")
    # The statements of this revision are frozen here on purpose: a later change to
    # prep_triggers.WATCHED needs its own revision that drops and creates them again
    # (tests/integration/test_prep_inputs.py compares the installed triggers with WATCHED).
    for statement in prep_triggers.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in prep_triggers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_proceeding_accused_accused_id", table_name="proceeding_accused")
    op.drop_index("ix_hearing_inputs_changed_hearing_id", table_name="hearing_inputs_changed")
    op.drop_table("hearing_inputs_changed")
    op.drop_column("hearings", "recheck_at")
