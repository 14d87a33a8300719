"""risk area: assessments, reviews due, guardrail overrides, custody events, case flags

Revision ID: 0002_risk
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0002_risk"
down_revision = "0001"
branch_labels = ("risk",)
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_risk_assessments_case_id_cases"), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("assessor", sa.String(80), nullable=False),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("victim_scale", sa.Integer(), nullable=False),
        sa.Column("factors", sa.Text(), nullable=False),
        sa.Column("recommended", sa.Text(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("next_review_at", UTC(), nullable=False),
    )
    op.create_index("ix_risk_assessments_case_at", "risk_assessments", ["case_id", "at"])
    op.create_table(
        "risk_reviews_due",
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_risk_reviews_due_case_id_cases"), primary_key=True),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("trigger", sa.String(40), nullable=False),
    )
    op.create_table(
        "guardrail_overrides",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_guardrail_overrides_case_id_cases"), nullable=False),
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_guardrail_overrides_case_id", "guardrail_overrides", ["case_id"])
    op.create_table(
        "custody_events",
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("accused_id", sa.String(36), sa.ForeignKey("accused.id", name="fk_custody_events_accused_id_accused"), nullable=False),
        sa.Column("custody", sa.String(12), nullable=False),
        sa.Column("occurred_at", UTC(), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("historical", sa.Integer(), nullable=False),
    )
    op.create_index("ix_custody_events_accused_id", "custody_events", ["accused_id"])
    op.create_table(
        "case_flags",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_case_flags_case_id_cases"), nullable=False),
        sa.Column("flag", sa.String(40), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("by", sa.String(80), nullable=False),
        sa.Column("resolved_at", UTC()),
    )
    op.create_index("ix_case_flags_case_id", "case_flags", ["case_id"])


def downgrade() -> None:
    for t in ("case_flags", "custody_events", "guardrail_overrides", "risk_reviews_due", "risk_assessments"):
        op.drop_table(t)
