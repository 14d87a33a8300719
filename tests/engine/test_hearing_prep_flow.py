"""The hearing-prep flow under a real Prefect engine: it selects the hearings of the next 14 days,
prepares them in chunks, and a second run at the same instant prepares nothing. The rules are
tested without Prefect in tests/integration/test_hearings.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from tests.conftest import COORDINATOR, PROSECUTOR, T0, adult_form
from witness.services import consent, hearings, resources
from witness.services.intake import open_case
from witness.settings import PROJECT_ROOT
from witness.store.hearing_tables import bookings

pytestmark = pytest.mark.engine


@pytest.fixture
def prep_flow(prefect_server):
    from flows.hearing_prep import hearing_prep  # imports Prefect: only once the test server is up

    return hearing_prep


@pytest.fixture
def three_hearings(sqlite_app, monkeypatch):
    monkeypatch.setenv("WITNESS_HOME", str(sqlite_app.settings.home))
    monkeypatch.setenv("WITNESS_DATABASE_URL", sqlite_app.settings.url)
    monkeypatch.delenv("WITNESS_KEY_FILE", raising=False)
    resources.load(sqlite_app, COORDINATOR, yaml.safe_load((PROJECT_ROOT / "config" / "resources.example.yaml").read_text()))
    ids = []
    for i, days in enumerate((20, 22, 40)):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Victim {i}", escort_gender_preference="male")
        form["proceedings"] = [dict(form["proceedings"][0], court="Samut Sakhon Provincial Court")]
        case = open_case(sqlite_app, COORDINATOR, form)
        consent.give(sqlite_app, COORDINATOR, case, "testimony", "written", "my", explained=True)
        at = T0 + timedelta(days=days)
        ids.append(hearings.add(sqlite_app, PROSECUTOR, "TH-SSK-2026-0141", at, at + timedelta(hours=2),
                                witnesses=[{"case": case}])["hearing"])
    return ids


def test_the_flow_prepares_the_next_14_days_in_chunks_and_is_idempotent(prep_flow, three_hearings, sqlite_app):
    now = T0 + timedelta(days=9)  # the first two hearings are within 14 days, the third is not
    state = prep_flow(now=now.isoformat(), chunk_size=1, return_state=True)
    assert state.is_completed()
    assert state.result()["hearings"] == 2
    assert prep_flow(now=now.isoformat())["hearings"] == 0
    # Set or moved: the flow can be run for given hearings at once.
    assert prep_flow(hearing_ids=[three_hearings[2]], now=now.isoformat())["hearings"] == 1
    with sqlite_app.engine.connect() as c:
        assert c.execute(select(bookings)).all() == []  # nothing was granted yet: nothing is booked
