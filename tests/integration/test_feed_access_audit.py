"""A calendar feed's access row is written without an fsync of its own (issue 16 item 5): it is in
the chain, its head is not put in the head file (a power cut could lose the row, and a head for it
would then read as a cut log), the connection is durable again afterwards, and the next durable row's
head covers it."""
from sqlalchemy import select

from tests.helpers import synchronous_commit_default
from witness.domain.access import Actor, Role
from witness.services import audit as audit_service
from witness.store.tables import audit_log

COORD = Actor("amara", Role.coordinator)
AUDITOR = Actor("aud", Role.auditor)


def _heads(app):
    found = app.heads.read()
    return [] if found is None else found.heads


def _audited(app, durable: bool, action: str) -> None:
    with app.uow(COORD).reading(durable_audit=durable) as uow:
        uow.audit(action, "W-TEST01", "victim feed: 0 events")
        uow.commit()


def test_a_feed_read_is_in_the_chain_without_a_head_and_the_next_durable_row_covers_it(app):
    _audited(app, True, "case.read")
    before = _heads(app)
    _audited(app, False, "calendar.export")
    with app.engine.connect() as c:
        last = c.execute(select(audit_log.c.seq, audit_log.c.action).order_by(audit_log.c.seq.desc())).first()
        if app.engine.dialect.name == "sqlite":  # the pooled connection is back to FULL for everyone else
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        c.rollback()
    assert last.action == "calendar.export"
    assert _heads(app) == before
    _audited(app, True, "case.read")
    assert _heads(app)[-1].seq == last.seq + 1
    assert audit_service.verify(app, AUDITOR).ok


def _setting_when_audit_row_written(app, durable: bool) -> str:
    """The commit safety level in force in the very transaction that inserts the access row, read on
    the same DBAPI connection as the insert goes out (an fsync cannot be observed; its setting can)."""
    from sqlalchemy import event

    seen: list[str] = []

    def look(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG"):
            raw = cursor.connection
            query = "PRAGMA synchronous" if app.engine.dialect.name == "sqlite" else "SHOW synchronous_commit"
            seen.append(str(raw.execute(query).fetchone()[0]))

    event.listen(app.engine, "before_cursor_execute", look)
    try:
        _audited(app, durable, "calendar.export" if not durable else "case.read")
    finally:
        event.remove(app.engine, "before_cursor_execute", look)
    assert len(seen) == 1
    return seen[0]


def test_a_feed_reads_access_row_commits_without_waiting_for_the_disk_and_others_still_wait(app):
    # SQLite: 1 = NORMAL (no fsync at commit in WAL), 2 = FULL. PostgreSQL: synchronous_commit,
    # durable being whatever the server is set to (on, unless its operator chose otherwise).
    relaxed, durable = ("1", "2") if app.engine.dialect.name == "sqlite" else ("off", synchronous_commit_default(app.engine))
    assert _setting_when_audit_row_written(app, False) == relaxed
    assert _setting_when_audit_row_written(app, True) == durable

