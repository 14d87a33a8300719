"""The notice relay (R-52, R-53) as a Prefect flow: schedule escalations and repeats, then deliver
batches until nothing is due. The rules live in witness/services/relay.py; this only sequences them.

Delivery is not retried by Prefect: the outbox records each attempt and schedules its own retries
with backoff, and the database (leases, one key per notice), not a task cache, prevents double sends.

The run tells the truth in the Prefect UI: the dead-letter list is published as a table artifact
(`notice-dead-letters`, pseudonyms and reasons only), and a run in which an urgent alert could not
be delivered ends Failed, its message naming the counts, so an automation on failed runs can page
someone. The alerts themselves are still retried by the outbox and escalated by the next run.
"""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.run_names import relay_name
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


class UrgentUndelivered(Exception):
    """An urgent alert could not be delivered in this run: the flow run ends Failed with this text."""


@task(name="publish-dead-letters", cache_policy=NO_CACHE, **RETRY_IF_BUSY)
def publish_dead_letters(app) -> int:
    from prefect.artifacts import create_table_artifact

    total, shown = outbox.dead_letters(app)
    create_table_artifact(
        key="notice-dead-letters", table=shown or [{"notice": "-", "reason": "no dead letters"}],
        description=f"{total} dead-lettered notices" + (f"; the {len(shown)} most recent" if total > len(shown) else "")
                    + ". Each is on a coordinator's worklist as a call / visit task; `witness notices --status dead`.")
    return total


@flow(name="notices-relay", flow_run_name=relay_name)  # "relay 2026-12-01T10:00Z" in the Prefect UI
def relay(now: str | None = None, batch_size: int = outbox.BATCH) -> dict[str, int]:
    """Deliver what is due as of `now` (ISO-8601 with offset; default: when the run starts).
    Returns counts: escalated, repeated, sent, retrying, rerouted, dead."""
    app = build_app(Settings(), FixedClock(parse_instant(now)) if now else None)
    transports = build_transports(app)
    owner = outbox.default_owner()
    try:
        at = app.clock.now()
        escalated, repeated = schedule(app, at)
        totals = {"escalated": escalated, "repeated": repeated, "sent": 0, "retrying": 0, "rerouted": 0, "dead": 0,
                  "urgent_failed": 0}
        while (batch := deliver_batch(app, transports, at, owner, batch_size))["claimed"]:
            for name in ("sent", "retrying", "rerouted", "dead", "urgent_failed"):
                totals[name] += batch[name]
        dead_letters = publish_dead_letters(app)
        # What the run did, in counts only (never a case, a recipient or a text): a Completed run
        # that delivered nothing looks different in the UI from one that delivered 500.
        get_run_logger().info(
            "relay as of %s: %d sent, %d retrying, %d rerouted, %d dead-lettered (%d on the dead-letter list), "
            "%d escalated to a coordinator, %d repeats scheduled", at.isoformat(timespec="seconds"), totals["sent"],
            totals["retrying"], totals["rerouted"], totals["dead"], dead_letters, escalated, repeated)
        # Also the tries the urgent watcher (witness serve) made since the previous run: it retries
        # urgent alerts between runs, and its failures must make this run red as well.
        failed = max(totals["urgent_failed"], outbox.urgent_failures_since(app, at - outbox.REPORT_WINDOW, at))
        if failed:
            raise UrgentUndelivered(
                f"{failed} urgent alert(s) could not be delivered in the last minute "
                f"(this run: sent {totals['sent']}, retrying {totals['retrying']}, dead-lettered {totals['dead']}; "
                f"{dead_letters} on the dead-letter list). Each failed try is retried and escalated to the "
                "coordinator by the deadline; see `witness notices` for the reasons.")
        return totals
    finally:
        for t in transports.values():
            t.close()
        app.engine.dispose()
