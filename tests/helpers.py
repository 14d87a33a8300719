"""Small test helpers that look at the store directly (never through the code under test)."""
from __future__ import annotations

from sqlalchemy import func, select

from witness.store.all_tables import metadata


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as c:
        counts = {t.name: c.execute(select(func.count()).select_from(t)).scalar() for t in metadata.sorted_tables}
        c.rollback()
    return counts


def dump(engine, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: two dumps compare whole states."""
    out = {}
    with engine.connect() as c:
        for t in metadata.sorted_tables:
            if t.name in exclude:
                continue
            out[t.name] = [tuple(r) for r in c.execute(select(t).order_by(*t.primary_key.columns))]
        c.rollback()
    return out


def synchronous_commit_default(engine) -> str:
    """PostgreSQL's synchronous_commit in an ordinary transaction: the server's setting (on, unless
    its operator chose otherwise), which a durable commit must keep."""
    with engine.connect() as c:
        value = str(c.exec_driver_sql("SHOW synchronous_commit").scalar())
        c.rollback()
    return value
