"""hearings area: hearings, appearances, measures, resources, bookings, calendar event identity

Revision ID: 0004_hearings
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0004_hearings"
down_revision = "0001"
branch_labels = ("hearings",)
depends_on = None
UTC = witness.store.tables.UTC


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "hearings",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("proceeding_id", sa.String(36), _fk("hearings", "proceeding_id", "proceedings"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("starts_at", UTC(), nullable=False),
        sa.Column("ends_at", UTC(), nullable=False),
        sa.Column("room", sa.String(80)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("prepared_version", sa.Integer()),
        sa.Column("prepared_at", UTC()),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
    )
    op.create_index("ix_hearings_proceeding_id", "hearings", ["proceeding_id"])
    op.create_index("ix_hearings_status_starts", "hearings", ["status", "starts_at"])

    op.create_table(
        "hearing_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("hearing_id", sa.String(12), _fk("hearing_changes", "hearing_id", "hearings"), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("change", sa.String(12), nullable=False),
        sa.Column("from_starts_at", UTC()),
        sa.Column("to_starts_at", UTC()),
        sa.Column("reason", sa.Text()),
    )
    op.create_index("ix_hearing_changes_hearing_id", "hearing_changes", ["hearing_id"])

    op.create_table(
        "appearances",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hearing_id", sa.String(12), _fk("appearances", "hearing_id", "hearings"), nullable=False),
        sa.Column("case_id", sa.String(12), _fk("appearances", "case_id", "cases"), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("travel_minutes", sa.Integer(), nullable=False),
        sa.Column("pickup_ref", sa.String(12), nullable=False),
        sa.Column("pickup_address", sa.Text()),
        sa.Column("interpreter", sa.String(80)),
        sa.Column("language", sa.String(16)),
        sa.Column("escort_pins", sa.String(200), nullable=False),
        sa.Column("defendant_cross_examines", sa.Boolean(), nullable=False),
        sa.Column("gender_override_at", UTC()),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.UniqueConstraint("hearing_id", "case_id", name="uq_appearances_hearing_id"),
    )
    op.create_index("ix_appearances_hearing_id", "appearances", ["hearing_id"])
    op.create_index("ix_appearances_case_id", "appearances", ["case_id"])

    op.create_table(
        "measures",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("case_id", sa.String(12), _fk("measures", "case_id", "cases"), nullable=False),
        sa.Column("hearing_id", sa.String(12), _fk("measures", "hearing_id", "hearings"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("eligibility", sa.String(20), nullable=False),
        sa.Column("condition_note", sa.String(400), nullable=False),
        sa.Column("recommended_at", UTC(), nullable=False),
        sa.Column("request_by", UTC(), nullable=False),
        sa.Column("requested_at", UTC()),
        sa.Column("response_due_at", UTC()),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("decided_at", UTC()),
        sa.Column("decision_note", sa.Text()),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.UniqueConstraint("hearing_id", "case_id", "kind", name="uq_measures_hearing_id"),
    )
    op.create_index("ix_measures_case_id", "measures", ["case_id"])
    op.create_index("ix_measures_hearing_id", "measures", ["hearing_id"])

    op.create_table(
        "measure_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(12), _fk("measure_history", "measure_id", "measures"), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
    )
    op.create_index("ix_measure_history_measure_id", "measure_history", ["measure_id"])

    op.create_table(
        "resources",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("unit", sa.String(120), nullable=False),
        sa.Column("gender", sa.String(12)),
        sa.Column("trained", sa.Boolean(), nullable=False),
        sa.Column("sites", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", UTC(), nullable=False),
    )
    op.create_index("ix_resources_kind_jurisdiction", "resources", ["kind", "jurisdiction"])

    op.create_table(
        "resource_leave",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("resource_id", sa.String(60), _fk("resource_leave", "resource_id", "resources"), nullable=False),
        sa.Column("from_day", sa.String(10), nullable=False),
        sa.Column("to_day", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(12), nullable=False),
    )
    op.create_index("ix_resource_leave_resource_id", "resource_leave", ["resource_id"])

    op.create_table(
        "scheduling_policy",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTC(), nullable=False),
    )

    op.create_table(
        "bookings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hearing_id", sa.String(12), _fk("bookings", "hearing_id", "hearings"), nullable=False),
        sa.Column("case_id", sa.String(12), _fk("bookings", "case_id", "cases"), nullable=False),
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(60), _fk("bookings", "resource_id", "resources"), nullable=False),
        sa.Column("starts_at", UTC(), nullable=False),
        sa.Column("ends_at", UTC(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("released_at", UTC()),
    )
    op.create_index("ix_bookings_hearing_id", "bookings", ["hearing_id"])
    op.create_index("ix_bookings_resource_starts", "bookings", ["resource_id", "starts_at"])

    op.create_table(
        "calendar_events",
        sa.Column("uid", sa.String(64), primary_key=True),
        sa.Column("hearing_id", sa.String(12), _fk("calendar_events", "hearing_id", "hearings"), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("starts_at", UTC(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("changed_at", UTC(), nullable=False),
        sa.UniqueConstraint("hearing_id", "audience", "subject", name="uq_calendar_events_hearing_id"),
    )
    op.create_index("ix_calendar_events_hearing_id", "calendar_events", ["hearing_id"])
    op.create_index("ix_calendar_events_feed", "calendar_events", ["audience", "subject", "starts_at"])


def downgrade() -> None:
    for t in ("calendar_events", "bookings", "scheduling_policy", "resource_leave", "resources", "measure_history",
              "measures", "appearances", "hearing_changes", "hearings"):
        op.drop_table(t)
