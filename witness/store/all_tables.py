"""Imports every table module so that `metadata` knows all tables (migrations, test dumps).

Core tables live in tables.py; each feature area keeps its own in `<area>_tables.py` beside it,
listed in witness/wiring.py (`table_modules`).
"""
from __future__ import annotations

from witness import wiring
from witness.store.tables import metadata

wiring.table_modules()

__all__ = ["metadata"]
