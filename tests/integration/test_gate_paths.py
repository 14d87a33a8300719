"""One gate (issue 11, R-33): every path that changes a case passes the Do No Harm engine, `witness
check` says what the action will do, automatic changes never override (a stop becomes a worklist
item), and a fact reaches the same handler whichever path records it. On SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import COORDINATOR, PROSECUTOR, adult_form, child_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.domain.guardrails import ActionKind, unresolved
from witness.errors import ActionBlocked, InputProblems
from witness.services import (calendar_feeds, claims, consent, documents, hearings, measures, reflection, resources, risk,
                              support)
from witness.services import cases as case_service
from witness.services.guardrails import dry_run, enforce
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run as sweep
from witness.store.risk_tables import guardrail_overrides
from witness.store.claim_tables import claims as claims_table
from witness.store.tables import cases, consents, identities, stage_history, worklist

LAWYER = Actor("hana", Role.legal_aid)
COURT = "Samut Sakhon Provincial Court"


def _adult(**over) -> dict:
    """An adult who consented to her shelter stay (the intake's own check stays quiet)."""
    return adult_form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}], **over)


def _rules(findings) -> set[str]:
    return {f.rule for f in findings}


def _items(app, case: str, kind: str) -> list[str]:
    with app.engine.connect() as c:
        return list(c.execute(select(worklist.c.detail).where(worklist.c.case_id == case, worklist.c.kind == kind)
                              .order_by(worklist.c.id)).scalars())


def _stage(app, case: str) -> str:
    with app.engine.connect() as c:
        return c.execute(select(cases.c.stage).where(cases.c.id == case)).scalar()


# --- the sweep never overrides ------------------------------------------------------------------

def test_the_sweep_leaves_a_foreign_victim_with_a_claim_under_pressure_for_the_coordinator(app):
    case = open_case(app, COORDINATOR, _adult())  # a Myanmar national in Thailand
    free = open_case(app, COORDINATOR, _adult())  # decided the same, no claim, no pressure
    reflection.decide(app, COORDINATOR, free, "not_cooperate")
    put_on_case(app, LAWYER, case)  # need to know: the lawyer is on the case
    claims.new(app, LAWYER, case)
    risk.report(app, COORDINATOR, case, "settlement_pressure")
    reflection.decide(app, COORDINATOR, case, "not_cooperate")
    assert _rules(dry_run(app, COORDINATOR, "stage_change", case, {"target": "withdrawn"})) >= {
        "DNH-11-foreign-stay", "DNH-12-settlement-pressure"}

    first = sweep(app, SYSTEM, app.clock.now())
    again = sweep(app, SYSTEM, app.clock.now())

    assert _stage(app, case) == "reflection"  # not withdrawn behind everyone's back
    assert _stage(app, free) == "withdrawn" and _items(app, free, "gate_stopped") == []  # what no rule stops goes on
    with app.engine.connect() as c:
        assert c.execute(select(stage_history.c.to_stage).where(stage_history.c.case_id == case)).scalars().all() \
            == ["reflection"]
        assert c.execute(select(guardrail_overrides)).all() == []
    [detail] = _items(app, case, "gate_stopped")
    assert "DNH-11-foreign-stay" in detail and "DNH-12-settlement-pressure" in detail and "withdrawn" in detail
    assert first.changed["reflection_decided"] == 2 and again.changed["reflection_decided"] == 0  # listed once
    # The coordinator decides, and answers for it with a reason.
    case_service.change_stage(app, COORDINATOR, case, "withdrawn", "the victim's decision, discussed with her",
                              {"DNH-11-foreign-stay": "lawyer files the claim from abroad",
                               "DNH-12-settlement-pressure": "pressure followed up with the victim today"})
    assert _stage(app, case) == "withdrawn"


def test_the_sweeps_stage_move_is_stopped_for_a_child_without_a_guardian(app):
    case = open_case(app, COORDINATOR, _adult())
    reflection.decide(app, COORDINATOR, case, "cooperate")
    with app.engine.begin() as c:  # the age is reassessed: presumed a child, no guardian recorded yet
        c.execute(update(cases).where(cases.c.id == case).values(age_status="uncertain"))
    sweep(app, SYSTEM, app.clock.now())
    assert _stage(app, case) == "reflection"
    [detail] = _items(app, case, "gate_stopped")
    assert "DNH-04-child-guardian" in detail


