"""Table definitions (SQLAlchemy Core). Columns ending in nothing special but typed `Secret` hold
AES-GCM ciphertext (see crypto.py); everything else is safe to see without need-to-know.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        TypeDecorator, UniqueConstraint)

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s",
})


class UTC(TypeDecorator):
    """Timezone-aware in, timezone-aware out, UTC on disk — on SQLite as on PostgreSQL (R-14)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: every timestamp must be timezone-aware (R-14)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


Secret = Text  # ciphertext; a separate name so the table reads as what it holds

cases = Table(
    "cases", metadata,
    Column("id", String(12), primary_key=True),  # the pseudonym, e.g. W-7K3Q9X
    Column("jurisdiction", String(2), nullable=False),
    Column("coordinator", String(80), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("opened_at", UTC, nullable=False),
    Column("age_status", String(10), nullable=False),
    Column("gender", String(12), nullable=False),
    Column("nationality", String(2)),
    Column("preferred_language", String(16), nullable=False),
    Column("escort_gender_preference", String(12)),
    Column("safe_channels", String(60), nullable=False, default=""),
    Column("reflection_started_at", UTC, nullable=False),
    Column("reflection_ends_at", UTC, nullable=False),
    Column("reflection_max_ends_at", UTC, nullable=False),
    Column("decision", String(20)),
    Column("decided_at", UTC),
    Column("updated_at", UTC, nullable=False),
    Index("ix_cases_stage_reflection", "stage", "reflection_ends_at"),
    # The case list pages in SQL in this order, all cases or one coordinator's.
    Index("ix_cases_opened", "opened_at", "id"),
    Index("ix_cases_coordinator_opened", "coordinator", "opened_at", "id"),
    # The sweep's follow-ups about children (a guardian pending, proceedings stalled) start from them.
    Index("ix_cases_age_stage", "age_status", "stage"),
)

identities = Table(
    "identities", metadata,
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True),
    Column("legal_name", Secret, nullable=False),
    Column("aliases", Secret),
    Column("date_of_birth", Secret),
    Column("phone", Secret),
    Column("email", Secret),
    Column("address", Secret),
    Column("notes", Secret),
    Column("guardian_name", Secret),
    Column("guardian_relationship", Secret),
    Column("guardian_phone", Secret),
    Column("guardian_language", String(16)),
    Column("name_index", String(64), index=True),  # blind index for exact duplicate checks at intake
    # ix_identities_no_guardian, a partial index, is declared in all_tables.py (why: there).
)
ENCRYPTED_IDENTITY_COLUMNS = ("legal_name", "aliases", "date_of_birth", "phone", "email", "address", "notes",
                              "guardian_name", "guardian_relationship", "guardian_phone")

stage_history = Table(
    "stage_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False),
    Column("from_stage", String(20)),
    Column("to_stage", String(20), nullable=False),
    Column("at", UTC, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("reason", Secret, nullable=False),  # free text may name people: encrypted
    # A case's last stage change from the index alone (the sweep's stalled-proceedings follow-up).
    Index("ix_stage_history_case_at", "case_id", "at"),
)

proceedings = Table(
    "proceedings", metadata,
    Column("id", String(36), primary_key=True),
    Column("jurisdiction", String(2), nullable=False),
    Column("court", String(200), nullable=False),
    Column("docket", String(80), nullable=False),
    Column("prosecutor", String(80)),
    UniqueConstraint("jurisdiction", "docket", name="uq_proceedings_docket"),
    Index("ix_proceedings_prosecutor", "prosecutor"),  # a prosecutor's cases (lists, need to know)
)

accused = Table(
    "accused", metadata,
    Column("id", String(36), primary_key=True),
    Column("label", String(80), nullable=False),
    Column("custody", String(12), nullable=False),
    Column("custody_changed_at", UTC, nullable=False),
)

proceeding_accused = Table(
    "proceeding_accused", metadata,
    Column("proceeding_id", String(36), ForeignKey("proceedings.id"), primary_key=True),
    # By accused: whose victims a custody change concerns (the custody feed, the preparation triggers).
    Column("accused_id", String(36), ForeignKey("accused.id"), primary_key=True, index=True),
)

case_proceedings = Table(
    "case_proceedings", metadata,
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True),
    Column("proceeding_id", String(36), ForeignKey("proceedings.id"), primary_key=True, index=True),
)

relationships = Table(
    "relationships", metadata,
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True),
    Column("accused_id", String(36), ForeignKey("accused.id"), primary_key=True, index=True),
    Column("relationship", String(20), nullable=False),
)

consents = Table(
    "consents", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("scope", String(80), nullable=False),
    Column("method", String(10), nullable=False),
    Column("language", String(16), nullable=False),
    Column("interpreter", String(80)),
    Column("guardian_agreed", Boolean, nullable=False, default=False),
    Column("given_at", UTC, nullable=False),
    Column("recorded_by", String(80), nullable=False),
    Column("withdrawn_at", UTC),
    Column("withdrawn_by", String(80)),
)

services = Table(
    "services", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(10), nullable=False),  # active | ended
    Column("started_at", UTC, nullable=False),
    Column("ended_at", UTC),
    Column("end_reason", String(40)),
)

appointments = Table(
    "appointments", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("at", UTC, nullable=False),
    Column("status", String(12), nullable=False),  # scheduled | cancelled | held
    Column("created_by", String(80), nullable=False),
    Column("cancelled_at", UTC),
    Column("cancel_reason", String(120)),
)

worklist = Table(
    "worklist", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # A deterministic key per (case, kind, occasion) makes every producer idempotent: the same
    # sweep run twice inserts nothing new.
    Column("key", String(160), nullable=False, unique=True),
    Column("case_id", String(12), ForeignKey("cases.id")),  # indexed first in ix_worklist_case_kind_due
    Column("kind", String(40), nullable=False),
    Column("assignee", String(80), nullable=False),
    Column("due_at", UTC, nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("detail", String(500), nullable=False),  # never personal data: pseudonyms and dates only
    Column("done_at", UTC),
    Column("done_by", String(80)),
    Index("ix_worklist_case_kind_due", "case_id", "kind", "due_at"),
    # Today: one person's open items, most urgent first, without reading everyone's.
    Index("ix_worklist_assignee_open", "assignee", "done_at", "due_at", "id"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTC, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(60), nullable=False),
    Column("record", String(120), nullable=False),
    Column("purpose", String(300), nullable=False),
    Column("prev", String(64), nullable=False),
    Column("mac", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("mac", String(64), nullable=False),
)


# Secrets to re-encrypt on key rotation: (table, primary key, columns, column bound as associated data).
ENCRYPTED = [
    (identities, "case_id", ENCRYPTED_IDENTITY_COLUMNS, "case_id"),
    (stage_history, "id", ("reason",), "case_id"),
]
