"""notices area: outbox, delivery attempts, opt-outs, received case events

Revision ID: 0003_notices
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0003_notices"
down_revision = "0001"
branch_labels = ("notices",)
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_notices_case_id_cases")),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("recipient", sa.String(12), nullable=False),
        sa.Column("recipient_ref", sa.String(80)),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("event_ref", sa.String(120)),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("repeat_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC(), nullable=False),
        sa.Column("lease_owner", sa.String(80)),
        sa.Column("lease_until", UTC()),
        sa.Column("ack_code_hash", sa.String(64)),
        sa.Column("ack_code", sa.Text()),
        sa.Column("acknowledged_at", UTC()),
        sa.Column("acknowledged_by", sa.String(80)),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("dead_reason", sa.String(200)),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("sent_at", UTC()),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_notices_idempotency_key"),
    )
    op.create_index("ix_notices_group_key", "notices", ["group_key"])
    op.create_index("ix_notices_case_id", "notices", ["case_id"])
    op.create_index("ix_notices_ack_code_hash", "notices", ["ack_code_hash"])
    op.create_index("ix_notices_due", "notices", ["status", "next_attempt_at"])
    op.create_table(
        "notice_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("notice_id", sa.String(36), sa.ForeignKey("notices.id", name="fk_notice_attempts_notice_id_notices"),
                  nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("relay", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC()),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("error", sa.String(300)),
    )
    op.create_index("ix_notice_attempts_notice_id", "notice_attempts", ["notice_id"])
    op.create_table(
        "notice_opt_outs",
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_notice_opt_outs_case_id_cases"),
                  primary_key=True),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("by", sa.String(80), nullable=False),
    )
    op.create_table(
        "received_events",
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("occurred_at", UTC(), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("historical", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    for t in ("received_events", "notice_opt_outs", "notice_attempts", "notices"):
        op.drop_table(t)
