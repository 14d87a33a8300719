"""Return plans (issue 12) and the information-sheet explanations informed consent rests on."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table

from witness.store.tables import UTC, Secret, metadata

return_plans = Table(
    "return_plans", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("destination", String(2), nullable=False),
    Column("travel_on", Date, nullable=False),
    Column("helpline", Secret, nullable=False),
    Column("receiving_contact", Secret),
    Column("accompanied_by", Secret),
    Column("restitution_contact", Secret),  # how the victim's lawyer reaches them after return
    Column("family_assessed", Boolean, nullable=False),
    Column("data_to_origin", String(60)),
    Column("status", String(12), nullable=False),  # planned | cancelled
    Column("planned_at", UTC, nullable=False),
    Column("planned_by", String(80), nullable=False),
)

information_sheets = Table(
    "information_sheets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("scope", String(80), nullable=False),
    Column("explained_at", UTC, nullable=False),
    Column("language", String(16), nullable=False),
    Column("interpreter", String(80)),
    Column("recorded_by", String(80), nullable=False),
    Column("recorded_at", UTC, nullable=False),
)

ENCRYPTED = [(return_plans, "id", ("helpline", "receiving_contact", "accompanied_by", "restitution_contact"), "id")]
