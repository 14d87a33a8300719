"""The SQL dialect module (`insert ... on conflict`) of a connection, imported when first needed.

`from sqlalchemy.dialects import postgresql` at the top of a module loads every PostgreSQL driver
SQLAlchemy knows (asyncpg, pg8000, psycopg, ...): ~0.1-0.2 s on each start of the command line, for
a store that is usually SQLite. Asking here loads only the dialect the connection speaks.
"""
from __future__ import annotations

import importlib


def dialect_of(conn):
    """sqlalchemy.dialects.postgresql or .sqlite, whichever `conn` speaks."""
    return importlib.import_module("sqlalchemy.dialects." + ("postgresql" if conn.dialect.name == "postgresql"
                                                             else "sqlite"))
