"""A sweep shared by workers (R-101b, issue 15 §3): chunks claimed under a lease, each done once.

On PostgreSQL claims really run at the same time (threads, each with its own connection) and
FOR UPDATE SKIP LOCKED keeps them apart; on SQLite one writer at a time does the same work. A
"killed" worker is one that claimed and never finished: its lease expires on an injected clock.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, T0, adult_form
from tests.sweep_faults import DEADLOCK, failing_follow_up
from witness.services import sweep
from witness.services.intake import open_case
from witness.store.sweep_tables import sweep_chunks
from witness.store.tables import worklist

NOW = T0 + timedelta(days=100)  # every period below is over
WALL = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)  # the leases' clock, injected


def _ended(app, n: int) -> list[str]:
    ids = []
    for i in range(n):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Victim {i}")
        ids.append(open_case(app, COORDINATOR, form))
    return ids


def _items(app, kind: str) -> Counter:
    with app.engine.connect() as c:
        return Counter(c.execute(select(worklist.c.case_id).where(worklist.c.kind == kind)).scalars())


def _chunks(app) -> list:
    with app.engine.connect() as c:
        return c.execute(select(sweep_chunks).order_by(sweep_chunks.c.seq)).all()


def test_a_plan_is_made_once_per_instant_and_a_second_planner_joins_it(app):
    cases = _ended(app, 3)
    first = sweep.plan(app, NOW, chunk_size=1)
    second = sweep.plan(app, NOW, chunk_size=1)
    assert first.new and not second.new
    assert first.selected["reflection_ended"] == 3 and second.selected == first.selected
    rows = _chunks(app)
    assert len(rows) == first.chunks == second.chunks
    assert sorted(r.case_ids.strip('[]"') for r in rows if r.follow_up == "reflection_ended") == sorted(cases)


def test_two_workers_at_once_never_get_the_same_chunk_and_every_chunk_is_done_once(app):
    cases = _ended(app, 6)
    total = sweep.plan(app, NOW, chunk_size=1).chunks
    assert total >= 6
    got: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)
    errors = []

    def worker(name):
        try:
            start.wait()
            me = f"test-{name}"
            while (c := sweep.claim(app, NOW, me, clock=WALL)) is not None:
                got[name].append(c.id)
                with sweep.holding(c):
                    sweep.process_chunk(app, c.follow_up, c.ids, NOW)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert not set(got["a"]) & set(got["b"])
    assert len(got["a"]) + len(got["b"]) == total
    rows = _chunks(app)
    assert {r.status for r in rows} == {"done"} and all(r.claims == 1 for r in rows)
    assert _items(app, "reflection_ended") == Counter({c: 1 for c in cases})
    assert sweep.progress_of(app, NOW)["done"] == total


@pytest.mark.postgres
def test_on_postgresql_a_chunk_locked_by_one_claimer_is_skipped_not_waited_for(tmp_path):
    """A claimer inside its transaction holds its row: the next claimer takes the next chunk at once."""
    from tests.conftest import drop_schema, make_app, postgres_schema_url

    url, name = postgres_schema_url()
    app = make_app(tmp_path, url)
    try:
        _ended(app, 2)
        sweep.plan(app, NOW, chunk_size=1)
        first = _chunks(app)[0]
        with app.engine.connect() as holder:
            tx = holder.begin()
            holder.execute(select(sweep_chunks.c.id).where(sweep_chunks.c.id == first.id).with_for_update())
            result = {}
            t = threading.Thread(target=lambda: result.setdefault("c", sweep.claim(app, NOW, "other", clock=WALL)))
            t.start()
            t.join(10)
            assert not t.is_alive(), "the claim waited for the locked chunk instead of skipping it"
            tx.rollback()
        assert result["c"].id != first.id and result["c"].seq == first.seq + 1
    finally:
        app.engine.dispose()
        drop_schema(name)


def test_a_killed_workers_chunk_is_taken_up_when_its_lease_expires_and_done_once(app):
    cases = _ended(app, 2)
    sweep.plan(app, NOW, chunk_size=1)
    dead = sweep.claim(app, NOW, "worker-killed", clock=WALL, lease=timedelta(minutes=10))
    assert dead is not None  # claimed, then the process died: never processed, never released

    # Five minutes on, the lease still holds: another worker gets every chunk but that one.
    soon = WALL + timedelta(minutes=5)
    taken = []
    while (c := sweep.claim(app, NOW, "worker-alive", clock=soon)) is not None:
        taken.append(c.id)
        with sweep.holding(c):
            sweep.process_chunk(app, c.follow_up, c.ids, NOW)
    assert dead.id not in taken
    assert [r.status for r in _chunks(app) if r.id == dead.id] == ["pending"]

    # Past the lease it is taken up again, and done.
    later = WALL + timedelta(minutes=11)
    again = sweep.claim(app, NOW, "worker-alive", clock=later)
    assert again is not None and again.id == dead.id and again.ids == dead.ids
    with sweep.holding(again):
        sweep.process_chunk(app, again.follow_up, again.ids, NOW)
    assert sweep.claim(app, NOW, "worker-alive", clock=later) is None

    # The killed worker coming back late changes nothing: its lease is gone.
    with sweep.holding(dead):
        assert sweep.process_chunk(app, dead.follow_up, dead.ids, NOW) == 0
    row = [r for r in _chunks(app) if r.id == dead.id][0]
    assert (row.status, row.lease_owner, row.claims) == ("done", "worker-alive", 2)
    assert _items(app, "reflection_ended") == Counter({c: 1 for c in cases})


def test_a_worker_that_fails_gives_its_chunk_back_at_once(app, monkeypatch):
    _ended(app, 1)
    sweep.plan(app, NOW, chunk_size=1)
    real = sweep.process_chunk

    def broken(*a, **k):
        raise ValueError("a bug")

    monkeypatch.setattr(sweep, "process_chunk", broken)
    with pytest.raises(ValueError):
        sweep.work(app, NOW, "worker-1", clock=WALL)
    monkeypatch.setattr(sweep, "process_chunk", real)
    # No lease to wait for: the next worker starts on the same chunk straight away.
    first = _chunks(app)[0]
    assert (first.status, first.lease_owner) == ("pending", None)
    assert sum(sweep.work(app, NOW, "worker-2", clock=WALL).values()) >= 1
    assert {r.status for r in _chunks(app)} == {"done"}


def test_a_follow_up_with_its_own_chunk_size_is_planned_in_chunks_no_larger(app, monkeypatch):
    from dataclasses import replace

    from witness import wiring

    cases = _ended(app, 5)
    capped = [replace(f, chunk=2) if f.name == "reflection_ended" else f for f in wiring.follow_ups()]
    monkeypatch.setattr(sweep, "all_follow_ups", lambda: capped)
    sweep.plan(app, NOW, chunk_size=2000)
    ended = [r.case_ids.strip("[]").replace('"', "").split(", ") for r in _chunks(app) if r.follow_up == "reflection_ended"]
    assert [len(ids) for ids in ended] == [2, 2, 1]
    assert sorted(i for ids in ended for i in ids) == sorted(cases)
    # ...and every other follow-up keeps the sweep's chunk size: one chunk each here.
    assert all(n == 1 for name, n in Counter(r.follow_up for r in _chunks(app)).items() if name != "reflection_ended")


def test_only_the_plan_and_the_leases_commit_without_waiting_for_the_disk(app):
    """The sweep's ~20 claims each waited for an fsync. A lease or a plan lost in a power cut is
    made again; a case's data is never written that way, and an ordinary transaction on the same
    pooled connection afterwards waits for the disk again."""
    def setting(conn) -> str:
        if conn.dialect.name == "sqlite":
            return {0: "off", 1: "normal", 2: "full", 3: "extra"}[conn.exec_driver_sql("PRAGMA synchronous").scalar()]
        return conn.exec_driver_sql("SHOW synchronous_commit").scalar()

    durable = "full" if app.engine.dialect.name == "sqlite" else "on"
    relaxed = "normal" if app.engine.dialect.name == "sqlite" else "off"
    for _ in range(2):
        with sweep._bookkeeping(app) as conn:
            assert setting(conn) == relaxed
        with app.engine.begin() as conn:
            assert setting(conn) == durable
        with app.uow(COORDINATOR, NOW) as uow:
            assert setting(uow.conn) == durable


def test_on_sqlite_the_sweep_leaves_the_logs_checkpoint_to_its_end_and_then_checkpoints_once(sqlite_app, monkeypatch):
    """Checkpointed every 1,000 pages, the sweep copied the same index pages back into the database
    ~10 times over (0.8 s of its commits at 100,000 cases). Inside the sweep the limit is raised;
    after it, one checkpoint puts everything it wrote into the database file itself, and an ordinary
    transaction has SQLite's default again. The same goes for the page cache the sweep's writes get
    (64 MiB: with SQLite's 2 MB its worklist inserts spilled and re-read index pages)."""
    import sqlite3

    from witness.store.engine import (BULK_CACHE_KIB, DEFAULT_CACHE_KIB, DEFAULT_CHECKPOINT_PAGES,
                                      DEFERRED_CHECKPOINT_PAGES)

    app = sqlite_app
    ids = _ended(app, 3)
    seen: list[int] = []
    real = sweep.process_chunk

    def spy(app_, name, ids_, now, actor=sweep.SYSTEM):
        with app_.uow(actor, now) as uow:
            seen.append((uow.conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar(),
                         uow.conn.exec_driver_sql("PRAGMA cache_size").scalar()))
        return real(app_, name, ids_, now, actor)

    monkeypatch.setattr(sweep, "process_chunk", spy)
    sweep.run(app, sweep.SYSTEM, NOW, worker="w")
    assert seen and set(seen) == {(DEFERRED_CHECKPOINT_PAGES, -BULK_CACHE_KIB)}
    with app.uow(COORDINATOR, NOW) as uow:
        assert uow.conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == DEFAULT_CHECKPOINT_PAGES
        assert uow.conn.exec_driver_sql("PRAGMA cache_size").scalar() == -DEFAULT_CACHE_KIB
    # `immutable` reads the database file alone, without the log: the sweep's items must be there.
    path = app.engine.url.database
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as raw:
        in_file = {r[0] for r in raw.execute("SELECT case_id FROM worklist WHERE kind = 'reflection_ended'")}
    assert in_file == set(ids)


@pytest.mark.postgres
def test_on_postgresql_a_chunk_rolled_back_as_a_deadlock_victim_is_done_again_once(pg_app, monkeypatch):
    """Workers side by side (several processes, or `run`'s threads on PostgreSQL) can deadlock; the
    server rolls one transaction back. That chunk is done again, and its cases get one item each."""
    app = pg_app
    cases = _ended(app, 2)
    calls = failing_follow_up(monkeypatch, DEADLOCK)
    report = sweep.run(app, sweep.SYSTEM, NOW, chunk_size=1, worker="w")
    assert report.changed["reflection_ended"] == 2
    assert _items(app, "reflection_ended") == Counter({c: 1 for c in cases})
    assert len(calls) == 3  # two chunks, one of them twice
    claims = {r.case_ids: r.claims for r in _chunks(app) if r.follow_up == "reflection_ended"}
    assert sorted(claims.values()) == [1, 2] and {r.status for r in _chunks(app)} == {"done"}


@pytest.mark.postgres
def test_on_postgresql_a_chunk_that_keeps_failing_or_fails_otherwise_stops_the_sweep(pg_app, monkeypatch):
    from sqlalchemy.exc import DBAPIError

    from witness.errors import StoreBusy

    app = pg_app
    monkeypatch.setattr(sweep, "RUN_WORKERS", 1)  # one worker: the count of attempts is exact
    _ended(app, 1)
    calls = failing_follow_up(monkeypatch, DEADLOCK, times=99)
    with pytest.raises(StoreBusy) as raised:  # what the unit of work makes of it: busy, nothing written
        sweep.run(app, sweep.SYSTEM, NOW, worker="w")
    assert raised.value.contended
    assert len(calls) == sweep.RETRIES + 1
    ended = [r for r in _chunks(app) if r.follow_up == "reflection_ended"][0]
    assert (ended.status, ended.lease_owner, ended.claims) == ("pending", None, sweep.RETRIES + 1)
    assert _items(app, "reflection_ended") == Counter()

    calls = failing_follow_up(monkeypatch, "DO $$ BEGIN RAISE EXCEPTION 'a bug'; END $$")
    with pytest.raises(DBAPIError, match="a bug"):
        sweep.run(app, sweep.SYSTEM, NOW, worker="w")
    assert len(calls) == 1 and _items(app, "reflection_ended") == Counter()


@pytest.mark.postgres
def test_on_postgresql_run_works_the_chunks_in_several_workers_each_chunk_once(pg_app, monkeypatch):
    app = pg_app
    monkeypatch.setattr(sweep, "RUN_WORKERS", 2)
    cases = _ended(app, 6)
    start = threading.Barrier(2, timeout=30)
    real = sweep.process_chunk
    seen = threading.local()

    def both_at_work(app_, name_, ids, now, actor=sweep.SYSTEM):
        # Each worker's first chunk waits for the other's: the two really work side by side.
        if not getattr(seen, "started", False):
            seen.started = True
            start.wait()
        return real(app_, name_, ids, now, actor)

    monkeypatch.setattr(sweep, "process_chunk", both_at_work)
    sweep.run(app, sweep.SYSTEM, NOW, chunk_size=1, worker="w")
    rows = _chunks(app)
    assert {r.status for r in rows} == {"done"} and all(r.claims == 1 for r in rows)
    assert {r.lease_owner for r in rows} == {"w/0", "w/1"}
    assert _items(app, "reflection_ended") == Counter({c: 1 for c in cases})
