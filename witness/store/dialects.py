"""The SQL dialect module (`insert ... on conflict`) of a connection, imported when first needed.

`from sqlalchemy.dialects import postgresql` at the top of a module loads every PostgreSQL driver
SQLAlchemy knows (asyncpg, pg8000, psycopg, ...): ~0.1-0.2 s on each start of the command line, for
a store that is usually SQLite. Asking here loads only the dialect the connection speaks.
"""
from __future__ import annotations

import importlib
from types import FunctionType


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
    if len(values) == 1:
        # One value (a single case's facts, access, feed) is a plain equality: an IN list is
        # rendered again at every execution (SQLAlchemy's expanding parameter), ~0.05 ms a statement.
        return column == values[0]
    if conn.dialect.name == "postgresql":
        # Cast to VARCHAR[] without the column's length: PostgreSQL truncates a value cast to
        # VARCHAR(n), and a longer value cut to n characters could equal a stored one.
        item = String() if isinstance(column.type, String) else column.type
        return column == any_(literal(values, ARRAY(item)))
    return column.in_(values)


_BUILT_FOR_ONE: dict = {}


def select_for(conn, ids, build):
    """Run the statement `build(match)` makes, where `match(column)` is the condition "column is
    one of `ids`". For one id (a victim's feed, a case's page, the Do No Harm check of one action)
    the statement is built once per process and dialect, with the id as a bound parameter, and
    only run after that: building a SELECT and computing its cache key took 0.05-0.2 ms each, about
    a third of a feed fetch, which runs the same ~19 statements for one case each time a calendar
    app polls. For several ids it is built for them (`among`). `build` must be a module-level
    function of `match` alone (no closure, no defaults), reading no state that changes and
    computing no value of its own (no `now()`): a statement built once cannot carry one call's
    values. The first two are checked here; the last two are the builder's to keep."""
    if len(ids) != 1:
        return conn.execute(build(lambda column: among(conn, column, ids)))
    key = (build, conn.dialect.name)
    stmt = _BUILT_FOR_ONE.get(key)
    if stmt is None:
        if not isinstance(build, FunctionType) or build.__closure__ or build.__defaults__ or build.__kwdefaults__:
            raise TypeError(f"{getattr(build, '__qualname__', build)!s}: a statement built once must not depend on a "
                            "call's values")
        from sqlalchemy import bindparam

        stmt = _BUILT_FOR_ONE[key] = build(lambda column: column == bindparam("one_id"))
    return conn.execute(stmt, {"one_id": ids[0]})


def insert_rows(conn, table, rows: list[dict], skip_taken=None) -> int:
    """Insert `rows` (dicts with the same keys) into `table`; returns how many were inserted. With
    `skip_taken` (the name of a unique column), a row whose value there is already stored — or
    appears earlier in `rows` — is skipped, not refused.

    On PostgreSQL it is ONE statement, `INSERT ... SELECT * FROM unnest(%(c0)b, %(c1)b, ...)`: one
    array parameter per column whatever the number of rows, sent in binary. SQLAlchemy's
    executemany sent a statement per row (or, with RETURNING, multi-row VALUES of up to 7,000
    parameters, each rendered with its cast and parsed again by psycopg and by the server): the
    worklist inserts alone were 0.29 s of client time and 0.58 s of server time in a 100,000-case
    sweep. The arrays go in binary because psycopg escapes each element of a text-format array with
    a regular expression: 8,000 rows took ~1 s that way and ~0.04 s in binary.

    On SQLite it is the driver's own executemany of one `INSERT ... VALUES (?, ...)`, whose rowcount
    is the rows really inserted; the values are converted column by column with each column type's
    own bind processor (a naive datetime is refused, R-14). That is about as fast as SQLAlchemy's
    executemany was there (converting the timestamps is most of either). A table whose missing
    columns need a Python-computed default, or (on PostgreSQL) whose columns are of a type not sent
    as an array, takes SQLAlchemy's path."""
    if not rows:
        return 0
    names = list(rows[0])
    filled = _scalar_defaults(table, names)
    pg = conn.dialect.name == "postgresql"
    if filled is None or any(r.keys() != rows[0].keys() for r in rows) or (pg and not _arrayable(table, names + list(filled))):
        stmt = dialect_of(conn).insert(table)
        if skip_taken:
            stmt = stmt.on_conflict_do_nothing(index_elements=[skip_taken])
        if not pg:
            return conn.execute(stmt, rows).rowcount
        # psycopg reports rowcount -1 for an executemany: RETURNING counts what was really inserted.
        return len(conn.execute(stmt.returning(*table.primary_key.columns), rows).all())
    from sqlalchemy import String

    dialect, quote = conn.dialect, conn.dialect.identifier_preparer.quote
    columns, placeholders = [], []
    for n, name in enumerate(names + list(filled)):
        column = table.c[name]
        values = [r[name] for r in rows] if name in rows[0] else [filled[name]] * len(rows)
        # The processor SQLAlchemy itself would use on this dialect (dialect_impl: on SQLite, UTC's
        # impl is SQLite's DATETIME, which writes the one text form a comparison in SQL can match).
        process = column.type.dialect_impl(dialect).bind_processor(dialect)  # UTC refuses a naive datetime
        columns.append([process(v) for v in values] if process else values)
        # Arrays of the column's type without a length: an explicit cast to VARCHAR(n) would cut a
        # longer value silently, while assigning it to the column refuses it, as a plain insert does.
        item = String() if isinstance(column.type, String) else column.type
        placeholders.append(f"%(c{n})b::{dialect.type_compiler_instance.process(item)}[]" if pg else "?")
    into = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(c) for c in names + list(filled))}) "
    skip = f" ON CONFLICT ({quote(skip_taken)}) DO NOTHING" if skip_taken else ""
    if pg:
        return conn.exec_driver_sql(f"{into}SELECT * FROM unnest({', '.join(placeholders)}){skip}",
                                    {f"c{n}": values for n, values in enumerate(columns)}).rowcount
    return conn.exec_driver_sql(f"{into}VALUES ({', '.join(placeholders)}){skip}", list(zip(*columns))).rowcount


def _scalar_defaults(table, names) -> dict | None:
    """The columns missing from `names` that have a plain Python-side default, with that default
    (a column with a server default or none is left to the database). None when a missing column's
    default is computed in Python (a callable or SQL expression): the caller takes the ordinary path."""
    filled = {}
    for column in table.columns:
        if column.name in names or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        filled[column.name] = column.default.arg
    return filled


def _arrayable(table, names) -> bool:
    """Whether every one of these columns holds values psycopg sends as a binary array as they are."""
    from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String

    plain = (String, Integer, Boolean, DateTime, Date, Numeric)
    return all(isinstance(getattr(t, "impl_instance", t), plain) for t in (table.c[n].type for n in names))


def parts(conn, values: list, size: int = 500) -> list[list]:
    """`values` in lists of at most `size` for SQLite, whose statements take a bounded number of
    parameters; one list on PostgreSQL, where `among` sends them all as one array parameter. (No
    lists for no values.)"""
    values = list(values)
    step = max(len(values), 1) if conn.dialect.name == "postgresql" else size
    return [values[i:i + step] for i in range(0, len(values), step)]
