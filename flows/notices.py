"""The notice relay (R-52, R-53) as a Prefect flow: schedule escalations and repeats, then deliver
batches until nothing is due. The rules live in witness/services/relay.py; this only sequences them.

Delivery is not retried by Prefect: the outbox records each attempt and schedules its own retries
with backoff, and the database (leases, one key per notice), not a task cache, prevents double sends.
"""
from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.sweep import RETRY_IF_BUSY
from witness.bootstrap import build_app
from witness.clock import FixedClock, parse_instant
from witness.outputs.transports.channels import build_transports
from witness.services import relay as outbox
from witness.settings import Settings


@task(name="schedule-alerts", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def schedule(app, now) -> tuple[int, int]:
    return outbox.schedule(app, now)


@task(name="deliver-batch", task_run_name="deliver-batch", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def deliver_batch(app, transports, now, owner: str, batch_size: int) -> dict:
    return vars(outbox.deliver_batch(app, transports, now, owner=owner, batch_size=batch_size))


@flow(name="notices-relay")
def relay(now: str | None = None, batch_size: int = outbox.BATCH) -> dict[str, int]:
    """Deliver what is due as of `now` (ISO-8601 with offset; default: when the run starts).
    Returns counts: escalated, repeated, sent, retrying, rerouted, dead."""
    app = build_app(Settings(), FixedClock(parse_instant(now)) if now else None)
    transports = build_transports(app)
    owner = outbox.default_owner()
    try:
        at = app.clock.now()
        escalated, repeated = schedule(app, at)
        totals = {"escalated": escalated, "repeated": repeated, "sent": 0, "retrying": 0, "rerouted": 0, "dead": 0}
        while (batch := deliver_batch(app, transports, at, owner, batch_size))["claimed"]:
            for name in ("sent", "retrying", "rerouted", "dead"):
                totals[name] += batch[name]
        return totals
    finally:
        for t in transports.values():
            t.close()
        app.engine.dispose()
