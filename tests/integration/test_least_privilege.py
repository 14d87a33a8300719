"""R-101b on PostgreSQL: migrations run as the owner role; the application runs as a role that
cannot alter the schema, cannot UPDATE/DELETE/TRUNCATE the audit log and is not a superuser, and
everything it does as that role still works. A schema of its own, so others' tests are unaffected;
the two roles are cluster-wide and created idempotently."""
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import ADMIN, AUDITOR, COORDINATOR, PG_URL, PROFILES, RISK_POLICY, adult_form, require_postgres
from tests.e2e.runner import cli_env, witness
from witness.bootstrap import App
from witness.clock import FixedClock
from witness.services import audit as audit_service
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.settings import Settings
from witness.store import roles, schema
from witness.store.crypto import Keyring, save_keyring
from witness.store.engine import make_engine

OWNER, APP_ROLE = "witness_test_owner", "witness_test_app"
pytestmark = pytest.mark.postgres


@pytest.fixture
def role_store(tmp_path):
    require_postgres()  # skips (or fails in CI) when PostgreSQL is not reachable
    name = "wt_roles_" + uuid.uuid4().hex[:10]
    admin = make_engine(PG_URL)
    roles.apply(admin, OWNER, APP_ROLE, name)  # creates the roles and the schema, owned by the owner
    as_owner = make_engine(_url(OWNER, name))
    schema.upgrade(as_owner)  # migrations as the owner
    as_owner.dispose()
    roles.apply(admin, OWNER, APP_ROLE, name)  # again after migrating: the new tables get their grants
    yield name
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
    admin.dispose()


def _url(role: str, name: str) -> str:
    base = PG_URL.replace("postgres@", f"{role}@", 1)
    return f"{base}?options=-csearch_path%3D{name}"


def _refused(conn, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught:
        with conn.begin_nested():
            conn.execute(text(sql))
    return str(caught.value.orig)


def test_the_application_role_works_but_cannot_alter_the_schema_or_the_audit_log(tmp_path, role_store):
    url = _url(APP_ROLE, role_store)
    settings = Settings(home=tmp_path / "home", database_url=url)
    ring = Keyring.generate()
    save_keyring(settings.keyring_path, ring)
    from tests.conftest import T0
    app = App(settings, make_engine(url), ring, PROFILES, FixedClock(T0), RISK_POLICY)
    try:
        case = open_case(app, COORDINATOR, adult_form())
        assert case_service.show(app, COORDINATOR, case)["identity"]["legal_name"] == "Aung Min Thein"
        assert audit_service.verify(app, AUDITOR).ok
        with app.engine.connect() as c:
            assert c.execute(text("select current_user, rolsuper, rolcreaterole, rolcreatedb from pg_roles "
                                  "where rolname = current_user")).one() == (APP_ROLE, False, False, False)
            for sql in ("UPDATE audit_log SET purpose = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
                assert "permission denied" in _refused(c, sql)
            assert "permission denied" in _refused(c, "CREATE TABLE smuggled (x int)")
            assert "must be owner" in _refused(c, "ALTER TABLE cases ADD COLUMN smuggled text")
            assert "must be owner" in _refused(c, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            assert "must be owner" in _refused(c, "DROP TABLE identities")
            assert "permission denied" in _refused(c, "UPDATE alembic_version SET version_num = 'x'")
            c.rollback()
        # What the application role wrote is there for the owner too, and the chain is whole.
        assert audit_service.verify(app, AUDITOR).ok
    finally:
        app.engine.dispose()


def test_db_roles_refuses_a_bad_name_and_sqlite_in_one_line(tmp_path):
    env = cli_env(home=tmp_path / "home", actor=None)
    bad = witness(env, "db", "roles", "--owner", "Owner; DROP")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == ["--owner: 'Owner; DROP' is not a plain lower-case PostgreSQL name"]
    on_sqlite = witness(env, "db", "roles")
    assert on_sqlite.returncode == 1
    assert on_sqlite.stderr.strip().splitlines() == [
        "WITNESS_DATABASE_URL: roles exist on PostgreSQL only (SQLite is one file, one account)"]
    printed = witness(env, "db", "roles", "--print", check=True)
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_log FROM witness_app" in printed.stdout
