"""The follow-up sweep (R-102) as a Prefect flow: one task selects what is due, one task per chunk."""
from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from witness.bootstrap import build_app
from witness.clock import FixedClock, parse_instant
from witness.errors import StoreBusy
from witness.services import sweep as follow_ups
from witness.settings import Settings


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
def select_due(app, now) -> dict[str, list[str]]:
    return follow_ups.select_due(app, now)


@task(name="process-chunk", task_run_name="process {name}", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def process_chunk(app, name: str, ids: list[str], now) -> int:
    return follow_ups.process_chunk(app, name, ids, now)


@flow(name="sweep")
def sweep(now: str | None = None, chunk_size: int = follow_ups.CHUNK) -> dict[str, int]:
    """Run every follow-up once as of `now` (ISO-8601 with offset; default: when the run starts).

    Returns {follow-up: cases changed}. Idempotent: a second run at the same instant changes nothing.
    """
    # Settings are read afresh for each run so a run sees the environment it was started with.
    app = build_app(Settings(), FixedClock(parse_instant(now)) if now else None)
    try:
        at = app.clock.now()  # one instant for every chunk of this run
        changed = {}
        for name, ids in select_due(app, at).items():
            changed[name] = sum(process_chunk(app, name, chunk, at) for chunk in follow_ups.chunks(ids, chunk_size))
        return changed
    finally:
        app.engine.dispose()
