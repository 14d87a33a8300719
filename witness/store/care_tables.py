"""Tables of the care area (issue 12): where a victim stays and with whom, detention, the guardian's
record, and the intake facts the Guide asks for (exploitation, pregnancy, accompanying children)."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from witness.store.tables import UTC, Secret, metadata

# The provider an accommodation service is placed with (the directory is config/accommodation.yaml).
placements = Table(
    "placements", metadata,
    Column("service_id", String(36), ForeignKey("services.id"), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("provider", String(60), nullable=False),
    Column("placed_at", UTC, nullable=False),
    Column("placed_by", String(80), nullable=False),
)

# A victim held in immigration detention, protective custody or a police cell (Guide: Recovery §2,
# Victim Identification §2): kept for the shortest period possible, escalated past the profile's limit.
detentions = Table(
    "detentions", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("started_at", UTC, nullable=False),
    Column("ended_at", UTC),
    Column("place", Secret),  # where the victim is held: encrypted
    Column("recorded_by", String(80), nullable=False),
    Index("ix_detentions_open", "ended_at", "started_at"),
    Index("ix_detentions_case", "case_id"),
)

# Each guardian recorded for a child, in order (the current one is in identities): who recorded it,
# and whether the guardian is linked to an accused (parental complicity, Criminal Justice §7).
guardian_records = Table(
    "guardian_records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # in recording order: the last is current
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("recorded_at", UTC, nullable=False),
    Column("recorded_by", String(80), nullable=False),
    Column("accused_link", String(200)),  # why linked: accused labels and relationships only, no names
)

# What intake learned about the victim's situation (Guide: Victim Identification §1 forms of
# exploitation; Recovery §2 pregnant and nursing women, mothers with young children).
circumstances = Table(
    "circumstances", metadata,
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True),
    Column("exploitation", String(300), nullable=False, default=""),  # comma-separated ExploitationType values
    Column("pregnancy", Secret),  # pregnant | nursing | no (health data: encrypted)
    Column("accompanying_children", Integer, nullable=False, default=0),
    Column("media_exposure", Boolean, nullable=False, default=False),
)

ENCRYPTED = [
    (detentions, "id", ("place",), "id"),
    (circumstances, "case_id", ("pregnancy",), "case_id"),
]
