"""Alembic environment: runs on the connection witness hands it (see witness/store/schema.py)."""
from alembic import context

from witness.store.all_tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: use the configured URL
    from witness.settings import get_settings
    from witness.store.engine import make_engine

    connection = make_engine(get_settings().url).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
