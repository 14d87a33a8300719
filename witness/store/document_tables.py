"""The register of generated documents (R-80, issue 6): every PDF witness produces is one row.

A row never holds the document or any personal data: kind, case pseudonym, the hearing or claim it
is about, language, recipient, whether the legal name was in it, and two hashes. `content_hash` is
the SHA-256 of the PDF bytes, so anyone holding a copy can check it against the register;
`source_hash` is the SHA-256 of what the document says (validated data and template files,
without the issue time), and a new `version` starts only when it changes.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from witness.store.tables import UTC, metadata

documents = Table(
    "documents", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("hearing_id", String(36)),  # no foreign key: hearings live in another area's tables
    Column("claim_id", String(36)),
    Column("language", String(16), nullable=False),
    Column("recipient", String(20), nullable=False),
    Column("includes_identity", Boolean, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("generated_at", UTC, nullable=False),
    Column("generated_by", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Index("ix_documents_case_kind", "case_id", "kind", "generated_at"),
)
