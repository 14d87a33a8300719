"""A sweep follow-up made to fail with a real PostgreSQL error, for the tests of what the sweep does
with a chunk rolled back over another worker's transaction (services/sweep.work and the flow)."""
from __future__ import annotations

from dataclasses import replace

from witness import wiring
from witness.services import sweep

# A real error from the server with the SQLSTATE of a deadlock victim (40P01) and the words of a real
# one (its DETAIL says "blocked by process", which a search for "locked" once took for a busy SQLite
# store): a deadlock between two workers cannot be provoked on cue.
DEADLOCK = ("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected', "
            "DETAIL = 'Process 101 waits for ShareLock on transaction 202; blocked by process 303.'; END $$")


def failing_follow_up(monkeypatch, sql: str, times: int = 1) -> list[str]:
    """The reflection_ended follow-up, made to fail `times` times with the error `sql` raises, AFTER
    it has written its items (so a rollback must take them back). Returns the first case id of each
    chunk it was called for, in order."""
    calls: list[str] = []
    real = {f.name: f for f in wiring.follow_ups()}["reflection_ended"]

    def process(uow, ids, profiles):
        n = real.process(uow, ids, profiles)
        calls.append(ids[0])
        if len(calls) <= times:
            uow.conn.exec_driver_sql(sql)
        return n

    patched = [replace(f, process=process) if f.name == "reflection_ended" else f for f in wiring.follow_ups()]
    monkeypatch.setattr(sweep, "all_follow_ups", lambda: patched)
    return calls
