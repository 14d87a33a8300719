"""Tables of the sweep: the chunks of one sweep, which workers claim under a lease (R-102, issue 15 §3).

One row per chunk: the follow-up, its position, the case ids it covers (pseudonyms only, no personal
data), and who holds it until when. A chunk is `pending` until a worker processes it; the worker's
unit of work marks it `done` in the same transaction as the changes, so a chunk is processed once
whatever happens to the worker. A worker that dies leaves a lease that expires, and another takes it.
"""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from witness.store.tables import UTC, metadata

sweep_chunks = Table(
    "sweep_chunks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sweep_at", UTC, nullable=False),  # the sweep's instant: one sweep, one set of chunks
    Column("follow_up", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("case_ids", Text, nullable=False),  # JSON list of case ids (pseudonyms)
    Column("status", String(12), nullable=False),  # pending | done
    Column("lease_owner", String(120)),
    Column("lease_expires_at", UTC),
    Column("claims", Integer, nullable=False, server_default="0"),  # how many times it was claimed
    Column("changed", Integer),
    Column("done_at", UTC),
    UniqueConstraint("sweep_at", "follow_up", "seq", name="uq_sweep_chunks_unit"),
    Index("ix_sweep_chunks_sweep_status", "sweep_at", "status"),
)

ENCRYPTED: list = []  # nothing secret here
