"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from witness.store.all_tables import metadata


def test_migrations_match_the_declared_tables(app):
    with app.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        conn.rollback()
    assert diff == []
