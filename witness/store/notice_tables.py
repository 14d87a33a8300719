"""Tables of the notices area: the outbox, every delivery attempt, opt-outs, events received.

Recipient addresses are never copied here: the relay reads them from `identities` (encrypted)
or from the staff directory at the moment it sends. Parameters hold plain values only.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from witness.store.tables import UTC, Secret, metadata

notices = Table(
    "notices", metadata,
    Column("id", String(36), primary_key=True),
    # Deterministic per (event, case, recipient, channel, repeat): a replayed event inserts nothing
    # new, and a re-send after a crash carries the same key (Message-ID / X-Idempotency-Key).
    Column("idempotency_key", String(64), nullable=False, unique=True),
    # One alert to one person: its channels and repeats share the group, the ack code and the ack.
    Column("group_key", String(64), nullable=False, index=True),
    Column("case_id", String(12), ForeignKey("cases.id"), index=True),  # None: a staff notice about many cases
    Column("kind", String(30), nullable=False),
    Column("recipient", String(12), nullable=False),  # victim | guardian | coordinator | oncall
    Column("recipient_ref", String(80)),  # staff user or on-call name; None for victim and guardian
    Column("channel", String(10), nullable=False),  # sms | email | worklist
    Column("language", String(16), nullable=False),
    Column("params", Text, nullable=False),  # JSON of plain values (dates, counts, pseudonyms for staff)
    Column("event_ref", String(120)),
    Column("urgent", Boolean, nullable=False),
    Column("repeat_no", Integer, nullable=False, default=0),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTC, nullable=False),
    Column("lease_owner", String(80)),
    Column("lease_until", UTC),
    Column("ack_code_hash", String(64), index=True),  # keyed hash: the code cannot be read back from it
    Column("ack_code", Secret),  # encrypted, bound to the group: printed into the text at send time
    Column("acknowledged_at", UTC),
    Column("acknowledged_by", String(80)),
    Column("escalation_level", Integer, nullable=False, default=0),  # 1 coordinator, 2 on-call list
    Column("dead_reason", String(200)),
    Column("created_at", UTC, nullable=False),
    Column("sent_at", UTC),
    Column("updated_at", UTC, nullable=False),
    Index("ix_notices_due", "status", "next_attempt_at"),
)

notice_attempts = Table(
    "notice_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notice_id", String(36), ForeignKey("notices.id"), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("relay", String(80), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("started_at", UTC, nullable=False),
    Column("finished_at", UTC),
    # pending (claimed) -> sent | temporary | permanent | blocked; unknown if the relay died first
    Column("outcome", String(12), nullable=False),
    Column("error", String(300)),  # never an address or a name (transports and the relay redact)
)

notice_opt_outs = Table(
    "notice_opt_outs", metadata,
    Column("case_id", String(12), ForeignKey("cases.id"), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("at", UTC, nullable=False),
    Column("by", String(80), nullable=False),
)

# Case events read by `witness event` (hearing outcomes, judgments...), by their source id: the same
# event seen twice is acted on once. Custody events have their own table (risk_tables).
received_events = Table(
    "received_events", metadata,
    Column("event_id", String(120), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("occurred_at", UTC, nullable=False),
    Column("recorded_at", UTC, nullable=False),
    Column("source", String(60), nullable=False),
    Column("historical", Boolean, nullable=False),
)

# The ack code is bound to its group, so every notice of one alert shares it.
ENCRYPTED = [(notices, "id", ("ack_code",), "group_key")]
