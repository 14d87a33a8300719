"""Imports every table module so that `metadata` knows all tables (migrations, test dumps).

Core tables live in tables.py; each feature area keeps its own in `<area>_tables.py` beside it,
listed in witness/wiring.py (`table_modules`).
"""
from __future__ import annotations

from sqlalchemy import Index, text

from witness import wiring
from witness.store.tables import identities, metadata

wiring.table_modules()

# Partial indexes (a WHERE per dialect) are declared here, where migrations and schema checks load
# the whole metadata, not beside their table: SQLAlchemy checks `postgresql_where` and `sqlite_where`
# by importing each dialect they name, and the PostgreSQL dialect (with its asyncpg driver, which
# imports asyncio) cost every plain command ~42 ms on a SQLite store. Queries use the index alike.
#
# The victims with no guardian recorded (the sweep's guardian follow-up), without reading the
# encrypted rows themselves (migration 0019).
Index("ix_identities_no_guardian", identities.c.case_id, sqlite_where=text("guardian_name IS NULL"),
      postgresql_where=text("guardian_name IS NULL"))

__all__ = ["metadata"]
