"""A prepared hearing is prepared again when what its preparation read may no longer hold, and only
then (issue 16 §2), on SQLite and PostgreSQL: a write to a witness's facts, noted by database
triggers whoever makes it (witness/store/prep_triggers.py); the hearing itself changing; the clock
reaching its `recheck_at`; the jurisdiction's profile changing. Nothing changed: the next day's sweep
leaves it alone."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from tests.conftest import COORDINATOR, PROSECUTOR, child_form
from tests.integration.test_hearings import (RESOURCES, WHEN, _assessed, _escorts, _grant, _hearing, _victim,
                                             jakarta_video_link)
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.domain.measure import MeasureKind
from witness.services import claims, consent, custody, hearings, measures, preparation, resources, risk
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run as sweep
from witness.store import prep_triggers
from witness.store.hearing_tables import hearing_inputs_changed
from witness.store.hearing_tables import hearings as hearing_rows
from witness.store.tables import worklist

LAWYER = Actor("hana", Role.legal_aid)
DAY = WHEN - timedelta(days=10)  # both hearings are within 14 days
KID_DOCKET = "ID-JKT-2026-0007"


class Scene:
    def __init__(self, app):
        self.app = app
        resources.load(app, COORDINATOR, RESOURCES)
        self.case = _victim(app)  # testimony consent, explained: an information sheet
        self.hearing = _hearing(app, self.case)
        _assessed(app, self.case, ["escort"])
        risk.report(app, COORDINATOR, self.case, "settlement_pressure")
        put_on_case(app, LAWYER, self.case)
        claims.new(app, LAWYER, self.case)
        self.accused = custody.find_accused(app, "TH-SSK-2026-0141", "Accused A")
        form = child_form(proceedings=[{"court": "Pengadilan Negeri Jakarta", "docket": KID_DOCKET, "prosecutor": "somchai",
                                        "accused": [{"label": "Accused B", "custody": "detained", "relationship": "employer"}]}])
        self.kid = open_case(app, COORDINATOR, form)  # a guardian recorded at intake
        consent.give(app, COORDINATOR, self.kid, "testimony", "written", "id", guardian_agreed=True, explained=True)
        self.kid_hearing = hearings.add(app, PROSECUTOR, KID_DOCKET, WHEN, WHEN + timedelta(hours=2),
                                        witnesses=[{"case": self.kid, "mode": "video_link"}])["hearing"]

    def due(self, at) -> list[str]:
        return _due(self.app, at)

    def sweep(self, at):
        return _sweep(self.app, at)


def _due(app, at) -> list[str]:
    with app.engine.connect() as c:
        return preparation.select_prep(c, at, app.profiles)


def _sweep(app, at):
    app.clock.at = at
    return sweep(app, SYSTEM, at)


@pytest.fixture
def scene(app):
    s = Scene(app)
    s.sweep(DAY)  # prepared since they came within 14 days
    return s


def test_a_hearing_nothing_changed_for_is_not_prepared_again_the_next_day(scene):
    assert scene.due(DAY + timedelta(days=1)) == []
    assert scene.sweep(DAY + timedelta(days=1)).selected["hearing_prep"] == 0
    with scene.app.engine.connect() as c:
        assert c.execute(select(hearing_inputs_changed)).all() == []


# Each watched table: the rows that concern the witnesses (their case, or their proceedings' accused).
ROWS = {
    "cases": "id IN (:a, :b)",
    "accused": f"id IN (SELECT accused_id FROM proceeding_accused pa JOIN case_proceedings cp "
               f"ON cp.proceeding_id = pa.proceeding_id WHERE cp.case_id IN (:a, :b))",
    "proceeding_accused": "proceeding_id IN (SELECT proceeding_id FROM case_proceedings WHERE case_id IN (:a, :b))",
    "proceedings": "id IN (SELECT proceeding_id FROM case_proceedings WHERE case_id IN (:a, :b))",
}


@pytest.mark.parametrize("table", sorted(prep_triggers.WATCHED))
def test_a_write_to_any_fact_a_preparation_read_makes_the_hearing_due_again(scene, table):
    where = ROWS.get(table, "case_id IN (:a, :b)")
    key = "id" if table in ("cases", "accused", "proceedings") else (
        "proceeding_id" if table == "proceeding_accused" else "case_id")
    with scene.app.engine.begin() as c:  # a write no service of ours made: a restore, a hand fix
        n = c.execute(text(f"UPDATE {table} SET {key} = {key} WHERE {where}"),
                      {"a": scene.case, "b": scene.kid}).rowcount
    assert n >= 1, f"the scene has no row of {table} about the witnesses"
    next_day = DAY + timedelta(days=1)
    assert set(scene.due(next_day)) == set(_hearings_touched(scene, table))
    scene.sweep(next_day)
    assert scene.due(next_day + timedelta(days=1)) == []


def _hearings_touched(scene, table: str) -> list[str]:
    # The child's guardian record and the claim are about one witness each; the rest about both.
    only = {"guardian_records": [scene.kid_hearing], "claims": [scene.hearing], "case_flags": [scene.hearing],
            "risk_assessments": [scene.hearing]}
    return only.get(table, [scene.hearing, scene.kid_hearing])


def test_services_writes_reach_only_the_hearings_of_the_witness_concerned(scene):
    next_day = DAY + timedelta(days=1)
    consent.give(scene.app, COORDINATOR, scene.case, "interview", "written", "km")
    assert scene.due(next_day) == [scene.hearing]
    scene.sweep(next_day)
    scene.app.clock.at = next_day + timedelta(hours=1)
    custody.change_custody(scene.app, COORDINATOR, "ev-release", scene.accused, "bailed", next_day)
    assert scene.due(next_day + timedelta(days=1)) == [scene.hearing]


def test_a_change_noted_while_a_hearing_is_being_prepared_stays_noted(scene, monkeypatch):
    """Preparing forgets a hearing's noted changes BEFORE it reads anything. On PostgreSQL another
    transaction may commit a change at any moment of a preparation: forgetting at the end would
    drop a change the reads did not see. Here the change is written in the middle (before the
    facts are read) and must still be noted afterwards."""
    real = preparation.case_facts_many

    def facts_with_a_write_first(conn, case_ids, now):
        # (in the preparation's own transaction: SQLite has one writer at a time)
        conn.execute(text("UPDATE case_flags SET case_id = case_id WHERE case_id = :c"), {"c": scene.case})
        return real(conn, case_ids, now)

    monkeypatch.setattr(preparation, "case_facts_many", facts_with_a_write_first)
    next_day = DAY + timedelta(days=1)
    with scene.app.uow(SYSTEM, next_day) as uow:
        preparation.prepare_in(uow, [scene.hearing])
        uow.commit()
    assert scene.due(next_day + timedelta(days=1)) == [scene.hearing]


def test_the_clock_reaching_a_rule_s_instant_makes_the_hearing_due(scene):
    """The accused is freed just before a preparation: within the follow-up deadline nothing stops
    the appearance; once it passes with the victim not told, DNH rules answer differently."""
    next_day = DAY + timedelta(days=1)
    scene.app.clock.at = next_day - timedelta(minutes=5)
    custody.change_custody(scene.app, COORDINATOR, "ev-release", scene.accused, "escaped", next_day - timedelta(minutes=5))
    scene.sweep(next_day)
    with scene.app.engine.connect() as c:
        recheck = c.execute(select(hearing_rows.c.recheck_at).where(hearing_rows.c.id == scene.hearing)).scalar()
    assert recheck == next_day + timedelta(minutes=10)  # freed at -5 min, the deadline 15 min later
    assert scene.due(next_day + timedelta(minutes=9)) == []
    assert scene.due(next_day + timedelta(minutes=10)) == [scene.hearing]


def test_a_hearing_prepared_before_it_came_within_14_days_is_prepared_when_it_does(app):
    s = Scene(app)  # prepared when added, 30 days ahead
    assert s.due(WHEN - timedelta(days=15)) == []
    assert set(s.due(WHEN - timedelta(days=14))) == {s.hearing, s.kid_hearing}


def test_preparation_reads_only_facts_that_are_watched_or_listed_as_not_needing_it(scene):
    """A new read in preparation of a table nobody watches would leave plans stale without anyone
    noticing: each table read is watched by a trigger, or listed in prep_triggers.NOT_WATCHED with why."""
    read: set[str] = set()

    def capture(conn, cursor, statement, params, context, many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            read.update(m.lower() for m in re.findall(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_]+)', statement, re.I))

    custody.change_custody(scene.app, COORDINATOR, "ev-release", scene.accused, "bailed", DAY)  # notices read too
    with scene.app.uow(SYSTEM, DAY + timedelta(days=1)) as uow:
        event.listen(scene.app.engine, "before_cursor_execute", capture)
        try:
            preparation.prepare_in(uow, [scene.hearing, scene.kid_hearing])
        finally:
            event.remove(scene.app.engine, "before_cursor_execute", capture)
        uow.commit()
    read &= {t for t in _tables()}
    unaccounted = read - set(prep_triggers.WATCHED) - set(prep_triggers.NOT_WATCHED)
    assert not unaccounted, f"preparation reads {sorted(unaccounted)}: watch them or say why not"
    assert {"consents", "risk_assessments", "accused", "notices"} <= read  # the capture itself works


def _tables() -> set[str]:
    from witness.store.all_tables import metadata
    return set(metadata.tables)


def test_the_installed_triggers_are_the_watched_tables(app):
    with app.engine.connect() as c:
        if c.dialect.name == "postgresql":
            names = set(c.execute(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'prep_inputs_%' "
                                       "AND tgrelid::regclass::text NOT LIKE '%.%'")).scalars())
            want = {f"prep_inputs_{t}" for t in prep_triggers.WATCHED}
        else:
            names = set(c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name LIKE 'prep_inputs_%'")).scalars())
            want = {f"prep_inputs_{t}_{op.lower()}" for t in prep_triggers.WATCHED for op in prep_triggers.OPS}
    assert names == want


def test_a_gap_for_want_of_officers_is_looked_at_again_each_sweep_and_filled_once_they_are_free(app):
    """Nothing about this hearing changes when another hearing lets its officers go: a plan left
    with a gap for want of a resource is prepared again at every sweep until the gap is filled."""
    from tests.integration.test_hearings import _escorts, _grant

    resources.load(app, COORDINATOR, RESOURCES)
    a = _victim(app, name="Alpha Canary", address="A street")
    h1 = _hearing(app, a)
    _grant(app, h1, a, ["escort"])
    assert _escorts(app, h1) == ["F1", "F2"]  # the only two female officers
    b = _victim(app, docket="TH-BKK-2026-0002", name="Beta Canary", address="B road")
    h2 = _hearing(app, b, docket="TH-BKK-2026-0002", at=WHEN + timedelta(hours=1))
    _grant(app, h2, b, ["escort"])
    assert _escorts(app, h2) == []  # a gap: no female team free
    _sweep(app, DAY)
    assert _due(app, DAY + timedelta(days=1)) == [h2]  # looked at again though nothing of h2 changed
    hearings.cancel(app, PROSECUTOR, h1, "the accused pleaded guilty")
    _sweep(app, DAY + timedelta(days=1))
    assert _escorts(app, h2) == ["F1", "F2"]
    assert _due(app, DAY + timedelta(days=2)) == []  # no gap left: nothing to look at again


def _open_gaps(app, case: str) -> list[str]:
    with app.engine.connect() as c:
        return sorted(c.execute(select(worklist.c.key).where(worklist.c.case_id == case, worklist.c.kind == "hearing_gap",
                                                             worklist.c.done_at.is_(None))).scalars())


def _video_link_in_jakarta(app) -> tuple[str, str]:
    """A gap no other hearing holds: an adult's video testimony in Indonesia (test_hearings)."""
    case, added = jakarta_video_link(app)
    _sweep(app, DAY)
    assert [k.split(":")[3:5] for k in _open_gaps(app, case)] == [["video_link", "measure_unavailable"]]
    return case, added["hearing"]


