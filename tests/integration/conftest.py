"""Fixtures shared by the integration tests."""
import uuid

import pytest
from sqlalchemy import text

from tests.conftest import PG_URL
from witness.settings import Settings
from witness.store.engine import make_engine


@pytest.fixture
def empty_store(tmp_path, app):
    """Settings of an empty store of the same kind as `app`'s, on "another machine" (its own home),
    with the same keyring (the shared secret): where a backup is restored. On PostgreSQL a database
    of its own, dropped afterwards."""
    home = tmp_path / "restored"
    if app.engine.dialect.name == "sqlite":
        yield Settings(home=home, database_url=f"sqlite:///{home / 'witness.db'}", key_file=app.settings.keyring_path)
        return
    name = "witness_restore_" + uuid.uuid4().hex[:10]
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    search = app.settings.url.split("?", 1)[1]
    yield Settings(home=home, database_url=PG_URL.rsplit("/", 1)[0] + f"/{name}?{search}",
                   key_file=app.settings.keyring_path)
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
