"""Urgent alerts leave at once (issue 16 item 3): the watcher `witness serve` runs asks the store
for a due urgent notice and runs a relay pass as soon as there is one; nothing else wakes it."""
import threading
from datetime import timedelta

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.domain.events import HearingSet
from witness.services.custody import change_custody
from witness.services.events import publish
from witness.services.relay import relay
from witness.services.relay_wakeup import urgent_due, watch


def test_only_a_due_urgent_notice_wakes_the_relay(app):
    a = victim(app, 1, channels=("email",))
    with app.uow(COORDINATOR) as uow:
        publish(uow, HearingSet(case_ids=[a], at=T0 + timedelta(days=10), event_id="H-1"))
        uow.commit()
    assert rows(app) and not urgent_due(app, T0)  # a hearing notice waits for the minute schedule
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    assert urgent_due(app, T0)


def test_the_watcher_runs_a_relay_pass_for_a_release_and_stops_asking_once_it_is_sent(app, transports, smtp_sink):
    victim(app, 1, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    stop, reports = threading.Event(), []

    def relay_pass():
        reports.append(relay(app, transports, T0))
        if not urgent_due(app, T0):
            stop.set()  # what is due was sent: end the test's watcher

    assert watch(app, relay_pass, stop, poll=0.01) == 1
    assert reports[0].sent == 2 and len(smtp_sink.messages) == 2  # the victim and the coordinator
    assert {r.status for r in rows(app)} == {"sent"}


def test_a_failing_pass_does_not_stop_the_watcher(app):
    victim(app, 1, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    stop, calls = threading.Event(), []

    def broken_pass():
        calls.append(1)
        stop.set()
        raise RuntimeError("the Prefect API is down")

    assert watch(app, broken_pass, stop, poll=0.01) == 1 and calls == [1]