def test_a_gap_no_other_hearing_holds_is_not_looked_at_daily_but_when_what_fills_it_is_written(app):
    """Nothing another hearing does can fill it, so the sweep leaves it (re-checking such gaps daily
    cost the 100,000-case sweep 0.3 s); recording the condition the court asks for fills it at once."""
    case, h = _video_link_in_jakarta(app)
    assert _due(app, DAY + timedelta(days=1)) == []
    measures.record_condition(app, COORDINATOR, case, "traumatised_witness")
    assert _open_gaps(app, case) == []


def test_a_changed_profile_prepares_its_jurisdiction_s_hearings_again(app, monkeypatch):
    """Indonesia's courts come to grant video testimony to every witness: the gap the old rule left
    is looked at again at the next sweep and closed; hearings of other states are left alone."""
    case, h = _video_link_in_jakarta(app)
    other = _hearing(app, _victim(app))  # Thailand
    _sweep(app, DAY)
    assert _due(app, DAY + timedelta(days=1)) == []
    idn = app.profiles["ID"]
    anyone = idn.measures[MeasureKind.video_link].model_copy(update={"conditions": []})
    monkeypatch.setitem(app.profiles, "ID", idn.model_copy(update={"measures": {**idn.measures,
                                                                             MeasureKind.video_link: anyone}}))
    assert _due(app, DAY + timedelta(days=1)) == [h]
    _sweep(app, DAY + timedelta(days=1))
    assert _open_gaps(app, case) == []
    assert other not in _due(app, DAY + timedelta(days=2)) and _due(app, DAY + timedelta(days=2)) == []


