"""The follow-up sweep: reflection periods ending and ended, decisions acted on, idempotent."""
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import COORDINATOR, T0, adult_form
from tests.helpers import dump
from witness.services import reflection
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run
from witness.store.tables import cases, worklist


def _caseload(app):
    """Four victims in Thailand (15-day period), opened on different days."""
    ids = []
    for days_ago in (0, 13, 20, 20):
        form = adult_form(opened_at=(T0 - timedelta(days=days_ago)).isoformat())
        form["victim"] = dict(form["victim"], legal_name=f"Victim {len(ids)}")
        ids.append(open_case(app, COORDINATOR, form))
    reflection.decide(app, COORDINATOR, ids[3], "cooperate")
    return ids


def _work(app):
    with app.engine.connect() as c:
        return {(r.case_id, r.kind) for r in c.execute(select(worklist))
                if r.kind.startswith("reflection") or r.kind == "victim_decided"}


def test_the_sweep_warns_of_periods_ending_flags_ended_ones_and_moves_decided_cases(app):
    fresh, ending, ended, decided = _caseload(app)
    report = run(app, SYSTEM, T0)
    assert {k: v for k, v in report.changed.items() if k.startswith("reflection")} == {
        "reflection_decided": 1, "reflection_ended": 1, "reflection_ending": 1}
    assert _work(app) == {(ending, "reflection_ending"), (ended, "reflection_ended"), (decided, "victim_decided")}
    with app.engine.connect() as c:
        stages = dict(c.execute(select(cases.c.id, cases.c.stage)).all())
    # Nobody moves a victim on just because time passed: only the decided case changes stage.
    assert stages == {fresh: "reflection", ending: "reflection", ended: "reflection", decided: "decision"}


def test_the_sweep_run_twice_at_the_same_instant_gives_the_same_state_as_once(app):
    _caseload(app)
    run(app, SYSTEM, T0)
    once = dump(app.engine)
    second = run(app, SYSTEM, T0)
    assert sum(second.selected.values()) == 0 and sum(second.changed.values()) == 0
    assert dump(app.engine) == once


def test_an_extended_period_is_followed_up_again_at_its_new_end(app):
    _, ending, _, _ = _caseload(app)
    run(app, SYSTEM, T0)
    reflection.extend(app, COORDINATOR, ending, 10, "needs more time")
    later = T0 + timedelta(days=10)  # two days before the new end
    run(app, SYSTEM, later)
    with app.engine.connect() as c:
        kinds = [r.kind for r in c.execute(select(worklist).where(worklist.c.case_id == ending,
                                                                  worklist.c.kind.like("reflection%")).order_by(worklist.c.id))]
    assert kinds == ["reflection_ending", "reflection_ending"]


def test_each_chunk_of_the_sweep_commits_with_its_own_audit_row_and_the_chain_verifies(app):
    from tests.conftest import AUDITOR
    from witness.services.audit import verify
    from witness.store.tables import audit_log

    _caseload(app)
    report = run(app, SYSTEM, T0, chunk_size=1)
    with app.engine.connect() as c:
        rows = c.execute(select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.action.like("sweep.%"))).all()
    # One row per chunk that changed something: with chunks of one case, one per changed case.
    assert len(rows) == sum(report.changed.values())
    assert {r.actor for r in rows} == {"sweep"}
    assert verify(app, AUDITOR).ok
