"""Imports every table module so that `metadata` knows all tables (migrations, test dumps).

Core tables live in tables.py; each feature area keeps its own in `<area>_tables.py` beside it,
found here by name so that adding an area touches no shared file.
"""
from __future__ import annotations

import importlib
import pkgutil

import witness.store as _store
from witness.store.tables import metadata

for _mod in pkgutil.iter_modules(_store.__path__):
    if _mod.name.endswith("_tables"):
        importlib.import_module(f"witness.store.{_mod.name}")

__all__ = ["metadata"]
