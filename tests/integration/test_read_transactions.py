"""Pages read without the store's writer lock (issue 13 §9): a reading unit of work reads a snapshot
while another connection writes, cannot write itself, and still puts its audit row in the log
before anything read is returned — and returns nothing when that row cannot be written. Audit rows
appended out of start order stay in time order. Run on SQLite and PostgreSQL where it applies."""
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError

from tests.conftest import AUDITOR, COORDINATOR, adult_form
from tests.web.conftest import make_person
from tests.audit_rows import audit_rows
from witness.services import accounts, cases
from witness.services.audit import verify
from witness.services.intake import open_case
from witness.store import audit
from witness.store.account_tables import web_sessions
from witness.store.tables import audit_log, worklist


def _sqlite_path(app) -> str:
    return app.settings.url.split("///", 1)[1]


class WriterHeld:
    """Another process's writer: BEGIN IMMEDIATE held on a connection of its own."""

    def __init__(self, app):
        self.db = sqlite3.connect(_sqlite_path(app), isolation_level=None, timeout=0.1)

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.db.execute("ROLLBACK")
        self.db.close()





def test_a_reading_reads_while_another_connection_holds_the_writer_lock(sqlite_app):
    app = sqlite_app
    case_id = open_case(app, COORDINATOR, adult_form())
    with WriterHeld(app):
        with app.uow(COORDINATOR).reading() as uow:  # a write transaction would wait 5 s, then fail busy
            assert uow.conn.execute(select(worklist.c.id)).all() is not None
            assert uow.cipher is not None
        with app.uow(COORDINATOR).reading() as uow:
            uow.conn.execute(select(audit_log.c.seq)).all()
    assert cases.show(app, COORDINATOR, case_id, with_identity=False)["case"] == case_id


def test_a_reading_cannot_write(app):
    open_case(app, COORDINATOR, adult_form())
    with app.uow(COORDINATOR).reading() as uow:
        with pytest.raises(DBAPIError):
            uow.conn.execute(insert(worklist).values(key="k", case_id=None, kind="risk_review", assignee="amara",
                                                     due_at=uow.now, created_at=uow.now, detail="x"))
    # The connection goes back to the pool able to write again.
    with app.uow(COORDINATOR) as uow:
        uow.audit("test.write", "-", "after a reading")
        uow.commit()
    assert audit_rows(app)[-1].action == "test.write"


def test_a_reading_is_in_the_audit_log_before_it_returns_and_returns_nothing_if_its_row_cannot_be_written(app, monkeypatch):
    case_id = open_case(app, COORDINATOR, adult_form())
    before = len(audit_rows(app))
    view = cases.show(app, COORDINATOR, case_id)  # with identity
    assert "identity" in view
    last = audit_rows(app)[-1]
    assert (last.action, last.record, len(audit_rows(app))) == ("identity.read", case_id, before + 1)

    def disk_full(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(audit, "append", disk_full)
    with pytest.raises(OSError):
        cases.show(app, COORDINATOR, case_id)
    with pytest.raises(OSError):
        cases.page_of_cases(app, COORDINATOR)
    monkeypatch.undo()
    assert len(audit_rows(app)) == before + 1
    assert verify(app, AUDITOR).ok


def test_audit_rows_appended_after_a_later_transactions_row_stay_in_time_order_and_verify(app):
    open_case(app, COORDINATOR, adult_form())
    start = app.clock.now()
    early, late = app.uow(COORDINATOR, start + timedelta(seconds=1)), app.uow(COORDINATOR, start + timedelta(seconds=2))
    with late as uow:  # began later, but got the chain first
        uow.audit("case.read", "W-AAAAAA", "later transaction")
        uow.commit()
    with early as uow:
        uow.audit("case.read", "W-BBBBBB", "earlier transaction, appended second")
        uow.commit()
    rows = audit_rows(app)
    assert [r.purpose for r in rows[-2:]] == ["later transaction", "earlier transaction, appended second"]
    assert rows[-1].at == rows[-2].at == start + timedelta(seconds=2)
    assert verify(app, AUDITOR).ok


def test_a_session_lookup_reads_without_the_writer_lock_and_touches_the_session_at_most_once_a_minute(sqlite_app):
    app = sqlite_app
    person = make_person(app, "amara", "coordinator")
    raw, _ = accounts.sign_in(app, "amara", person.password, person.code(app))

    def last_seen():
        with app.engine.connect() as c:
            seen = c.execute(select(web_sessions.c.last_seen_at)).scalar()
            c.rollback()
        return seen

    signed_in = last_seen()
    app.clock.advance(seconds=50)
    with WriterHeld(app):  # every page asks: it must not wait for another person's write
        assert accounts.session(app, raw).actor.user == "amara"
    assert last_seen() == signed_in
    app.clock.advance(seconds=20)
    assert accounts.session(app, raw) is not None
    assert last_seen() == signed_in + timedelta(seconds=70)
    app.clock.advance(minutes=29)  # idle 29 minutes since the touch: still open
    assert accounts.session(app, raw) is not None
