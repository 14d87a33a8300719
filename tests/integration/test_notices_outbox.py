"""Events -> notices, written in the transaction of the event (R-24, R-50, R-51, R-56)."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN, COORDINATOR, OTHER_COORDINATOR, T0
from tests.notice_fixtures import (DOCKET, accused_a, child, link_accused_to, rows, sms_sink, smtp_sink,  # noqa: F401
                                   transports, victim)
from witness.domain.access import Actor, Role
from witness.errors import InputProblems
from witness.services import acknowledgements, notices
from witness.services.custody import change_custody, record_change
from witness.domain.events import HearingSet, MeasureDecided, RiskReviewDue, StageChanged
from witness.services.events import publish
from witness.services.guardrails import case_facts
from witness.services.sweep import SYSTEM, run
from witness.store.tables import cases, worklist

RELEASE = dict(custody="released", occurred_at=T0)


def _release(app, event_id="EV-1", accused=None, **over):
    return change_custody(app, COORDINATOR, event_id, accused or accused_a(app), **{**RELEASE, **over})


def _work(app, kind):
    with app.engine.connect() as c:
        return c.execute(select(worklist).where(worklist.c.kind == kind).order_by(worklist.c.id)).all()


def test_a_release_alerts_every_victim_of_every_proceeding_their_guardians_and_their_coordinators(app):
    a, b = victim(app, 1), victim(app, 2, channels=("sms", "email"))
    kid = child(app)
    other = victim(app, 3, docket="TH-BKK-2026-0009", coordinator="dewi")
    link_accused_to(app, accused_a(app), "TH-BKK-2026-0009")  # the same accused in a second proceeding
    unrelated = victim(app, 4, docket="TH-CNX-2026-0001")
    _release(app)
    got = {(r.case_id, r.recipient, r.channel) for r in rows(app) if r.recipient in ("victim", "guardian")}
    assert got == {(a, "victim", "sms"), (b, "victim", "sms"), (b, "victim", "email"), (kid, "victim", "sms"),
                   (kid, "guardian", "sms"), (other, "victim", "sms")}
    assert unrelated not in {r.case_id for r in rows(app)}
    staff = {(r.recipient_ref, r.channel) for r in rows(app, recipient="coordinator")}
    assert staff == {("amara", "email"), ("dewi", "email")}
    assert all(r.urgent and r.kind == "accused_released" and r.status == "queued" for r in rows(app))
    # The guardian is addressed in the guardian's own language.
    assert [r.language for r in rows(app, recipient="guardian")] == ["id"]


def test_notices_roll_back_with_the_event_that_would_have_made_them(app):
    victim(app, 1)
    aid = accused_a(app)
    with app.uow(COORDINATOR) as uow:
        record_change(uow, "EV-1", aid, "released", T0)
        # no commit: the unit of work rolls back
    assert rows(app) == []
    _release(app)
    assert len(rows(app)) == 2


def test_the_same_custody_event_delivered_twice_makes_one_set_of_notices(app):
    victim(app, 1), victim(app, 2)
    first = _release(app)
    again = _release(app)
    assert not first.duplicate and again.duplicate
    assert len(rows(app)) == 3  # two victims and their coordinator


def test_importing_historical_custody_events_creates_no_notices(app):
    victim(app, 1)
    aid = accused_a(app)
    change_custody(app, COORDINATOR, "OLD-1", aid, "released", T0 - timedelta(days=400), source="import", historical=True)
    change_custody(app, COORDINATOR, "OLD-2", aid, "escaped", T0 - timedelta(days=300), source="import", historical=True)
    assert rows(app) == []


def test_an_older_release_arriving_after_a_newer_event_still_alerts(app):
    # Issue 10: no recorded order may silence a release (more in test_custody_ordering.py).
    victim(app, 1)
    aid = accused_a(app)
    _release(app, "EV-NEW", aid, custody="detained", occurred_at=T0)
    _release(app, "EV-OLD", aid, custody="released", occurred_at=T0 - timedelta(days=2))
    assert [r.kind for r in rows(app)] == ["accused_released", "accused_released"]


def test_bail_alerts_as_urgently_as_release_and_a_re_arrest_is_a_progress_notice(app):
    victim(app, 1)
    aid = accused_a(app)
    _release(app, "EV-1", aid, custody="bailed")
    app.clock.advance(days=1)  # events dated ahead of the clock are refused
    _release(app, "EV-2", aid, custody="arrested", occurred_at=T0 + timedelta(days=1))
    kinds = [(r.kind, bool(r.urgent)) for r in rows(app, recipient="victim")]
    assert kinds == [("accused_released", True), ("accused_held", False)]


def test_only_channels_the_victim_marked_safe_are_used(app):
    only_email = victim(app, 1, channels=("email",), phone="+66 81 555 0000")
    _release(app)
    assert [(r.case_id, r.channel) for r in rows(app, recipient="victim")] == [(only_email, "email")]


def test_a_victim_without_a_safe_digital_channel_gets_a_call_or_visit_task(app):
    calls_only = victim(app, 1, channels=("call", "letter"))
    _release(app)
    assert [(r.case_id, r.channel) for r in rows(app, recipient="victim")] == [(calls_only, "worklist")]


def test_each_alerted_person_gets_one_code_shared_by_their_channels(app):
    b = victim(app, 2, channels=("sms", "email"))
    c = victim(app, 3)
    _release(app)
    by_case = {}
    for r in rows(app, recipient="victim"):
        by_case.setdefault(r.case_id, set()).add(r.ack_code_hash)
    assert len(by_case[b]) == 1 and len(by_case[c]) == 1 and by_case[b] != by_case[c]
    assert all(r.ack_code and not r.ack_code.isalnum() for r in rows(app, recipient="victim"))  # stored encrypted
    assert all(r.ack_code_hash is None for r in rows(app, recipient="coordinator"))


def test_five_hundred_victims_are_queued_at_once(sqlite_app):
    app = sqlite_app
    victim(app, 0)
    aid = accused_a(app)
    # Bulk-link 499 more victims to the same proceeding, as a large case (Benjina) would have.
    from witness.store.tables import case_proceedings, identities, proceedings
    cipher = app.cipher
    ids = [f"W-B{i:05d}" for i in range(1, 500)]
    # Encrypted first: each victim's data key is written in a transaction of its own.
    idents = [dict(case_id=cid, legal_name=cipher.encrypt("identities", "legal_name", cid, "x"),
                   phone=cipher.encrypt("identities", "phone", cid, "+66810000000")) for cid in ids]
    with app.engine.begin() as c:
        pid = c.execute(select(proceedings.c.id).where(proceedings.c.docket == DOCKET)).scalar()
        base = dict(c.execute(select(cases).limit(1)).first()._mapping)
        for cid, ident in zip(ids, idents):
            c.execute(cases.insert().values({**base, "id": cid}))
            c.execute(identities.insert().values(ident))
            c.execute(case_proceedings.insert().values(case_id=cid, proceeding_id=pid))
    # The time it takes is measured by benchmarks/notices.py, not asserted here.
    _release(app, accused=aid)
    assert len(rows(app, recipient="victim")) == 500


def test_case_events_notify_the_victim_in_local_time_and_respect_opt_outs(app):
    a, b = victim(app, 1), victim(app, 2)
    notices.set_opt_out(app, COORDINATOR, b, "hearing_set")
    with app.uow(COORDINATOR) as uow:
        publish(uow, HearingSet(case_ids=[a, b], at=T0 + timedelta(days=10), event_id="H-1"))
        uow.commit()
    got = rows(app, kind="hearing_set")
    assert [(r.case_id, r.recipient) for r in got if r.recipient == "victim"] == [(a, "victim")]
    mine = [r for r in got if r.recipient == "victim"][0]
    # Bangkok time, as Burmese (the victim's language) writes a date
    assert json.loads(mine.params) == {"when": "2026 နိုဝင်ဘာ 12, 10:00"}
    assert not any(r.urgent for r in got)


def test_each_language_gets_its_own_date_format_thai_in_the_buddhist_era_as_in_court_documents(app):
    from witness.outputs.dates import date_text

    th, en, vi = victim(app, 1, language="th"), victim(app, 2, language="en"), victim(app, 3, language="vi")
    with app.uow(COORDINATOR) as uow:
        publish(uow, HearingSet(case_ids=[th, en, vi], at=T0 + timedelta(days=10), event_id="H-1"))
        uow.commit()
    when = {r.case_id: json.loads(r.params)["when"] for r in rows(app, kind="hearing_set", recipient="victim")}
    assert when == {th: "12 พฤศจิกายน พ.ศ. 2569, 10:00", en: "November 12, 2026, 10:00", vi: "12 tháng 11, 2026, 10:00"}
    # What the court documents print for the same day (witness/outputs/documents/render.py format_date).
    from witness.outputs.documents.render import format_date

    for lang in ("th", "en", "vi", "my", "km", "lo", "id", "fil", "ms"):
        ctx = {"lang": lang, "doc": {"time_zone": "Asia/Bangkok"}}
        assert format_date(ctx, T0 + timedelta(days=10)) == date_text(T0.date() + timedelta(days=10), lang)


def test_release_alerts_cannot_be_switched_off(app):
    a = victim(app, 1)
    with pytest.raises(InputProblems, match="cannot be switched off"):
        notices.set_opt_out(app, COORDINATOR, a, "accused_released")


def test_stage_changes_the_victim_or_coordinator_made_notify_no_one_but_trial_steps_do(app):
    a = victim(app, 1)
    with app.uow(COORDINATOR) as uow:
        publish(uow, StageChanged(case_ids=[a], from_stage="reflection", to_stage="withdrawn"))
        publish(uow, StageChanged(case_ids=[a], from_stage="decision", to_stage="investigation"))
        uow.commit()
    assert [(r.recipient, json.loads(r.params)) for r in rows(app)] == [("victim", {})]


def test_a_staff_only_kind_reaches_the_coordinator_and_not_the_victim(app):
    a = victim(app, 1)
    with app.uow(COORDINATOR) as uow:
        publish(uow, RiskReviewDue(case_ids=[a]))
        uow.commit()
    assert [r.recipient for r in rows(app)] == ["coordinator"]


def test_a_missing_translation_goes_in_english_and_asks_for_an_interpreter(app):
    a = victim(app, 1, language="zh")
    _release(app)
    assert [r.language for r in rows(app, recipient="victim")] == ["zh"]
    task = _work(app, "notice_interpreter")
    assert [(t.case_id, t.assignee) for t in task] == [(a, "amara")]
    assert "no zh translation" in task[0].detail and "interpreter" in task[0].detail


def test_the_guardrail_fact_says_whether_the_victim_was_reached_since_the_release(app, transports):
    from witness.services.relay import relay
    a = victim(app, 1)
    with app.engine.connect() as c:
        assert acknowledgements.case_facts(c, a, T0) == {}  # nobody released yet
    _release(app)
    with app.engine.connect() as c:
        assert case_facts(c, a, T0).victim_notified_since_custody_change is False
    relay(app, transports, T0)
    with app.engine.connect() as c:
        assert case_facts(c, a, T0).victim_notified_since_custody_change is True


def test_a_call_task_alone_does_not_count_as_reaching_the_victim_but_recorded_contact_does(app, transports):
    from witness.services.relay import relay
    a = victim(app, 1, channels=("call",))
    _release(app)
    relay(app, transports, T0)
    with app.engine.connect() as c:
        assert case_facts(c, a, T0).victim_notified_since_custody_change is False
    acknowledgements.record_contact(app, COORDINATOR, a)
    with app.engine.connect() as c:
        assert case_facts(c, a, T0).victim_notified_since_custody_change is True


def test_a_stale_custody_feed_warns_each_coordinator_once(app):
    victim(app, 1)
    victim(app, 2, docket="TH-BKK-2026-0009", coordinator="dewi")
    _release(app, occurred_at=T0)  # the feed's last word
    assert run(app, SYSTEM, T0 + timedelta(hours=71)).changed["custody_feed_stale"] == 0
    later = T0 + timedelta(hours=73)  # TH allows 72 hours
    assert run(app, SYSTEM, later).changed["custody_feed_stale"] == 2
    assert run(app, SYSTEM, later + timedelta(hours=1)).changed["custody_feed_stale"] == 0
    assert sorted(t.assignee for t in _work(app, "custody_feed_stale")) == ["amara", "dewi"]
    assert "Release alerts may be late" in _work(app, "custody_feed_stale")[0].detail
    # A new event revives the feed; it goes quiet again and warns again.
    app.clock.advance(hours=75)  # events dated ahead of the clock are refused
    change_custody(app, COORDINATOR, "EV-2", accused_a(app), "detained", later + timedelta(hours=2))
    assert run(app, SYSTEM, later + timedelta(hours=3)).changed["custody_feed_stale"] == 0


def test_coordinators_see_only_the_notices_of_their_own_cases(app):
    victim(app, 1)
    victim(app, 2, docket="TH-BKK-2026-0009", coordinator="dewi")
    link_accused_to(app, accused_a(app), "TH-BKK-2026-0009")
    _release(app)
    mine = notices.list_notices(app, COORDINATOR)
    theirs = notices.list_notices(app, OTHER_COORDINATOR)
    everyone = notices.list_notices(app, ADMIN)
    assert len(mine) + len(theirs) == len(everyone) == 4
    assert {n["recipient"] for n in mine} == {"victim", "coordinator:amara"}
    with pytest.raises(Exception, match="may not"):
        notices.list_notices(app, Actor("officer-9", Role.escort))


def test_a_court_deciding_several_measures_at_once_sends_the_victim_one_message(app):
    a = victim(app, 1)
    with app.uow(COORDINATOR) as uow:
        for n, measure in enumerate(("screen", "escort", "pseudonym")):
            publish(uow, MeasureDecided(case_ids=[a], event_id=f"measure:{n}", measure=measure, decision="granted",
                                        hearing="H-1"))
        uow.commit()
    assert [(r.recipient, r.kind) for r in rows(app)] == [("coordinator", "measure_decided"),
                                                           ("victim", "measure_decided")]
