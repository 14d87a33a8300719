"""Tables of the hearings area: hearings and who appears, protective measures, resources and their
bookings, and the identity of every published calendar event (R-60…R-63).

No personal data in clear: appearances hold a pickup *reference*; the pickup address, if recorded,
and the court's decision notes are ciphertext (`Secret`).
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint)

from witness.store.tables import UTC, Secret, metadata

hearings = Table(
    "hearings", metadata,
    Column("id", String(12), primary_key=True),  # "H-" and 8 pseudonym characters
    Column("proceeding_id", String(36), ForeignKey("proceedings.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("starts_at", UTC, nullable=False),
    Column("ends_at", UTC, nullable=False),
    Column("room", String(80)),
    Column("status", String(12), nullable=False),
    # +1 on every change of the hearing or of who appears; preparation runs again when the hearing
    # is ahead of what was last prepared (the other reasons: witness/services/preparation.py).
    Column("version", Integer, nullable=False),
    Column("prepared_version", Integer),
    Column("prepared_at", UTC),
    # When the last preparation stops holding with no write to anything it read: a rule that reads
    # the clock answers differently, a gap waits for another hearing to free what it needs, or the
    # hearing comes within 14 days. NULL: only a change can make it stale.
    Column("recheck_at", UTC),
    # A fingerprint of the jurisdiction's profile the last preparation planned by (measure rules,
    # escort policy...): a profile changed since plans the hearing again (preparation.profile_marks).
    Column("prepared_profile", String(16)),
    Column("created_at", UTC, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("updated_at", UTC, nullable=False),
    Index("ix_hearings_status_starts", "status", "starts_at"),
)

hearing_changes = Table(
    "hearing_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hearing_id", String(12), ForeignKey("hearings.id"), nullable=False, index=True),
    Column("at", UTC, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("change", String(12), nullable=False),  # set | moved | cancelled | held
    Column("from_starts_at", UTC),
    Column("to_starts_at", UTC),
    Column("reason", Secret),  # free text may name people: encrypted
)

appearances = Table(
    "appearances", metadata,
    Column("id", String(36), primary_key=True),
    Column("hearing_id", String(12), ForeignKey("hearings.id"), nullable=False),  # indexed first in the unique key below
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("mode", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("travel_minutes", Integer, nullable=False),
    Column("pickup_ref", String(12), nullable=False),  # what the escort feed carries
    Column("pickup_address", Secret),  # never in clear, never in a feed
    Column("interpreter", String(80)),
    Column("language", String(16)),
    Column("escort_pins", String(200), nullable=False, default=""),  # officer ids, comma-separated
    Column("defendant_cross_examines", Boolean, nullable=False, default=False),
    # A person overrode DNH-05 (gender preference) for this appearance, with a reason recorded in
    # guardrail_overrides: later re-plans keep honouring that decision instead of undoing it.
    Column("gender_override_at", UTC),
    Column("created_at", UTC, nullable=False),
    Column("updated_at", UTC, nullable=False),
    UniqueConstraint("hearing_id", "case_id", name="uq_appearances_hearing_id"),
)

measures = Table(
    "measures", metadata,
    Column("id", String(12), primary_key=True),  # "M-" and 8 pseudonym characters
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False, index=True),
    Column("hearing_id", String(12), ForeignKey("hearings.id"), nullable=False),  # indexed first in the unique key below
    Column("kind", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("source", String(20), nullable=False),  # risk | guide | child | appearance | manual
    Column("eligibility", String(20), nullable=False),
    Column("condition_note", String(400), nullable=False, default=""),  # profile conditions; no personal data
    Column("recommended_at", UTC, nullable=False),
    Column("request_by", UTC, nullable=False),
    Column("requested_at", UTC),
    Column("response_due_at", UTC),
    Column("late", Boolean, nullable=False, default=False),
    Column("decided_at", UTC),
    Column("decision_note", Secret),
    Column("updated_at", UTC, nullable=False),
    UniqueConstraint("hearing_id", "case_id", "kind", name="uq_measures_hearing_id"),
)

measure_history = Table(
    "measure_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(12), ForeignKey("measures.id"), nullable=False, index=True),
    Column("at", UTC, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(20), nullable=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
)

resources = Table(
    "resources", metadata,
    Column("id", String(60), primary_key=True),  # call sign / number, never a name
    Column("kind", String(30), nullable=False),
    Column("jurisdiction", String(2), nullable=False),
    Column("unit", String(120), nullable=False, default=""),
    Column("gender", String(12)),
    Column("trained", Boolean, nullable=False, default=False),
    Column("sites", Text, nullable=False, default="[]"),  # JSON list of courts / buildings
    Column("capacity", Integer, nullable=False, default=1),
    Column("hours", Text, nullable=False, default="[]"),  # JSON
    Column("active", Boolean, nullable=False, default=True),
    Column("loaded_at", UTC, nullable=False),
    Index("ix_resources_kind_jurisdiction", "kind", "jurisdiction"),
)

resource_leave = Table(
    "resource_leave", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("resource_id", String(60), ForeignKey("resources.id"), nullable=False, index=True),
    Column("from_day", String(10), nullable=False),  # ISO dates, inclusive, in the jurisdiction's zone
    Column("to_day", String(10), nullable=False),
    Column("reason", String(12), nullable=False),
)

scheduling_policy = Table(
    "scheduling_policy", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("data", Text, nullable=False),  # JSON of witness.domain.resource.SchedulingPolicy
    Column("loaded_at", UTC, nullable=False),
)

bookings = Table(
    "bookings", metadata,
    Column("id", String(36), primary_key=True),
    Column("hearing_id", String(12), ForeignKey("hearings.id"), nullable=False, index=True),
    Column("case_id", String(12), ForeignKey("cases.id"), nullable=False),
    Column("measure", String(40), nullable=False),
    Column("resource_id", String(60), ForeignKey("resources.id"), nullable=False),
    Column("starts_at", UTC, nullable=False),
    Column("ends_at", UTC, nullable=False),
    Column("status", String(10), nullable=False),  # booked | released
    Column("created_at", UTC, nullable=False),
    Column("released_at", UTC),
    Index("ix_bookings_resource_starts", "resource_id", "starts_at"),
    # What a plan must work around: the bookings still open after its window starts (planner).
    Index("ix_bookings_status_ends", "status", "ends_at"),
)

# What a hearing's preparation read has changed since: one row per write to a witness's facts
# (consents, risk, custody of the accused, flags, claims, notices...), written by database triggers
# on those tables (witness/store/prep_triggers.py), so no writer can forget it. Preparing a hearing
# deletes its rows first, then reads; rows of hearings past or gone are pruned. No foreign key: a
# row may outlive an erased hearing until it is pruned.
hearing_inputs_changed = Table(
    "hearing_inputs_changed", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("hearing_id", String(12), nullable=False, index=True),
)

# One row per published event: its UID never changes, SEQUENCE grows with every change of what
# that audience sees. `content` is what was published (pseudonyms, times, places, references —
# never a name or address), so an export only reads and renders.
calendar_events = Table(
    "calendar_events", metadata,
    Column("uid", String(64), primary_key=True),
    Column("hearing_id", String(12), ForeignKey("hearings.id"), nullable=False),  # indexed first in the unique key below
    Column("audience", String(20), nullable=False),
    Column("subject", String(80), nullable=False),  # whose feed: user, officer, interpreter or case id
    Column("sequence", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # CONFIRMED | CANCELLED
    Column("starts_at", UTC, nullable=False),
    Column("content", Text, nullable=False),
    Column("changed_at", UTC, nullable=False),
    UniqueConstraint("hearing_id", "audience", "subject", name="uq_calendar_events_hearing_id"),
    Index("ix_calendar_events_feed", "audience", "subject", "starts_at"),
)

# Ciphertext columns, for key rotation (witness.services.keys): (table, primary key, columns, the
# column whose value each ciphertext is bound to).
ENCRYPTED = [
    (hearing_changes, "id", ("reason",), "hearing_id"),
    (appearances, "id", ("pickup_address",), "id"),
    (measures, "id", ("decision_note",), "id"),
]