def test_a_profile_s_fingerprint_is_the_same_in_every_process():
    """Compared with what the last sweep stored: a fingerprint that differed from one process to the
    next (a set's order under hash randomisation, say) would prepare every hearing at every sweep."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    config = Path(__file__).resolve().parents[2] / "config" / "jurisdictions"
    code = ("from pathlib import Path; from witness.profiles import load_profiles; "
            "from witness.services.preparation import profile_marks; "
            f"print(sorted(profile_marks(load_profiles(Path({str(config)!r}))).items()))")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(seen) == 1 and "ID" in seen.pop()


def test_a_gap_for_want_of_any_officer_is_filled_when_a_roster_is_loaded_not_looked_at_daily(app):
    """No escort officer serves the court at all: only a roster can fill that, and loading one
    plans every hearing it can touch in the same transaction."""
    a = _victim(app, preference=None)
    h = _hearing(app, a)
    _grant(app, h, a, ["escort"])
    _sweep(app, DAY)
    assert [k.split(":")[3:5] for k in _open_gaps(app, a)] == [["escort", "no_resource_free"]]
    assert _due(app, DAY + timedelta(days=1)) == []
    resources.load(app, COORDINATOR, RESOURCES)
    assert _escorts(app, h) == ["F1", "F2"] and _open_gaps(app, a) == []


def test_changes_noted_for_hearings_over_cancelled_or_gone_are_forgotten(scene):
    with scene.app.engine.begin() as c:
        c.execute(hearing_inputs_changed.insert(), [{"hearing_id": "H-GONE0000"}, {"hearing_id": scene.kid_hearing}])
    hearings.cancel(scene.app, PROSECUTOR, scene.kid_hearing, "withdrawn by the prosecution")
    risk.report(scene.app, COORDINATOR, scene.case, "stay_until_resolved")  # something for the sweep to prepare
    scene.sweep(DAY + timedelta(days=1))
    with scene.app.engine.connect() as c:
        assert c.execute(select(hearing_inputs_changed.c.hearing_id)).scalars().all() == []
