"""Custody events that cannot be silenced (issue 10 item 1) and bail or acquittal escalating like
a release (issue 11): on SQLite and PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, rows, victim
from witness.errors import InputProblems
from witness.services.custody import change_custody
from witness.services.sweep import SYSTEM, run
from witness.store.risk_tables import custody_events, risk_reviews_due
from witness.store.tables import accused, worklist

FAR_FUTURE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def _work(app, kind):
    with app.engine.connect() as c:
        return c.execute(select(worklist).where(worklist.c.kind == kind).order_by(worklist.c.id)).all()


def _due(app):
    with app.engine.connect() as c:
        return {r.case_id: r.trigger for r in c.execute(select(risk_reviews_due))}


def _poison(app, aid, custody="detained", at=FAR_FUTURE):
    """What a feed could leave before future dates were refused: an event dated 9999-12-31 and the
    accused's recorded custody dated with it."""
    with app.engine.begin() as c:
        c.execute(custody_events.insert().values(event_id="POISON-1", accused_id=aid, custody=custody, occurred_at=at,
                                                 recorded_at=T0 - timedelta(days=1), source="feed", historical=0))
        c.execute(update(accused).where(accused.c.id == aid).values(custody=custody, custody_changed_at=at))


@pytest.mark.parametrize("poisoned_as", ["detained", "released"])
def test_a_real_escape_after_a_far_future_record_alerts_every_linked_victim(app, poisoned_as):
    ids = [victim(app, n) for n in range(3)] + [victim(app, 9, docket="TH-BKK-2026-0009", coordinator="dewi")]
    from tests.notice_fixtures import link_accused_to
    aid = accused_a(app)
    link_accused_to(app, aid, "TH-BKK-2026-0009")
    _poison(app, aid, poisoned_as)
    change_custody(app, COORDINATOR, "ESCAPE-1", aid, "escaped", T0 - timedelta(minutes=3))
    alerted = {r.case_id for r in rows(app, recipient="victim")}
    assert alerted == set(ids)
    assert all(r.urgent and r.kind == "accused_escaped" for r in rows(app, recipient="victim"))
    assert _due(app) == {i: "accused_escaped" for i in ids}
    assert {r.case_id for r in _work(app, "reassess_risk")} == set(ids)
    # The bad record no longer stands: the escape is the accused's custody now, and each
    # coordinator is asked to check the feed.
    with app.engine.connect() as c:
        now_recorded = c.execute(select(accused.c.custody, accused.c.custody_changed_at).where(accused.c.id == aid)).one()
    assert now_recorded == ("escaped", T0 - timedelta(minutes=3))
    reconcile = _work(app, "custody_reconcile")
    assert sorted(r.assignee for r in reconcile) == ["amara", "dewi"]
    assert "ahead of the clock" in reconcile[0].detail
    # ... and the sweep escalates if nobody acts, as after any escape.
    assert run(app, SYSTEM, T0 + timedelta(minutes=20)).changed["release_escalation"] == len(ids)


def test_an_event_dated_ahead_of_the_clock_is_refused_and_nothing_is_written(app):
    victim(app, 1)
    aid = accused_a(app)
    with pytest.raises(InputProblems) as refused:
        change_custody(app, COORDINATOR, "TYPO-1", aid, "detained", datetime(2062, 11, 2, 3, tzinfo=timezone.utc))
    assert [p for p, _ in refused.value.problems] == ["occurred_at"]
    assert "ahead of the clock" in str(refused.value)
    with app.engine.connect() as c:
        assert c.execute(select(custody_events)).all() == []
        assert c.execute(select(accused.c.custody).where(accused.c.id == aid)).scalar() == "detained"


def test_a_feed_clock_a_little_ahead_of_ours_is_accepted(app):
    victim(app, 1)
    change_custody(app, COORDINATOR, "SKEW-1", accused_a(app), "released", T0 + timedelta(minutes=4))
    assert len(rows(app, recipient="victim")) == 1


@pytest.mark.parametrize("freed", ["released", "escaped", "bailed", "acquitted"])
def test_a_late_event_that_frees_the_accused_alerts_and_asks_to_reconcile(app, freed):
    a = victim(app, 1)
    aid = accused_a(app)
    change_custody(app, COORDINATOR, "NEW-1", aid, "detained", T0)
    change_custody(app, COORDINATOR, "OLD-1", aid, freed, T0 - timedelta(hours=6))
    assert [(r.case_id, bool(r.urgent)) for r in rows(app, recipient="victim")] == [(a, True)]
    assert _due(app) == {a: f"accused_{freed}"}
    [task] = _work(app, "custody_reconcile")
    assert task.assignee == "amara" and "older than the recorded custody" in task.detail and a in task.detail
    with app.engine.connect() as c:  # the newer status stays
        assert c.execute(select(accused.c.custody).where(accused.c.id == aid)).scalar() == "detained"


def test_a_late_event_that_holds_the_accused_tells_no_victim_but_asks_to_reconcile(app):
    victim(app, 1)
    aid = accused_a(app)
    change_custody(app, COORDINATOR, "NEW-1", aid, "released", T0)
    before = len(rows(app))
    change_custody(app, COORDINATOR, "OLD-1", aid, "arrested", T0 - timedelta(days=1))
    assert len(rows(app)) == before
    assert len(_work(app, "custody_reconcile")) == 1
    with app.engine.connect() as c:
        assert c.execute(select(accused.c.custody).where(accused.c.id == aid)).scalar() == "released"


def test_events_in_order_need_no_reconciling(app):
    victim(app, 1)  # the intake recorded the accused as detained at T0
    aid = accused_a(app)
    app.clock.advance(hours=3)
    change_custody(app, COORDINATOR, "EV-1", aid, "released", T0 + timedelta(hours=1))
    change_custody(app, COORDINATOR, "EV-2", aid, "arrested", T0 + timedelta(hours=2))
    assert _work(app, "custody_reconcile") == []
    assert [r.kind for r in rows(app, recipient="victim")] == ["accused_released", "accused_held"]


def test_a_release_older_than_what_the_intake_recorded_still_alerts(app):
    a = victim(app, 1)  # detained, as of the intake at T0
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0 - timedelta(hours=2))
    assert [(r.case_id, r.kind) for r in rows(app, recipient="victim")] == [(a, "accused_released")]
    assert len(_work(app, "custody_reconcile")) == 1


@pytest.mark.parametrize("freed", ["bailed", "acquitted", "released", "escaped"])
def test_bail_and_acquittal_escalate_when_left_unattended_like_a_release(app, freed):
    case = victim(app, 1)
    change_custody(app, COORDINATOR, "FREE-1", accused_a(app), freed, T0)
    assert run(app, SYSTEM, T0 + timedelta(minutes=10)).changed["release_escalation"] == 0  # within 15 minutes
    assert run(app, SYSTEM, T0 + timedelta(minutes=20)).changed["release_escalation"] == 1
    [esc] = _work(app, "release_escalation")
    assert esc.case_id == case and esc.assignee == "amara" and freed in esc.detail