def test_the_system_role_cannot_override_even_with_a_reason(app):
    case = open_case(app, COORDINATOR, _adult())
    put_on_case(app, LAWYER, case)  # need to know: the lawyer is on the case
    claims.new(app, LAWYER, case)
    with app.uow(SYSTEM) as uow, pytest.raises(ActionBlocked, match="DNH-11-foreign-stay"):
        enforce(uow, ActionKind.stage_change, case, {"DNH-11-foreign-stay": "the flow says so"}, target="withdrawn")
    with app.engine.connect() as c:
        assert c.execute(select(guardrail_overrides)).all() == []


# --- check and the action agree -----------------------------------------------------------------

def test_check_says_what_schedule_does_after_the_reflection_period_ended_without_consent(app):
    case = open_case(app, COORDINATOR, _adult())
    app.clock.advance(days=20)  # the 15-day period is over; no consent to testimony was ever given
    at = app.clock.now() + timedelta(days=3)
    findings = dry_run(app, PROSECUTOR, "schedule_appearance", case, {"act": "testimony", "at": at})
    assert _rules(findings) == {"DNH-13-act-consent"}
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent: the victim has no active consent to testimony"):
        from witness.services import appointments
        appointments.schedule(app, PROSECUTOR, case, "testimony", at)


def _agree(app, actor, kind: str, case: str, details: dict, act) -> set[str]:
    """`witness check` and the action name the same rules: what the dry run says still stops the
    action is exactly what the action's refusal names."""
    stops = {f.rule for f in unresolved(dry_run(app, actor, kind, case, details), {})}
    with pytest.raises(ActionBlocked) as refused:
        act()
    assert str(refused.value).startswith(f"{kind} on {case} stopped by Do No Harm rules:")
    assert set(re.findall(r"^\[\w+\] (DNH-\d\d-[a-z-]+):", str(refused.value), re.M)) == stops
    return stops


def test_check_and_ending_support_for_a_cooperation_reason_name_the_one_rule(app):
    case = open_case(app, COORDINATOR, _adult())
    assert _agree(app, COORDINATOR, "end_service", case, {"service": "shelter", "reason": "declined_cooperation"},
                  lambda: support.end(app, COORDINATOR, case, "shelter", "declined_cooperation")) == {
        "DNH-02-services-cooperation"}
    with pytest.raises(InputProblems, match=r"^reason: use one of completed, returned_home, transferred, victim_died, "
                                            r"victim_request$"):
        support.end(app, COORDINATOR, case, "shelter", "bored")
    assert {s["kind"]: s["status"] for s in case_service.show(app, COORDINATOR, case)["services"]}["shelter"] == "active"


def test_check_and_consent_to_an_unsafe_channel_name_the_one_rule(app):
    case = open_case(app, COORDINATOR, _adult())  # safe channels: sms, call
    assert _agree(app, COORDINATOR, "give_consent", case, {"scope": "notification:email"},
                  lambda: consent.give(app, COORDINATOR, case, "notification:email", "written", "my")) == {
        "DNH-09-unsafe-channel"}
    with app.engine.connect() as c:
        assert c.execute(select(consents.c.scope).where(consents.c.case_id == case)).scalars().all() == ["shelter_stay"]
    assert dry_run(app, COORDINATOR, "give_consent", case, {"scope": "notification:sms"}) == []
    consent.give(app, COORDINATOR, case, "notification:sms", "written", "my")


def test_check_and_a_claim_for_a_child_without_a_guardian_name_the_one_rule(app):
    case = open_case(app, COORDINATOR, child_form())
    put_on_case(app, LAWYER, case)
    with app.engine.begin() as c:  # as if the guardian's record had been erased
        c.execute(update(identities).where(identities.c.case_id == case).values(guardian_name=None))
    assert _agree(app, LAWYER, "open_claim", case, {}, lambda: claims.new(app, LAWYER, case)) == {"DNH-04-child-guardian"}
    with app.engine.connect() as c:
        assert c.execute(select(claims_table.c.id)).all() == []


