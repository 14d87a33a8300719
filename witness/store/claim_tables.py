"""Tables of the claims area (R-90…R-94).

Money is stored as an integer count of minor units (BigInteger), with the currency code and its
minor units kept on the claim. Why not Numeric(20, 4): SQLite has no exact decimal type — SQLAlchemy's
Numeric is stored there with REAL affinity, i.e. as a float, which is exactly what R-91 forbids — and
the embedded SQLite store is the default. Integers are exact on SQLite and PostgreSQL alike, SUM()
over them stays exact in SQL, and 64 bits hold 9.2e18 minor units (IDR 92 quadrillion at 2 minor
units). Keeping minor_units on the claim means a later change to a profile's currency cannot change
what stored integers mean.

Free text (notes, evidence references, payer, payment references, reasons) is encrypted with the
row's own id as associated data; dates of court events are plain dates (they are local dates in
the jurisdiction, as the court wrote them).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from witness.store.tables import UTC, Secret, metadata

claims = Table(
    "claims", metadata,
    Column("id", String(12), primary_key=True),  # "CL-" and 8 characters, readable aloud like a pseudonym
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("jurisdiction", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("minor_units", Integer, nullable=False),
    Column("lawyer", String(80), nullable=False),  # the legal-aid lawyer who owns the claim
    Column("status", String(30), nullable=False),
    Column("guardian_acts", Boolean, nullable=False, default=False),  # a (presumed) child: the guardian acts
    Column("judgment_date", Date),  # starts the post-judgment filing deadline of the profile
    Column("filed_on", Date),
    Column("demanded_minor", BigInteger),
    Column("demanded_on", Date),
    Column("demanded_by", String(80)),
    Column("awarded_minor", BigInteger),
    Column("order_date", Date),
    Column("payer", Secret),  # may name the offender or an employer: encrypted
    Column("resolved_at", UTC),
    Column("resolution_reason", Secret),
    Column("note", Secret),
    Column("created_at", UTC, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("updated_at", UTC, nullable=False),
    Index("ix_claims_lawyer_status", "lawyer", "status"),
    Index("ix_claims_status_jurisdiction", "status", "jurisdiction"),
)

claim_items = Table(
    "claim_items", metadata,
    Column("id", String(36), primary_key=True),
    Column("claim_id", String(12), ForeignKey("claims.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("category", String(30), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("working", Text, nullable=False, default="[]"),  # JSON list of lines: dates, rates, arithmetic — no names
    Column("evidence", Secret),
    Column("note", Secret),
    Column("added_at", UTC, nullable=False),
    Column("added_by", String(80), nullable=False),
)

claim_instalments = Table(
    "claim_instalments", metadata,
    Column("claim_id", String(12), ForeignKey("claims.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("due_on", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Index("ix_claim_instalments_due_on", "due_on"),
)

claim_payments = Table(
    "claim_payments", metadata,
    Column("id", String(36), primary_key=True),
    Column("claim_id", String(12), ForeignKey("claims.id"), nullable=False, index=True),
    Column("paid_on", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reference", Secret),  # bank or court reference: may identify an account, so encrypted
    Column("note", Secret),
    Column("recorded_at", UTC, nullable=False),
    Column("recorded_by", String(80), nullable=False),
)


ENCRYPTED = [
    (claims, "id", ("payer", "resolution_reason", "note"), "id"),
    (claim_items, "id", ("evidence", "note"), "id"),
    (claim_payments, "id", ("reference", "note"), "id"),
]
