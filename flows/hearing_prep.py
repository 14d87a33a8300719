"""Hearing preparation (R-61…R-63) as a Prefect flow: when a hearing is set or moved (pass its id),
and daily for every hearing of the next 14 days (no ids). Each chunk task recommends measures,
checks the Do No Harm rules, plans, books, publishes the calendars and puts the gaps on the
coordinator's worklist — in one transaction, in witness.services.preparation.prepare."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.run_names import hearing_prep_name
from flows.sweep import RETRY_IF_BUSY
from witness.bootstrap import build_app
from witness.clock import FixedClock, parse_instant
from witness.services import preparation
from witness.services.sweep import SYSTEM, chunks
from witness.settings import Settings

CHUNK = 200  # hearings per transaction: the planner sees a chunk at once, earlier chunks as fixed


@task(name="select-hearings", task_run_name="select-hearings", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def select_hearings(app, now) -> list[str]:
    return preparation.due_for_prep(app, now)


@task(name="prepare-hearings", task_run_name="prepare {n} hearings", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def prepare_hearings(app, ids: list[str], now, n: int) -> dict:
    r = preparation.prepare(app, SYSTEM, ids, now=now)
    return {"hearings": len(r.hearings), "booked": r.booked, "released": r.released, "conflicts": len(r.conflicts)}


@flow(name="hearing-prep", flow_run_name=hearing_prep_name)
def hearing_prep(hearing_ids: list[str] | None = None, now: str | None = None, chunk_size: int = CHUNK) -> dict:
    """Prepare the given hearings, or every hearing due (next 14 days, changed or not prepared today).

    Returns totals: hearings prepared, bookings made and released, conflicts put on the worklist."""
    app = build_app(Settings(), FixedClock(parse_instant(now)) if now else None)
    try:
        at = app.clock.now()
        ids = hearing_ids if hearing_ids is not None else select_hearings(app, at)
        totals = {"hearings": 0, "booked": 0, "released": 0, "conflicts": 0}
        for chunk in chunks(list(ids), chunk_size):
            for k, v in prepare_hearings(app, chunk, at, len(chunk)).items():
                totals[k] += v
        get_run_logger().info("%d hearings prepared, %d bookings made, %d released, %d conflicts on the worklist",
                              totals["hearings"], totals["booked"], totals["released"], totals["conflicts"])
        return totals
    finally:
        app.engine.dispose()
