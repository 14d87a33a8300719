"""What the unit of work makes of a database that another transaction is in the way of, on
PostgreSQL: read by SQLSTATE, never by the words of the message (a deadlock's detail says "blocked
by process N", which a search for "locked" once took for a busy SQLite store, and the sweep lost the
code it redoes a deadlock victim's chunk by)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.conftest import COORDINATOR, adult_form
from witness.errors import StoreBusy
from witness.services.intake import open_case
from witness.store.tables import cases


def _lock(uow, case_id: str) -> None:
    uow.conn.execute(select(cases.c.id).where(cases.c.id == case_id).with_for_update()).one()


@pytest.mark.postgres
def test_a_real_deadlock_victim_is_busy_and_marked_contended_and_the_other_goes_on(pg_app):
    app = pg_app
    a, b = (open_case(app, COORDINATOR, adult_form()) for _ in range(2))
    first_locks_held = threading.Barrier(2, timeout=30)
    outcome: dict[str, object] = {}

    def crosswise(name: str, mine: str, theirs: str) -> None:
        try:
            with app.uow(COORDINATOR) as uow:
                _lock(uow, mine)
                first_locks_held.wait()
                _lock(uow, theirs)  # each waits for the other: the server picks a victim
                uow.commit()
            outcome[name] = "committed"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            outcome[name] = exc

    threads = [threading.Thread(target=crosswise, args=("ab", a, b)), threading.Thread(target=crosswise, args=("ba", b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    failed = [v for v in outcome.values() if v != "committed"]
    assert len(outcome) == 2 and len(failed) == 1, outcome
    assert isinstance(failed[0], StoreBusy) and failed[0].contended
    assert str(failed[0]) == "the database is busy with another writer; try again (nothing was written)"


@pytest.mark.postgres
def test_a_lock_not_had_in_time_is_busy_not_contended_and_a_timeout_of_another_kind_is_left_alone(pg_app):
    app = pg_app
    a = open_case(app, COORDINATOR, adult_form())
    with app.uow(COORDINATOR) as holder:
        _lock(holder, a)
        with pytest.raises(StoreBusy) as raised:
            with app.uow(COORDINATOR) as uow:
                uow.conn.exec_driver_sql("SET LOCAL lock_timeout = '50ms'")
                _lock(uow, a)  # 55P03 lock_not_available
        assert not raised.value.contended
    with pytest.raises(OperationalError, match="statement timeout"):
        with app.uow(COORDINATOR) as uow:
            uow.conn.exec_driver_sql("SET LOCAL statement_timeout = '20ms'")
            uow.conn.exec_driver_sql("SELECT pg_sleep(5)")  # 57014: not another writer's doing
