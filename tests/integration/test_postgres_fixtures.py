"""The test suite's PostgreSQL helpers leave nothing behind in database `test`: asking whether
PostgreSQL is there creates no schema, and a test's own schema is gone once dropped (three `wt_`
schemas were left after every run by fixtures that only wanted to know)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, drop_schema, postgres_schema_url, require_postgres

pytestmark = pytest.mark.postgres


def _schemas() -> set[str]:
    eng = create_engine(PG_URL)
    with eng.connect() as c:
        found = set(c.execute(text("SELECT nspname FROM pg_namespace")).scalars())
    eng.dispose()
    return found


def test_asking_whether_postgresql_is_there_creates_no_schema():
    require_postgres()
    before = _schemas()
    require_postgres()
    assert _schemas() == before


def test_a_test_s_own_schema_is_gone_once_dropped():
    require_postgres()
    before = _schemas()
    _, name = postgres_schema_url()
    assert _schemas() == before | {name}
    drop_schema(name)
    assert _schemas() == before