def test_check_and_closing_a_case_with_a_claim_open_name_the_one_rule(app):
    case = open_case(app, COORDINATOR, _adult(victim=dict(adult_form()["victim"], nationality="TH")))
    reflection.decide(app, COORDINATOR, case, "not_cooperate")
    sweep(app, SYSTEM, app.clock.now())  # withdrawn, from where a case may close
    put_on_case(app, LAWYER, case)
    cid = claims.new(app, LAWYER, case)["claim"]
    assert _agree(app, COORDINATOR, "stage_change", case, {"target": "closed"},
                  lambda: case_service.change_stage(app, COORDINATOR, case, "closed", "support plan completed")) == {
        "DNH-14-claims-unresolved"}
    [f] = dry_run(app, COORDINATOR, "stage_change", case, {"target": "closed"})
    assert f.explanation.startswith(f"{case} cannot close while its restitution claim(s) {cid} (drafting) are unresolved")
    assert _stage(app, case) == "withdrawn"
    claims.resolve(app, LAWYER, cid, "withdrawn", "the victim decided not to claim")
    assert dry_run(app, COORDINATOR, "stage_change", case, {"target": "closed"}) == []
    assert case_service.change_stage(app, COORDINATOR, case, "closed", "support plan completed")["to"] == "closed"


def test_check_refuses_a_detail_the_action_does_not_read_instead_of_crashing(app):
    case = open_case(app, COORDINATOR, _adult())
    with pytest.raises(InputProblems, match=r"^detail\.kind: schedule_appearance reads act, at, "):
        dry_run(app, PROSECUTOR, "schedule_appearance", case, {"kind": "interview"})


# --- returned home, shelter, settlement, interpreter, data sharing --------------------------------

def test_ending_shelter_because_the_victim_returned_home_needs_consent_to_return(app):
    case = open_case(app, COORDINATOR, _adult())
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent: the victim has no active consent to return"):
        support.end(app, COORDINATOR, case, "shelter", "returned_home")
    assert {s["kind"]: s["status"] for s in case_service.show(app, COORDINATOR, case)["services"]}["shelter"] == "active"
    consent.give(app, COORDINATOR, case, "return", "written", "my", explained=True)
    support.end(app, COORDINATOR, case, "shelter", "returned_home")


def test_a_shelter_starts_only_with_consent_to_stay(app):
    case = open_case(app, COORDINATOR, adult_form(services=["medical"]))
    with pytest.raises(ActionBlocked, match="no active consent to shelter_stay"):
        support.start(app, COORDINATOR, case, "shelter")
    support.start(app, COORDINATOR, case, "livelihood")  # no consent rule for other support
    consent.give(app, COORDINATOR, case, "shelter_stay", "written", "my")
    support.start(app, COORDINATOR, case, "shelter")
    kinds = {s["kind"] for s in case_service.show(app, COORDINATOR, case)["services"] if s["status"] == "active"}
    assert kinds == {"medical", "livelihood", "shelter"}


def test_a_shelter_recorded_at_intake_without_consent_goes_on_the_worklist(app):
    without = open_case(app, COORDINATOR, adult_form())
    [detail] = _items(app, without, "gate_stopped")
    assert "shelter" in detail and "DNH-13-act-consent" in detail
    form = adult_form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    assert _items(app, open_case(app, COORDINATOR, form), "gate_stopped") == []


def test_a_claim_withdrawn_under_settlement_pressure_needs_a_recorded_reason(app):
    case = open_case(app, COORDINATOR, child_form())
    put_on_case(app, LAWYER, case)  # need to know: the lawyer is on the case
    cid = claims.new(app, LAWYER, case)["claim"]
    risk.report(app, COORDINATOR, case, "settlement_pressure")
    with pytest.raises(ActionBlocked, match="DNH-12-settlement-pressure"):
        claims.resolve(app, LAWYER, cid, "withdrawn", "family wants to settle")
    r = claims.resolve(app, LAWYER, cid, "withdrawn", "the victim's own choice after advice",
                       {"DNH-12-settlement-pressure": "advised against settling; she still chose to withdraw"})
    assert r["status"] == "withdrawn"
    with app.engine.connect() as c:
        assert c.execute(select(guardrail_overrides.c.rule, guardrail_overrides.c.action)).all() == [
            ("DNH-12-settlement-pressure", "resolve_claim")]


