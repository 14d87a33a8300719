"""R-72: the audit chain detects edits, deletions, reordering and truncation."""
import pytest
from sqlalchemy import delete, text, update

from tests.conftest import AUDITOR, COORDINATOR, adult_form
from tests.audit_rows import audit_rows
from witness.errors import ActionBlocked
from witness.services import cases as case_service
from witness.services.audit import verify
from witness.services.intake import open_case
from witness.store.tables import audit_log


@pytest.fixture
def busy_app(app):
    for i in range(3):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Person {i}")
        case_id = open_case(app, COORDINATOR, form)
        case_service.show(app, COORDINATOR, case_id)
    assert verify(app, AUDITOR).ok
    return app


def _tamper(app):
    """A connection that can tamper. On PostgreSQL the log refuses UPDATE and DELETE, so the attacker
    here is a superuser who switches triggers off for the session — the chain must still catch it."""
    conn = app.engine.connect()
    conn.begin()
    if app.engine.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))
    return conn


class _Tampering:
    def __init__(self, app):
        self.app = app

    def __enter__(self):
        self.conn = _tamper(self.app)
        return self.conn

    def __exit__(self, *exc):
        self.conn.commit()
        self.conn.close()





def test_an_untouched_log_verifies(busy_app):
    result = verify(busy_app, AUDITOR)
    assert result.ok and result.rows == 6


def test_an_edited_row_fails_verification(busy_app):
    with _Tampering(busy_app) as c:
        c.execute(update(audit_log).where(audit_log.c.seq == 2).values(actor="someone-else"))
    result = verify(busy_app, AUDITOR)
    assert not result.ok and any("seq 2" in p and "edited" in p for p in result.problems)


def test_a_deleted_row_fails_verification(busy_app):
    with _Tampering(busy_app) as c:
        c.execute(delete(audit_log).where(audit_log.c.seq == 3))
    result = verify(busy_app, AUDITOR)
    assert not result.ok and any("seq 3" in p for p in result.problems)


def test_two_swapped_rows_fail_verification(busy_app):
    rows = audit_rows(busy_app)
    a, b = rows[1]._mapping, rows[2]._mapping
    fields = ("at", "actor", "role", "action", "record", "purpose", "prev", "mac")
    with _Tampering(busy_app) as c:
        c.execute(update(audit_log).where(audit_log.c.seq == a["seq"]).values(**{f: b[f] for f in fields}))
        c.execute(update(audit_log).where(audit_log.c.seq == b["seq"]).values(**{f: a[f] for f in fields}))
    assert not verify(busy_app, AUDITOR).ok


def test_the_last_row_removed_fails_verification_even_if_the_database_head_is_forged(busy_app):
    rows = audit_rows(busy_app)
    last, before = rows[-1], rows[-2]
    with _Tampering(busy_app) as c:
        c.execute(delete(audit_log).where(audit_log.c.seq == last.seq))
        # A careful attacker also rewinds the head kept inside the database...
        c.execute(text("UPDATE audit_head SET seq = :s, mac = :m"), {"s": before.seq, "m": before.mac})
    # ...but the head kept outside the database still knows how long the log was.
    result = verify(busy_app, AUDITOR)
    assert not result.ok and any("truncated" in p for p in result.problems)


def test_a_blocked_action_leaves_no_audit_row_and_no_data(busy_app):
    before = len(audit_rows(busy_app))
    case_id = audit_rows(busy_app)[0].record
    with pytest.raises(ActionBlocked):
        case_service.change_stage(busy_app, COORDINATOR, case_id, "decision", "police want an interview")
    assert len(audit_rows(busy_app)) == before


def test_control_characters_in_audit_fields_are_escaped(busy_app):
    from datetime import datetime, timezone

    from witness.domain.access import Actor, Role
    with busy_app.uow(Actor("evil\nseq 99 ok", Role.coordinator), datetime(2026, 11, 3, tzinfo=timezone.utc)) as uow:
        uow.audit("case.read", "W-XXXXXX", "line1\r\nline2")
        uow.commit()
    last = audit_rows(busy_app)[-1]
    assert "\n" not in last.actor and "\n" not in last.purpose
    assert verify(busy_app, AUDITOR).ok


def test_on_postgresql_the_database_itself_refuses_to_change_or_delete_auditaudit_rows(busy_app):
    if busy_app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite relies on the HMAC chain and the external head")
    from sqlalchemy.exc import DBAPIError
    for statement in (update(audit_log).where(audit_log.c.seq == 1).values(actor="x"),
                      delete(audit_log).where(audit_log.c.seq == 1)):
        with pytest.raises(DBAPIError, match="append-only"):
            with busy_app.engine.begin() as c:
                c.execute(statement)
    assert verify(busy_app, AUDITOR).ok
