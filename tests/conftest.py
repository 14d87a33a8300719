"""Shared fixtures. Store tests run on SQLite and on PostgreSQL (a fresh schema per test) when
PostgreSQL is reachable; set WITNESS_REQUIRE_POSTGRES=1 (CI does) to fail instead of skipping."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from witness.bootstrap import App
from witness.clock import FixedClock
from witness.domain.access import Actor, Role
from witness.profiles import load_profiles
from witness.risk_policy import load_risk_policy
from witness.settings import PROJECT_ROOT, Settings
from witness.store import schema
from witness.store.crypto import Keyring, save_keyring
from witness.store.engine import make_engine

PG_URL = os.environ.get("WITNESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PROFILES = load_profiles(PROJECT_ROOT / "config" / "jurisdictions")
RISK_POLICY = load_risk_policy(PROJECT_ROOT / "config" / "risk.yaml")
T0 = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)  # 10:00 in Bangkok and Jakarta

COORDINATOR = Actor("amara", Role.coordinator)
OTHER_COORDINATOR = Actor("dewi", Role.coordinator)
PROSECUTOR = Actor("somchai", Role.prosecutor)
ESCORT = Actor("officer-9", Role.escort)
AUDITOR = Actor("audit-1", Role.auditor)
ADMIN = Actor("root-1", Role.admin)


def _postgres_reachable() -> bool:
    try:
        eng = create_engine(PG_URL)
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


_PG = None


def require_postgres() -> None:
    """Skip the test (fail it in CI: WITNESS_REQUIRE_POSTGRES=1) when PostgreSQL is not reachable.
    Creates nothing: a fixture that only asks whether PostgreSQL is there used to take a schema
    from postgres_schema_url() and never drop it (three were left after every run)."""
    global _PG
    if _PG is None:
        _PG = _postgres_reachable()
    if not _PG:
        if os.environ.get("WITNESS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but not reachable at {PG_URL}")
        pytest.skip("PostgreSQL not reachable")


def postgres_schema_url() -> tuple[str, str]:
    """A new schema for one test and its URL; the caller drops it (drop_schema)."""
    require_postgres()
    name = "wt_" + uuid.uuid4().hex[:12]
    eng = create_engine(PG_URL)
    with eng.begin() as c:
        c.execute(text(f"CREATE SCHEMA {name}"))
    eng.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{name}", name


def drop_schema(name: str) -> None:
    eng = create_engine(PG_URL)
    with eng.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'home' / 'witness.db'}"
        return
    url, name = postgres_schema_url()
    yield url
    drop_schema(name)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'home' / 'witness.db'}"


def make_app(tmp_path: Path, url: str, now: datetime = T0) -> App:
    settings = Settings(home=tmp_path / "home", database_url=url)
    ring = Keyring.generate()
    save_keyring(settings.keyring_path, ring)
    engine = make_engine(url)
    schema.upgrade(engine)
    return App(settings, engine, ring, PROFILES, FixedClock(now), RISK_POLICY)


@pytest.fixture
def app(tmp_path, db_url):
    a = make_app(tmp_path, db_url)
    yield a
    a.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path, sqlite_url):
    a = make_app(tmp_path, sqlite_url)
    yield a
    a.engine.dispose()


@pytest.fixture
def pg_app(tmp_path):
    """A store on PostgreSQL only (a fresh schema), for what does not exist on SQLite: deadlocks,
    lock timeouts, claims by several connections at once."""
    url, name = postgres_schema_url()
    a = make_app(tmp_path, url)
    yield a
    a.engine.dispose()
    drop_schema(name)


def adult_form(**over) -> dict:
    form = {
        "jurisdiction": "TH", "coordinator": "amara",
        "victim": {"legal_name": "Aung Min Thein", "date_of_birth": "1994-03-12", "gender": "male",
                   "nationality": "MM", "preferred_language": "my", "address": "Room 4, Mahachai Road",
                   "contact": {"phone": "+66 81 234 5678"}, "safe_channels": ["sms", "call"]},
        "proceedings": [{"court": "Samut Sakhon Provincial Court", "docket": "TH-SSK-2026-0141", "prosecutor": "somchai",
                         "accused": [{"label": "Accused A", "custody": "detained", "relationship": "employer"}]}],
        "services": ["shelter", "medical", "legal", "psychosocial"],
    }
    form.update(over)
    return form


def child_form(**over) -> dict:
    form = {
        "jurisdiction": "ID", "coordinator": "amara",
        "victim": {"legal_name": "Siti Rahmawati", "age_estimate": 15, "gender": "female",
                   "preferred_language": "id", "safe_channels": ["call"]},
        "guardian": {"name": "Nur Hasanah", "relationship": "mother"},
        "services": ["shelter", "psychosocial"],
    }
    form.update(over)
    return form
