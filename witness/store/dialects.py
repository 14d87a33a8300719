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


def among(conn, column, values):
    """`column IN (values)`, written for the database `conn` speaks. On PostgreSQL it is
    `column = ANY(:values)`: ONE parameter holding an array, whatever the number of values. An IN
    list of a sweep chunk's 500-2,000 ids was as many parameters, each rendered with its cast by
    SQLAlchemy and parsed out of the statement again by psycopg (~5 ms a statement: 1.2 s of a
    profiled 100,000-case sweep). SQLite keeps the IN list (it has no arrays). Both are false for
    no values."""
    from sqlalchemy import ARRAY, String, any_, literal

    values = list(values)
    if conn.dialect.name == "postgresql":
        # Cast to VARCHAR[] without the column's length: PostgreSQL truncates a value cast to
        # VARCHAR(n), and a longer value cut to n characters could equal a stored one.
        item = String() if isinstance(column.type, String) else column.type
        return column == any_(literal(values, ARRAY(item)))
    return column.in_(values)
