"""The audit heads' outside copy shared by several machines (R-72, R-101a): with
WITNESS_AUDIT_HEAD_URL every process appends the heads to a table in another database, nothing on
one machine's disk; verify reads them from there and still catches a log cut short; the table
refuses to change or lose a head."""
import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import AUDITOR, COORDINATOR, PROFILES, RISK_POLICY, T0, adult_form, drop_schema, postgres_schema_url
from witness.bootstrap import App
from witness.clock import FixedClock
from witness.services import cases as case_service
from witness.services.audit import verify
from witness.services.intake import open_case
from witness.settings import Settings
from witness.store.audit import TableHeads, audit_heads
from witness.store.crypto import keyring_from
from witness.store.engine import make_engine
from witness.store.tables import audit_head, audit_log

pytestmark = pytest.mark.postgres


@pytest.fixture
def heads_url():
    url, name = postgres_schema_url()  # "another database": a schema of its own
    engine = make_engine(url)
    TableHeads(engine).create()
    engine.dispose()
    yield url
    drop_schema(name)


def _machine(tmp_path, app, name, heads_url):
    """Another process on another machine: its own home (no head file, no keyring file there), the
    same store, the same keyring secret, the same heads database."""
    settings = Settings(home=tmp_path / name, database_url=app.settings.url, audit_head_url=heads_url,
                        keyring=app.settings.keyring_path.read_text())
    return App(settings, app.engine, keyring_from(settings), PROFILES, FixedClock(T0), RISK_POLICY)


def test_two_machines_append_heads_to_one_table_and_verify_from_either(tmp_path, app, heads_url):
    web, worker = _machine(tmp_path, app, "web-1", heads_url), _machine(tmp_path, app, "worker-1", heads_url)
    case = open_case(web, COORDINATOR, adult_form())
    case_service.show(worker, COORDINATOR, case)
    case_service.show(web, COORDINATOR, case)
    for machine in (web, worker):
        result = verify(machine, AUDITOR)
        assert result.ok, result.problems
        assert not (machine.settings.home).exists() or not machine.settings.audit_head_path.exists()
    with web.heads.engine.connect() as c:
        recorded = [r.seq for r in c.execute(select(audit_heads.c.seq).order_by(audit_heads.c.id))]
    with app.engine.connect() as c:
        end = c.execute(select(audit_log.c.seq).order_by(audit_log.c.seq.desc())).scalar()
    assert len(recorded) == 3 and recorded == sorted(recorded) and recorded[-1] == end  # one head per commit
    # Cut the last row off the log (and the head kept in the store with it): the table still knows.
    with app.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(text("SET LOCAL session_replication_role = replica"))  # a superuser past the trigger
        last = c.execute(select(audit_log.c.seq, audit_log.c.prev).order_by(audit_log.c.seq.desc())).first()
        c.execute(delete(audit_log).where(audit_log.c.seq == last.seq))
        c.execute(audit_head.update().values(seq=last.seq - 1, mac=last.prev))
    problems = verify(worker, AUDITOR).problems
    assert any("(log truncated)" in p for p in problems), problems
    web.heads.engine.dispose()
    worker.heads.engine.dispose()


def test_the_heads_table_refuses_to_change_or_lose_a_head(heads_url):
    engine = make_engine(heads_url)
    try:
        with engine.begin() as c:
            c.execute(audit_heads.insert().values(seq=1, mac="a" * 64, recorded_at=T0))
        for sql in ("UPDATE audit_heads SET mac = 'b'", "DELETE FROM audit_heads", "TRUNCATE audit_heads"):
            with pytest.raises(DBAPIError, match="audit_heads is append-only"):
                with engine.begin() as c:
                    c.execute(text(sql))
    finally:
        engine.dispose()
