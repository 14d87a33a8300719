"""`insert_rows(conn, table, rows, skip_taken=...)`: the sweep's bulk inserts, on both databases; on
PostgreSQL one `INSERT ... SELECT * FROM unnest(...)` with one binary array per column however many
rows (witness/store/dialects.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, event, select
from sqlalchemy.exc import DataError

from tests.conftest import T0
from witness.store.dialects import insert_rows
from witness.store.tables import UTC

meta = MetaData()
things = Table(
    "test_things", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(8), nullable=False, unique=True),
    Column("case_id", String(12)),
    Column("at", UTC, nullable=False),
    Column("note", String(200), nullable=False, default=""),   # scalar defaults the caller may leave out
    Column("late", Boolean, nullable=False, default=False),
    Column("count", Integer, nullable=False, default=0),
)


@pytest.fixture
def engine(app):
    meta.create_all(app.engine)
    yield app.engine
    meta.drop_all(app.engine)


def stored(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(things.c.key, things.c.case_id, things.c.at, things.c.note,
                                                      things.c.late, things.c.count).order_by(things.c.id))]


def test_rows_are_stored_as_given_with_the_defaults_of_the_columns_left_out(engine):
    awkward = "it's \"quoted\", back\\slashed, {braced}, ไทย, NULL"
    rows = [dict(key="a", case_id=None, at=T0, note=awkward, late=True, count=3),
            dict(key="b", case_id="W-1", at=T0 + timedelta(hours=7), note="", late=False, count=0)]
    with engine.begin() as conn:
        assert insert_rows(conn, things, rows) == 2
        assert insert_rows(conn, things, [dict(key="c", case_id="W-2", at=T0.astimezone(timezone(timedelta(hours=7))))]) == 1
    assert stored(engine) == [("a", None, T0, awkward, True, 3), ("b", "W-1", T0 + timedelta(hours=7), "", False, 0),
                              ("c", "W-2", T0, "", False, 0)]


def test_stored_values_are_found_by_the_ordinary_queries(engine):
    """Written as SQLAlchemy itself writes them: on SQLite a timestamp is text, and only the one form
    SQLAlchemy writes equals the value it compares it with (`at == T0` below)."""
    with engine.begin() as conn:
        insert_rows(conn, things, [dict(key="a", at=T0, late=True), dict(key="b", at=T0 + timedelta(microseconds=1), late=False)])
    with engine.connect() as conn:
        assert conn.execute(select(things.c.key).where(things.c.at == T0)).scalars().all() == ["a"]
        assert conn.execute(select(things.c.key).where(things.c.late.is_(True))).scalars().all() == ["a"]
        assert conn.execute(select(things.c.key).where(things.c.at > T0)).scalars().all() == ["b"]


def test_a_taken_key_is_skipped_whether_stored_or_earlier_in_the_same_rows(engine):
    with engine.begin() as conn:
        assert insert_rows(conn, things, [dict(key="a", at=T0), dict(key="b", at=T0), dict(key="a", at=T0 + timedelta(1))],
                           skip_taken="key") == 2
        assert insert_rows(conn, things, [dict(key="b", at=T0), dict(key="c", at=T0)], skip_taken="key") == 1
        assert insert_rows(conn, things, [dict(key="c", at=T0)], skip_taken="key") == 0
    assert [(k, at) for k, _, at, *_ in stored(engine)] == [("a", T0), ("b", T0), ("c", T0)]


def test_without_skip_taken_a_taken_key_is_refused_and_nothing_is_written(engine):
    with pytest.raises(Exception), engine.begin() as conn:
        insert_rows(conn, things, [dict(key="a", at=T0)])
        insert_rows(conn, things, [dict(key="b", at=T0), dict(key="a", at=T0)])
    assert stored(engine) == []


def test_a_naive_timestamp_is_refused(engine):
    with pytest.raises(Exception, match="naive datetime refused"), engine.begin() as conn:
        insert_rows(conn, things, [dict(key="a", at=T0), dict(key="b", at=datetime(2026, 1, 1))])
    assert stored(engine) == []


def test_on_postgresql_a_value_longer_than_the_column_is_refused_not_cut(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    with pytest.raises(DataError), engine.begin() as conn:
        insert_rows(conn, things, [dict(key="k" * 8, at=T0), dict(key="k" * 9, at=T0)], skip_taken="key")
    assert stored(engine) == []


def test_on_postgresql_the_rows_are_one_statement_whatever_their_number(engine):
    sent = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append((a[2], a[5])))
    rows = [dict(key=f"k{i}", case_id=f"W-{i}", at=T0 + timedelta(minutes=i)) for i in range(3000)]
    with engine.begin() as conn:
        assert insert_rows(conn, things, rows, skip_taken="key") == 3000
    inserts = [(s, many) for s, many in sent if s.lstrip().upper().startswith("INSERT")]
    if engine.dialect.name == "postgresql":
        assert len(inserts) == 1 and "unnest(" in inserts[0][0] and not inserts[0][1]
    else:
        assert inserts and all(many for _, many in inserts)  # the driver's executemany
    assert len(stored(engine)) == 3000 and stored(engine)[-1][:3] == ("k2999", "W-2999", T0 + timedelta(minutes=2999))
