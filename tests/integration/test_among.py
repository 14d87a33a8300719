"""`among(conn, column, values)`: the rows `column IN (values)` selects, on both databases; on
PostgreSQL as `= ANY` with one array parameter however many values (witness/store/dialects.py)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import T0
from witness.services.worklist import add_items, item
from witness.store.dialects import among
from witness.store.tables import worklist


def test_among_selects_what_in_selects(app):
    with app.engine.begin() as conn:
        add_items(conn, [item(f"among-{i}", None, "test", "amara", T0, T0 - timedelta(days=1), "x") for i in range(5)])
    wanted = ["among-1", "among-3", "never-listed"] + [f"other-{i}" for i in range(600)]
    with app.engine.connect() as conn:
        for values in (wanted, [], ["among-4"], iter(["among-0", "among-2"])):
            values = list(values)
            got = set(conn.execute(select(worklist.c.key).where(among(conn, worklist.c.key, values))).scalars())
            assert got == set(conn.execute(select(worklist.c.key).where(worklist.c.key.in_(values))).scalars())
        assert set(conn.execute(select(worklist.c.key).where(among(conn, worklist.c.key, wanted))).scalars()) == \
            {"among-1", "among-3"}


def test_a_value_longer_than_the_column_matches_nothing(app):
    """PostgreSQL cuts a value cast to VARCHAR(n) to n characters: cut, this one would equal the key."""
    key = "k" * worklist.c.key.type.length
    with app.engine.begin() as conn:
        add_items(conn, [item(key, None, "test", "amara", T0, T0, "x")])
    with app.engine.connect() as conn:
        assert conn.execute(select(worklist.c.key).where(among(conn, worklist.c.key, [key + "-longer"]))).all() == []
        assert conn.execute(select(worklist.c.key).where(among(conn, worklist.c.key, [key]))).scalars().all() == [key]


def test_on_postgresql_the_values_are_one_parameter(app):
    with app.engine.connect() as conn:
        stmt = select(worklist.c.id).where(among(conn, worklist.c.key, [f"k{i}" for i in range(2000)]))
        compiled = stmt.compile(dialect=conn.dialect)
        if conn.dialect.name == "postgresql":
            assert "= ANY" in str(compiled) and len(compiled.params) == 1
        else:
            assert " IN " in str(compiled)


def test_parts_are_one_list_on_postgresql_and_bounded_lists_on_sqlite(app):
    from witness.store.dialects import parts

    values = [f"k{i}" for i in range(1203)]
    with app.engine.connect() as conn:
        got = parts(conn, iter(values))
        assert [v for p in got for v in p] == values and parts(conn, []) == []
        if conn.dialect.name == "postgresql":
            assert len(got) == 1
        else:
            assert [len(p) for p in got] == [500, 500, 203] and [len(p) for p in parts(conn, values, 2000)] == [1203]
