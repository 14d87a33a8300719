"""The follow-up sweep (R-102) as a Prefect flow: one task plans the chunks, one task per chunk claimed.

Run it on several workers with the same `now` and they share the chunks (R-101b, docs/sweep.md)."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.run_names import sweep_name
from witness.bootstrap import build_app
from witness.clock import FixedClock, parse_instant
from witness.errors import StoreBusy
from witness.services import sweep as follow_ups
from witness.settings import Settings
from witness.store.engine import checkpoints_deferred


def _store_was_busy(_task, _task_run, state) -> bool:
    """Retry only a locked database: the unit of work rolled back, so nothing was half written."""
    try:
        state.result()
    except StoreBusy:
        return True
    except Exception:
        return False
    return False


RETRY_IF_BUSY = dict(retries=3, retry_delay_seconds=[2, 5, 15], retry_condition_fn=_store_was_busy)
# Every task gets cache_policy=NO_CACHE: its inputs include the app, which holds the keyring, so they
# are never hashed or persisted. The database, not Prefect's cache, makes a second run a no-op.


# On SQLite even this read begins IMMEDIATE, so it can meet another writer's lock too.
@task(name="select-due", task_run_name="select-due", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def select_due(app, now, chunk_size: int = follow_ups.CHUNK) -> dict[str, int]:
    """Plan the sweep of this instant (or join the plan another worker made): {follow-up: cases to do}."""
    return follow_ups.plan(app, now, chunk_size).selected


@task(name="process-chunk", task_run_name="process {name}", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def process_chunk(app, name: str, ids: list[str], now, chunk: follow_ups.Chunk | None = None) -> int:
    if chunk is None:
        return follow_ups.process_chunk(app, name, ids, now)
    with follow_ups.holding(chunk):  # done in the chunk's own transaction, or not at all
        return follow_ups.process_chunk(app, name, ids, now)


@flow(name="sweep", flow_run_name=sweep_name)
def sweep(now: str | None = None, chunk_size: int = follow_ups.CHUNK, worker: str | None = None) -> dict[str, int]:
    """Run every follow-up once as of `now` (ISO-8601 with offset; default: when the run starts).

    Returns {follow-up: cases changed by this run}. Idempotent: a second run at the same instant
    changes nothing. Several runs with the same `now` (one per worker) share the work: the first
    plans the chunks, every run claims chunks until none is left (docs/sweep.md).
    The run's log says what it changed: counts per follow-up, never a case.
    """
    # Settings are read afresh for each run so a run sees the environment it was started with.
    app = build_app(Settings(), FixedClock(parse_instant(now)) if now else None)
    log = get_run_logger()
    try:
        at = app.clock.now()  # one instant for every chunk of this run
        with checkpoints_deferred(app.engine):  # one SQLite checkpoint for the run, as in sweep.run
            due = select_due(app, at, chunk_size)
            changed = dict.fromkeys(due, 0)
            me = worker or follow_ups.worker_name("flow")
            while (c := follow_ups.claim(app, at, me)) is not None:
                try:
                    changed[c.follow_up] = changed.get(c.follow_up, 0) + process_chunk(app, c.follow_up, c.ids, at, c)
                except BaseException as exc:
                    follow_ups.release(app, c)  # alive but failed: another worker may take it at once
                    if follow_ups.to_be_redone(c, exc):  # rolled back whole over another worker's transaction
                        log.warning("%s: a chunk was rolled back over another worker's transaction; "
                                    "it is claimed again", c.follow_up)
                        continue
                    raise
        for name, n in due.items():
            if n:
                log.info("%s: %d due, %d changed by this run", name, n, changed[name])
        log.info("sweep as of %s: %d changed in all", at.isoformat(timespec="seconds"), sum(changed.values()))
        return changed
    finally:
        app.engine.dispose()
