"""web indexes: a person's open worklist items (Today) and a prosecutor's proceedings (issue 13 §9)

Revision ID: 0015_web_indexes
Revises: 0014_account_signatures
"""
from alembic import op

revision = "0015_web_indexes"
down_revision = "0014_account_signatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Today read every open item of every person (a scan of the worklist, 200,000 rows at 100,000
    # cases) to keep one person's; the case list scanned proceedings for the prosecutor's.
    op.create_index("ix_worklist_assignee_open", "worklist", ["assignee", "done_at", "due_at", "id"])
    op.create_index("ix_proceedings_prosecutor", "proceedings", ["prosecutor"])


def downgrade() -> None:
    op.drop_index("ix_proceedings_prosecutor", table_name="proceedings")
    op.drop_index("ix_worklist_assignee_open", table_name="worklist")
