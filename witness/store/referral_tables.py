"""Every share of a victim's data with another agency (issue 12): who, which fields, why, under
which consent; revoked when that consent is withdrawn (R-22)."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table

from witness.store.tables import UTC, Secret, metadata

data_shares = Table(
    "data_shares", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("recipient", String(60), nullable=False),
    Column("recipient_kind", String(20), nullable=False),
    Column("recipient_country", String(2)),
    Column("fields", String(300), nullable=False),  # comma-separated field names, never values
    Column("purpose", Secret, nullable=False),  # free text: encrypted
    Column("consent_scope", String(80), nullable=False),
    Column("consent_method", String(10), nullable=False),
    Column("shared_at", UTC, nullable=False),
    Column("shared_by", String(80), nullable=False),
    Column("revoked_at", UTC),
    Column("revoked_reason", String(120)),
)

ENCRYPTED = [(data_shares, "id", ("purpose",), "id")]
