"""The interpreter registry (issue 12): who interprets which languages, whether they are vetted or
blocked, the ties they declared, and what they were assigned to (their own assignments page)."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table

from witness.store.tables import UTC, Secret, metadata

interpreters = Table(
    "interpreters", metadata,
    Column("id", String(80), primary_key=True),  # the interpreter's user id (an account of role interpreter)
    Column("languages", String(200), nullable=False),  # comma-separated language tags
    Column("vetting", String(12), nullable=False),  # pending | vetted | suspended
    Column("vetted_at", UTC),
    Column("vetted_by", String(80)),
    Column("blocked", Boolean, nullable=False, default=False),
    Column("block_reason", Secret),  # may describe a complaint: encrypted
    Column("blocked_at", UTC),
    Column("created_at", UTC, nullable=False),
    Column("created_by", String(80), nullable=False),
)

interpreter_ties = Table(
    "interpreter_ties", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interpreter_id", String(80), ForeignKey("interpreters.id"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),  # conflict | community | accused
    Column("ref", String(80), nullable=False),  # a case pseudonym, or an accused's label
    Column("declared_at", UTC, nullable=False),
    Column("recorded_by", String(80), nullable=False),
)

interpreter_assignments = Table(
    "interpreter_assignments", metadata,
    Column("id", String(36), primary_key=True),
    Column("interpreter_id", String(80), nullable=False, index=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("what", String(20), nullable=False),  # appointment kind, or "consent"
    Column("ref", String(36)),  # the appointment id
    Column("at", UTC, nullable=False),
    Column("language", String(16)),
    Column("assigned_by", String(80), nullable=False),
    Column("assigned_at", UTC, nullable=False),
)

ENCRYPTED = [(interpreters, "id", ("block_reason",), "id")]