def test_an_interpreter_on_the_blocklist_is_never_named_on_an_appearance(app):
    resources.load(app, COORDINATOR, {"resources": [
        {"id": "F1", "kind": "escort_officer", "jurisdiction": "TH", "gender": "female", "trained": True, "sites": [COURT]}]})
    case = open_case(app, COORDINATOR, adult_form())
    consent.give(app, COORDINATOR, case, "testimony", "written", "my", explained=True)
    app.settings.interpreter_blocklist = "interp-07, interp-99"
    at = app.clock.now() + timedelta(days=30)
    with pytest.raises(ActionBlocked, match="DNH-06-interpreter"):
        hearings.add(app, PROSECUTOR, "TH-SSK-2026-0141", at, at + timedelta(hours=2),
                     witnesses=[{"case": case, "interpreter": "interp-07"}])
    assert hearings.list_hearings(app, COORDINATOR) == []
    hid = hearings.add(app, PROSECUTOR, "TH-SSK-2026-0141", at, at + timedelta(hours=2),
                       witnesses=[{"case": case, "interpreter": "interp-08"}])["hearing"]
    assert [a["interpreter"] for a in hearings.show(app, COORDINATOR, hid)["appearances"]] == ["interp-08"]


def test_an_adult_victims_guardian_gets_letters_and_calendars_only_with_consent_to_share(app):
    form = adult_form(guardian={"name": "Daw Khin", "relationship": "aunt"})
    case = open_case(app, COORDINATOR, form)
    with pytest.raises(ActionBlocked, match="DNH-10-data-sharing-consent"):
        documents.generate(app, COORDINATOR, documents.Request("victim_letter", case, recipient="guardian"))
    with pytest.raises(ActionBlocked, match="DNH-10-data-sharing-consent"):
        calendar_feeds.export(app, COORDINATOR, "guardian", case_id=case)
    assert documents.register(app, COORDINATOR, case) == []
    consent.give(app, COORDINATOR, case, "data_sharing:guardian", "written", "my")
    assert documents.generate(app, COORDINATOR, documents.Request("victim_letter", case, recipient="guardian")).version == 1
    assert b"BEGIN:VCALENDAR" in calendar_feeds.export(app, COORDINATOR, "guardian", case_id=case)
    # A child's guardian acts for the child: no consent to share is asked for.
    child = open_case(app, COORDINATOR, child_form())
    assert documents.generate(app, COORDINATOR, documents.Request("victim_letter", child, recipient="guardian")).version == 1


# --- one fact, one handler ------------------------------------------------------------------------

def test_settlement_pressure_answered_in_an_assessment_is_followed_up_like_a_report(app):
    case = open_case(app, COORDINATOR, _adult())
    risk.record(app, COORDINATOR, case, {"trigger": "initial", "case": {"informal_settlement_pressure": True},
                                          "victim": {"own_words": "my uncle says to take the money", "fear_scale": 5}})
    [detail] = _items(app, case, "settlement_pressure")
    assert "pressure to settle informally reported" in detail
    risk.report(app, COORDINATOR, case, "settlement_pressure")  # the same open fact: nothing new to do
    assert len(_items(app, case, "settlement_pressure")) == 1


def test_a_requested_video_link_shows_the_condition_once_it_is_recorded(app):
    resources.load(app, COORDINATOR, {"resources": [{"id": "ID-VIDEO", "kind": "video_suite", "jurisdiction": "ID"}]})
    form = adult_form(jurisdiction="ID")
    form["victim"] = dict(form["victim"], preferred_language="id", escort_gender_preference=None)
    form["proceedings"] = [{"court": "Pengadilan Negeri Jakarta Utara", "docket": "ID-JKU-1", "prosecutor": "somchai"}]
    case = open_case(app, COORDINATOR, form)
    consent.give(app, COORDINATOR, case, "testimony", "written", "id", explained=True)
    at = app.clock.now() + timedelta(days=30)
    hearings.add(app, PROSECUTOR, "ID-JKU-1", at, at + timedelta(hours=2), witnesses=[{"case": case, "mode": "video_link"}])
    [video] = [m for m in measures.list_measures(app, COORDINATOR, case) if m["kind"] == "video_link"]
    measures.request(app, PROSECUTOR, [video["id"]])
    measures.record_condition(app, COORDINATOR, case, "traumatised_witness")
    [video] = [m for m in measures.list_measures(app, COORDINATOR, case) if m["kind"] == "video_link"]
    assert video["status"] == "requested"
    assert video["eligibility"] == "condition_met" and "applies here: traumatised witness" in video["condition"]
