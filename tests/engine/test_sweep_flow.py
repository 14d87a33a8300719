"""The sweep flow under a real Prefect engine: chunked task runs, idempotent, retries only a busy store.

The rules of the sweep are tested without Prefect in tests/integration/test_sweep.py; these tests
check the wiring, and stay few because each flow run costs about a second.
"""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AUDITOR, COORDINATOR, T0, adult_form
from tests.helpers import dump
from witness.errors import StoreBusy
from witness.services import reflection
from witness.services import sweep as follow_ups
from witness.services.audit import verify
from witness.services.intake import open_case
from witness.store.tables import cases, worklist

pytestmark = pytest.mark.engine

NOW = T0 + timedelta(days=100)  # past every jurisdiction's longest reflection period


@pytest.fixture
def sweep_flow(prefect_server):
    from flows.sweep import sweep  # imports Prefect: only once the test server is up

    return sweep


def _ended_cases_for_the_flow(app, monkeypatch, n: int) -> list[str]:
    """`n` cases whose periods are over at NOW. The flow builds its own app from the environment,
    so the environment points at this test's store."""
    monkeypatch.setenv("WITNESS_HOME", str(app.settings.home))
    monkeypatch.setenv("WITNESS_DATABASE_URL", app.settings.url)
    monkeypatch.delenv("WITNESS_KEY_FILE", raising=False)
    ids = []
    for i in range(n):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Victim {i}")
        ids.append(open_case(app, COORDINATOR, form))
    return ids


@pytest.fixture
def caseload(sqlite_app, monkeypatch):
    """Five cases whose periods are over: three victims decided (2 cooperate, 1 not), two did not."""
    ids = _ended_cases_for_the_flow(sqlite_app, monkeypatch, 5)
    for case_id, decision in zip(ids, ("cooperate", "cooperate", "not_cooperate")):
        reflection.decide(sqlite_app, COORDINATOR, case_id, decision)
    return ids


def _task_runs(flow_run_id, expected: int) -> Counter:
    """Task run names of one flow run. They reach the server as events a moment after the flow
    returns, so wait until the expected number are there and finished."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            settled = len(runs) >= expected and all(r.state and r.state.is_final() for r in runs)
            if settled or time.monotonic() > deadline:
                return Counter(r.name for r in runs)
            time.sleep(0.5)


REFLECTION = ("reflection_decided", "reflection_ended", "reflection_ending")


def test_the_flow_moves_decided_cases_and_flags_ended_periods_in_one_task_run_per_chunk(sweep_flow, caseload,
                                                                                        sqlite_app):
    due = follow_ups.select_due(sqlite_app, NOW)  # other services add their own follow-ups
    state = sweep_flow(now=NOW.isoformat(), chunk_size=2, return_state=True)

    assert state.is_completed()
    changed = state.result()
    assert {k: changed[k] for k in REFLECTION} == {"reflection_decided": 3, "reflection_ended": 2,
                                                   "reflection_ending": 0}
    with sqlite_app.engine.connect() as c:
        stages = dict(c.execute(select(cases.c.id, cases.c.stage)).all())
        work = Counter(c.execute(select(worklist.c.kind)).scalars())
    assert sorted(stages.values()) == ["decision", "decision", "reflection", "reflection", "withdrawn"]
    assert work["victim_decided"] == 3 and work["reflection_ended"] == 2
    assert verify(sqlite_app, AUDITOR).ok
    # One task run per chunk, never per case: 3 decided cases in chunks of 2 -> 2 runs, 2 ended -> 1.
    expected = Counter({"select-due": 1})
    expected.update({f"process {name}": len(follow_ups.chunks(ids, 2)) for name, ids in due.items() if ids})
    assert expected["process reflection_decided"] == 2 and expected["process reflection_ended"] == 1
    assert _task_runs(state.state_details.flow_run_id, expected=sum(expected.values())) == expected


def test_a_second_run_at_the_same_instant_changes_nothing(sweep_flow, caseload, sqlite_app):
    sweep_flow(now=NOW.isoformat(), chunk_size=2)
    once = dump(sqlite_app.engine)

    assert set(sweep_flow(now=NOW.isoformat(), chunk_size=2).values()) == {0}
    assert dump(sqlite_app.engine) == once


def test_a_chunk_that_meets_a_busy_store_is_retried_and_any_other_error_is_not(sweep_flow, caseload, monkeypatch):
    real = follow_ups.process_chunk
    calls = []

    def broken(app, name, ids, now):
        calls.append(name)
        raise ValueError("a bug, not a lock")

    monkeypatch.setattr(follow_ups, "process_chunk", broken)
    assert sweep_flow(now=NOW.isoformat(), return_state=True).is_failed()
    assert calls == ["reflection_decided"]  # the first chunk failed once and the run stopped

    def busy_once(app, name, ids, now):
        calls.append(name)
        if len(calls) == 1:
            raise StoreBusy("the database is busy with another writer; try again (nothing was written)")
        return real(app, name, ids, now)

    calls.clear()
    monkeypatch.setattr(follow_ups, "process_chunk", busy_once)
    assert sweep_flow(now=NOW.isoformat())["reflection_decided"] == 3
    assert calls[:3] == ["reflection_decided", "reflection_decided", "reflection_ended"]


@pytest.mark.postgres
def test_on_postgresql_the_flow_does_a_deadlock_victims_chunk_again_and_stops_on_any_other_error(
        sweep_flow, pg_app, monkeypatch):
    """As `sweep.work` does: a chunk PostgreSQL rolled back as a deadlock victim is done again —
    first by the task's own retries (the unit of work calls it busy), then, when those are spent,
    by the flow claiming it again — and its cases get one item each; any other error fails the run."""
    from sqlalchemy.exc import DBAPIError

    import flows.sweep as flow_module
    from tests.sweep_faults import DEADLOCK, failing_follow_up

    # The task's retries without their pauses (2, 5 and 15 s as deployed).
    monkeypatch.setattr(flow_module, "process_chunk", flow_module.process_chunk.with_options(retry_delay_seconds=0))
    app = pg_app
    ids = _ended_cases_for_the_flow(app, monkeypatch, 2)
    tries = 1 + flow_module.RETRY_IF_BUSY["retries"]  # every try of the first claim's task fails
    calls = failing_follow_up(monkeypatch, DEADLOCK, times=tries)
    changed = sweep_flow(now=NOW.isoformat(), chunk_size=1)
    assert changed["reflection_ended"] == 2
    assert calls == [calls[0]] * (tries + 1) + [c for c in ids if c != calls[0]]  # claimed again, then the other
    with app.engine.connect() as c:
        items = Counter(c.execute(select(worklist.c.case_id).where(worklist.c.kind == "reflection_ended")).scalars())
    assert items == Counter({i: 1 for i in ids})

    open_case(app, COORDINATOR, adult_form())  # a case with work for the next run
    calls = failing_follow_up(monkeypatch, "DO $$ BEGIN RAISE EXCEPTION 'a bug'; END $$")
    state = sweep_flow(now=(NOW + timedelta(days=1)).isoformat(), chunk_size=1, return_state=True)
    assert state.is_failed()
    with pytest.raises(DBAPIError, match="a bug"):
        state.result()
    assert len(calls) == 1  # tried once, not again
