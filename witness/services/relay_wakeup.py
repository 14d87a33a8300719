"""Urgent alerts leave at once (R-53; issue 16 item 3): a watcher that wakes the relay within a
second of an urgent notice becoming due, instead of waiting for the minute schedule.

The outbox is written in the event's own transaction, on whichever machine or process recorded the
event, so the one thing every relay host can see is the table: the watcher asks it, twice a second,
one indexed question ("is an urgent notice due?") and runs a relay pass when the answer is yes. The
minute schedule stays as the safety net (a watcher that is not running, a notice retried later).
Several watchers on several machines are safe: the relay's leases decide who sends what.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from sqlalchemy import and_, or_, select

from witness.domain.notice import Status
from witness.store.notice_tables import notices

log = logging.getLogger("witness.relay")

POLL_SECONDS = 0.5
AFTER_FAILURE_SECONDS = 10.0  # a relay pass that raised is not retried in a tight loop


def urgent_due(app, now) -> bool:
    """Is an urgent notice due now (queued and due, or held under a lease that has run out)?"""
    due = or_(and_(notices.c.status == Status.queued.value, notices.c.next_attempt_at <= now),
              and_(notices.c.status == Status.sending.value, notices.c.lease_until <= now))
    with app.engine.connect() as conn:
        return conn.execute(select(notices.c.id).where(due, notices.c.urgent.is_(True)).limit(1)).first() is not None


def watch(app, run_relay: Callable[[], object], stop: threading.Event, poll: float = POLL_SECONDS) -> int:
    """Until `stop` is set: run `run_relay()` whenever an urgent notice is due. Returns how many
    passes it ran. A pass that raises is logged (its class only: messages may carry data) and the
    watcher waits longer before asking again."""
    passes = 0
    while not stop.is_set():
        wait = poll
        try:
            if urgent_due(app, app.clock.now()):
                passes += 1
                run_relay()
        except Exception as exc:  # the watcher must outlive a failed pass; the schedule is still there
            log.warning("urgent relay pass failed (%s); the minute schedule remains", exc.__class__.__name__)
            wait = AFTER_FAILURE_SECONDS
        stop.wait(wait)
    return passes


def relay_pass(app) -> None:
    """One relay pass through the real transports, as `witness relay` makes it. Not a Prefect flow
    run: a flow run first asks the Prefect API (several round trips to a server that, on SQLite and a
    busy machine, took tens of seconds to answer), and an alert must not wait for it. The minute's
    flow run still publishes the dead letters and ends Failed while urgent alerts keep failing."""
    from witness.outputs.transports.channels import build_transports
    from witness.services.relay import relay

    transports = build_transports(app)
    try:
        report = relay(app, transports, app.clock.now())
    finally:
        for t in transports.values():
            t.close()
    if report.urgent_failed:
        log.warning("urgent relay pass: %d urgent alert(s) not delivered (retrying %d, dead-lettered %d)",
                    report.urgent_failed, report.retrying, report.dead)


def start(app, run_relay: Callable[[], object], poll: float = POLL_SECONDS) -> tuple[threading.Thread, threading.Event]:
    """The watcher in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(app, run_relay, stop, poll), name="urgent-relay-watch",
                              daemon=True)
    thread.start()
    return thread, stop
