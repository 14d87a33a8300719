"""return plans, data shares (referrals), the interpreter registry, information-sheet explanations (issue 12)

Revision ID: 0010_return_interpreters
Revises: 0009_calendar_subscriptions
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0010_return_interpreters"
down_revision = "0009_calendar_subscriptions"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "interpreters",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("languages", sa.String(200), nullable=False),
        sa.Column("vetting", sa.String(12), nullable=False),
        sa.Column("vetted_at", UTC()),
        sa.Column("vetted_by", sa.String(80)),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("block_reason", sa.Text()),
        sa.Column("blocked_at", UTC()),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "interpreter_ties",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("interpreter_id", sa.String(80),
                  sa.ForeignKey("interpreters.id", name="fk_interpreter_ties_interpreter_id_interpreters"),
                  nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("ref", sa.String(80), nullable=False),
        sa.Column("declared_at", UTC(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_interpreter_ties_interpreter_id", "interpreter_ties", ["interpreter_id"])
    op.create_table(
        "interpreter_assignments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("interpreter_id", sa.String(80), nullable=False),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_interpreter_assignments_case_id_cases"),
                  nullable=False),
        sa.Column("what", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(36)),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("assigned_by", sa.String(80), nullable=False),
        sa.Column("assigned_at", UTC(), nullable=False),
    )
    op.create_index("ix_interpreter_assignments_interpreter_id", "interpreter_assignments", ["interpreter_id"])
    op.create_index("ix_interpreter_assignments_case_id", "interpreter_assignments", ["case_id"])
    op.create_table(
        "data_shares",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_data_shares_case_id_cases"), nullable=False),
        sa.Column("recipient", sa.String(60), nullable=False),
        sa.Column("recipient_kind", sa.String(20), nullable=False),
        sa.Column("recipient_country", sa.String(2)),
        sa.Column("fields", sa.String(300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("consent_scope", sa.String(80), nullable=False),
        sa.Column("consent_method", sa.String(10), nullable=False),
        sa.Column("shared_at", UTC(), nullable=False),
        sa.Column("shared_by", sa.String(80), nullable=False),
        sa.Column("revoked_at", UTC()),
        sa.Column("revoked_reason", sa.String(120)),
    )
    op.create_index("ix_data_shares_case_id", "data_shares", ["case_id"])
    op.create_table(
        "return_plans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_return_plans_case_id_cases"), nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("travel_on", sa.Date(), nullable=False),
        sa.Column("helpline", sa.Text(), nullable=False),
        sa.Column("receiving_contact", sa.Text()),
        sa.Column("accompanied_by", sa.Text()),
        sa.Column("restitution_contact", sa.Text()),
        sa.Column("family_assessed", sa.Boolean(), nullable=False),
        sa.Column("data_to_origin", sa.String(60)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("planned_at", UTC(), nullable=False),
        sa.Column("planned_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_return_plans_case_id", "return_plans", ["case_id"])
    op.create_table(
        "information_sheets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_information_sheets_case_id_cases"),
                  nullable=False),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("explained_at", UTC(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("interpreter", sa.String(80)),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
    )
    op.create_index("ix_information_sheets_case_id", "information_sheets", ["case_id"])


def downgrade() -> None:
    for table in ("information_sheets", "return_plans", "data_shares", "interpreter_assignments", "interpreter_ties",
                  "interpreters"):
        op.drop_table(table)
