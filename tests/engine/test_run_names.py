"""Flow runs a person can read in the Prefect UI (issue 14, item 3): a name that says what ran and
as of when (`sweep 2026-11-02T03:00Z`, not a generated `cheerful-okapi`), and a log that says what
the run changed — counts per follow-up, never a case id, a name or anything else about a person."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.conftest import COORDINATOR, T0, adult_form
from witness.services import reflection
from witness.services.intake import open_case

pytestmark = pytest.mark.engine

NOW = T0 + timedelta(days=100)  # past every reflection period
NAMES = ("Siriporn Canarywong", "Aung Canary Thein")


@pytest.fixture
def run_log(prefect_server, monkeypatch):
    """What the flows write to their run logger. Prefect re-reads its logging configuration when the
    engine starts (handlers and levels replaced, INFO dropped under the test environment's WARNING),
    so a handler added beforehand sees nothing: the flows' own `get_run_logger` is wrapped instead,
    and every message still goes on to the real run logger."""
    import flows.hearing_prep
    import flows.notices
    import flows.sweep
    from prefect import get_run_logger

    lines: list[str] = []

    class Spy(logging.LoggerAdapter):
        def log(self, level, msg, *args, **kwargs):
            lines.append(msg % args if args else msg)
            self.logger.log(level, msg, *args, **kwargs)

    for module in (flows.sweep, flows.hearing_prep, flows.notices):
        monkeypatch.setattr(module, "get_run_logger", lambda: Spy(get_run_logger(), {}))
    return lines


@pytest.fixture
def store(sqlite_app, monkeypatch):
    monkeypatch.setenv("WITNESS_HOME", str(sqlite_app.settings.home))
    monkeypatch.setenv("WITNESS_DATABASE_URL", sqlite_app.settings.url)
    monkeypatch.delenv("WITNESS_KEY_FILE", raising=False)
    ids = []
    for name in NAMES:
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=name)
        ids.append(open_case(sqlite_app, COORDINATOR, form))
    reflection.decide(sqlite_app, COORDINATOR, ids[0], "cooperate")
    return ids


def _flow_run_name(state) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(state.state_details.flow_run_id).name


def test_a_sweep_run_is_named_by_its_instant_and_logs_counts_never_a_case(run_log, store):
    from flows.sweep import sweep

    state = sweep(now=NOW.isoformat(), return_state=True)
    assert state.is_completed()
    assert _flow_run_name(state) == f"sweep {NOW:%Y-%m-%dT%H:%M}Z"
    assert "reflection_decided: 1 due, 1 changed by this run" in run_log
    assert "reflection_ended: 1 due, 1 changed by this run" in run_log
    assert run_log[-1] == f"sweep as of {NOW.isoformat(timespec='seconds')}: {sum(state.result().values())} changed in all"
    said = "\n".join(run_log)
    for secret in (*store, *NAMES, "Canary"):
        assert secret not in said


def test_relay_and_hearing_prep_runs_are_named_too(run_log, store):
    from flows.hearing_prep import hearing_prep
    from flows.notices import relay

    relayed = relay(now=NOW.isoformat(), return_state=True)
    assert _flow_run_name(relayed) == f"relay {NOW:%Y-%m-%dT%H:%M}Z"
    prepared = hearing_prep(now=NOW.isoformat(), return_state=True)
    assert prepared.is_completed()
    assert _flow_run_name(prepared) == f"hearing-prep {NOW:%Y-%m-%dT%H:%M}Z (due hearings)"
    assert "0 hearings prepared, 0 bookings made, 0 released, 0 conflicts on the worklist" in run_log


def test_a_relay_run_logs_what_it_delivered_in_counts_never_a_case(run_log, store, sqlite_app):
    """The accused is released: the victims' urgent SMS are queued, and with no SMS gateway
    configured here every try fails and is retried. The run says so in counts that match the store —
    and never names a case, a person or a number."""
    import re

    from flows.notices import relay
    from sqlalchemy import func, select

    from witness.services.custody import change_custody, find_accused
    from witness.store.notice_tables import notices

    released = NOW - timedelta(minutes=5)
    sqlite_app.clock.at = released
    change_custody(sqlite_app, COORDINATOR, "EV-RELAY-1", find_accused(sqlite_app, "TH-SSK-2026-0141", "Accused A"),
                   custody="released", occurred_at=released)
    relay(now=NOW.isoformat(), return_state=True)  # Failed: an urgent alert could not go out (tested elsewhere)
    line = [x for x in run_log if x.startswith("relay as of ")]
    assert len(line) == 1 and line[0].startswith(f"relay as of {NOW.isoformat(timespec='seconds')}: ")
    counts = {w: int(n) for n, w in re.findall(r"(\d+) (sent|retrying|rerouted|dead-lettered)\b", line[0])}
    with sqlite_app.engine.connect() as c:
        tried = c.execute(select(func.count()).select_from(notices).where(
            notices.c.attempts > 0, notices.c.status == "queued")).scalar()
        sent = c.execute(select(func.count()).select_from(notices).where(notices.c.status == "sent")).scalar()
    assert tried >= 1 and counts["retrying"] == tried and counts["sent"] == sent
    said = "\n".join(run_log)
    for secret in (*store, *NAMES, "Canary", "+66", "Accused A"):
        assert secret not in said
