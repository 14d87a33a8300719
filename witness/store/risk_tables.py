"""Tables of the risk area: assessments with history, reviews due, guardrail overrides, custody events."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from witness.store.tables import UTC, Secret, metadata

risk_assessments = Table(
    "risk_assessments", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False),
    Column("at", UTC, nullable=False),
    Column("assessor", String(80), nullable=False),
    Column("trigger", String(40), nullable=False),
    Column("level", String(10), nullable=False),
    Column("score", Integer, nullable=False),
    Column("victim_scale", Integer, nullable=False),
    Column("factors", Text, nullable=False),  # JSON: [{factor, weight}] — no personal data
    Column("recommended", Text, nullable=False),  # JSON list of measure kinds
    Column("answers", Secret, nullable=False),  # JSON of the answers, incl. the victim's own words: encrypted
    Column("next_review_at", UTC, nullable=False),
    # Each case's latest assessment and its review date read from the index alone: the sweep's
    # "review due" asks, for every assessment due, whether a later one exists (0.38 -> 0.10 s at
    # 100,000 cases on SQLite, where it read each row's encrypted answers' pages).
    Index("ix_risk_assessments_case_at_review", "case_id", "at", "next_review_at"),
)

# One row per case whose reassessment is due now (by event) — removed when a new assessment is made.
risk_reviews_due = Table(
    "risk_reviews_due", metadata,
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True),
    Column("due_at", UTC, nullable=False),
    Column("trigger", String(40), nullable=False),
)

guardrail_overrides = Table(
    "guardrail_overrides", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("rule", String(60), nullable=False),
    Column("action", String(40), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("at", UTC, nullable=False),
    Column("reason", Secret, nullable=False),  # free text: encrypted
)

# Custody events by their source id: the same event seen twice is recorded (and notified) once.
custody_events = Table(
    "custody_events", metadata,
    Column("event_id", String(120), primary_key=True),
    Column("accused_id", String(36), ForeignKey("accused.id"), nullable=False, index=True),
    Column("custody", String(12), nullable=False),
    Column("occurred_at", UTC, nullable=False),
    Column("recorded_at", UTC, nullable=False),
    Column("source", String(60), nullable=False),
    Column("historical", Integer, nullable=False, default=0),  # imports/replays: recorded, never notified
)

# Facts reported about a case that rules read (e.g. informal settlement pressure).
case_flags = Table(
    "case_flags", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("flag", String(40), nullable=False),  # settlement_pressure | stay_until_resolved | threat_reported ...
    Column("at", UTC, nullable=False),
    Column("by", String(80), nullable=False),
    Column("resolved_at", UTC),
)


ENCRYPTED = [
    (risk_assessments, "id", ("answers",), "id"),
    (guardrail_overrides, "id", ("reason",), "id"),
]
