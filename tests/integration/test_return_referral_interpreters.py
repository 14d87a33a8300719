"""Issue 12 (items 1-4, 7): return plans, data shares, the interpreter registry, informed consent and
the medical examination — each rule refusing on the real store (SQLite and PostgreSQL), each
refusal leaving nothing written, each compliant action going through."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import COORDINATOR, PROSECUTOR, adult_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.errors import ActionBlocked, Forbidden, InputProblems, NotFound
from witness.services import appointments, claims, consent, hearings, interpreters, referrals, resources, returns, risk
from witness.services.intake import open_case
from witness.store.interpreter_tables import interpreter_assignments
from witness.store.referral_tables import data_shares
from witness.store.return_tables import information_sheets, return_plans
from witness.store.risk_tables import guardrail_overrides
from witness.store.tables import appointments as appointments_table, consents, worklist

LAWYER = Actor("hana", Role.legal_aid)
INTERP_07 = Actor("interp-07", Role.interpreter)
INTERP_08 = Actor("interp-08", Role.interpreter)
COURT = "Samut Sakhon Provincial Court"


def _case(app, **victim) -> str:
    """A Myanmar man in Thailand (foreign), sheltered with his written consent."""
    form = adult_form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    form["victim"] = dict(form["victim"], **victim)
    return open_case(app, COORDINATOR, form)


def _plan(app, **over) -> dict:
    return {"destination": "MM", "travel_on": (app.clock.now() + timedelta(days=10)).date().isoformat(),
            "helpline": "+66 2 000 0000", "receiving_contact": "Embassy of Myanmar", **over}


def _count(app, table, **where) -> int:
    with app.engine.connect() as c:
        q = select(func.count()).select_from(table)
        for k, v in where.items():
            q = q.where(table.c[k] == v)
        return c.execute(q).scalar()


def _items(app, case: str, kind: str) -> list[str]:
    with app.engine.connect() as c:
        return list(c.execute(select(worklist.c.detail).where(worklist.c.case_id == case, worklist.c.kind == kind))
                    .scalars())


# --- 4. informed consent --------------------------------------------------------------------------

def test_consent_to_testify_without_the_information_sheet_explained_is_refused_and_not_recorded(app):
    case = _case(app)
    with pytest.raises(ActionBlocked, match="DNH-31-informed-consent: no record that the information sheet on "
                                            "testimony was explained"):
        consent.give(app, COORDINATOR, case, "testimony", "written", "my")
    assert _count(app, consents, case_id=case, scope="testimony") == 0
    consent.explain(app, COORDINATOR, case, "testimony", "my", explained_at=app.clock.now() - timedelta(days=1))
    consent.give(app, COORDINATOR, case, "testimony", "written", "my")
    assert _count(app, consents, case_id=case, scope="testimony") == 1


@pytest.mark.parametrize("scope", ["name_disclosure", "medical_exam", "return"])
def test_every_informed_scope_needs_the_sheet_and_explained_now_records_it(app, scope):
    case = _case(app)
    with pytest.raises(ActionBlocked, match="DNH-31-informed-consent"):
        consent.give(app, COORDINATOR, case, scope, "written", "my")
    consent.give(app, COORDINATOR, case, scope, "written", "my", explained=True)
    with app.engine.connect() as c:
        assert c.execute(select(information_sheets.c.scope, information_sheets.c.language)
                         .where(information_sheets.c.case_id == case)).all() == [(scope, "my")]


def test_an_interview_or_a_channel_needs_no_information_sheet(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "interview", "oral", "my")
    consent.give(app, COORDINATOR, case, "notification:sms", "written", "my")
    assert _count(app, information_sheets, case_id=case) == 0


def test_silence_is_never_recorded_as_consent(app):
    case = _case(app)
    with pytest.raises(InputProblems) as exc:
        consent.give(app, COORDINATOR, case, "medical_exam", "silence", "my", explained=True)
    assert [p for p, _ in exc.value.problems] == ["method"]
    assert "silence is never consent" in str(exc.value)
    assert _count(app, consents, case_id=case, scope="medical_exam") == 0
    assert _count(app, information_sheets, case_id=case) == 0


def test_an_explanation_cannot_be_dated_in_the_future(app):
    case = _case(app)
    with pytest.raises(InputProblems, match="explained_at"):
        consent.explain(app, COORDINATOR, case, "return", "my", explained_at=app.clock.now() + timedelta(hours=1))


# --- 1. return ---------------------------------------------------------------------------------

def test_a_return_needs_written_consent_and_nothing_is_planned_without_it(app):
    case = _case(app)
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent: the victim has no active consent to return"):
        returns.plan(app, COORDINATOR, case, _plan(app))
    consent.give(app, COORDINATOR, case, "return", "oral", "my", explained=True)
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent: the victim's consent to return is recorded as oral"):
        returns.plan(app, COORDINATOR, case, _plan(app))
    assert _count(app, return_plans, case_id=case) == 0
    consent.withdraw(app, COORDINATOR, case, "return")
    consent.give(app, COORDINATOR, case, "return", "written", "my", explained=True)
    made = returns.plan(app, COORDINATOR, case, _plan(app, restitution_contact="via the embassy, +95 1 000"))
    [saved] = returns.plans(app, COORDINATOR, case)
    assert (saved["plan"], saved["destination"], saved["status"]) == (made["plan"], "MM", "planned")
    assert saved["restitution_contact"] == "via the embassy, +95 1 000"
    with app.engine.connect() as c:  # free text is encrypted at rest, under the victim's own data key
        stored = c.execute(select(return_plans.c.restitution_contact)).scalar()
    assert "+95 1 000" not in stored and stored.startswith(f"dk={case}:")


def test_no_data_goes_to_the_country_of_origin_without_written_permission(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "return", "written", "my", explained=True)
    consent.give(app, COORDINATOR, case, "data_sharing:mm-police", "oral", "my")
    with pytest.raises(ActionBlocked, match="DNH-32-data-to-origin: mm-police is in the victim's country of origin"):
        returns.plan(app, COORDINATOR, case, _plan(app, data_to_origin="mm-police"))
    consent.withdraw(app, COORDINATOR, case, "data_sharing:mm-police")
    consent.give(app, COORDINATOR, case, "data_sharing:mm-police", "written", "my")
    assert returns.plan(app, COORDINATOR, case, _plan(app, data_to_origin="mm-police"))["destination"] == "MM"


def test_a_stay_tied_to_testimony_is_refused_whatever_the_consents(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "return", "written", "my", explained=True)
    with pytest.raises(ActionBlocked, match="DNH-33-residence-not-testimony"):
        returns.plan(app, COORDINATOR, case, _plan(app, stay_tied_to_testimony=True),
                     {"DNH-33-residence-not-testimony": "police insisted"})
    assert _count(app, return_plans, case_id=case) == 0


def test_a_pending_claim_is_shown_before_a_return_and_overriding_it_is_recorded(app):
    case = _case(app)
    put_on_case(app, LAWYER, case)
    claims.new(app, LAWYER, case)
    consent.give(app, COORDINATOR, case, "return", "written", "my", explained=True)
    # Without a way for the lawyer to reach him after return, the plan is incomplete.
    with pytest.raises(InputProblems, match="restitution_contact: the victim has a restitution claim pending"):
        returns.plan(app, COORDINATOR, case, _plan(app))
    plan = _plan(app, restitution_contact="brother's phone in Mawlamyine, +95 9 000")
    with pytest.raises(ActionBlocked, match="DNH-11-foreign-stay"):
        returns.plan(app, COORDINATOR, case, plan)
    made = returns.plan(app, COORDINATOR, case, plan, {"DNH-11-foreign-stay": "told he may stay; he chose to go, "
                                                                              "the lawyer files from abroad"})
    assert made["findings"][0].startswith("[warn] DNH-11-foreign-stay")
    with app.engine.connect() as c:
        assert c.execute(select(guardrail_overrides.c.rule, guardrail_overrides.c.action)).all() == [
            ("DNH-11-foreign-stay", "plan_return")]


def test_a_note_that_he_may_stay_until_the_claim_is_resolved_silences_the_warning(app):
    case = _case(app)
    put_on_case(app, LAWYER, case)
    claims.new(app, LAWYER, case)
    risk.report(app, COORDINATOR, case, "stay_until_resolved")
    consent.give(app, COORDINATOR, case, "return", "written", "my", explained=True)
    made = returns.plan(app, COORDINATOR, case, _plan(app, restitution_contact="+95 9 000"))
    assert made["findings"] == []


def test_a_return_plan_with_bad_input_names_the_field_and_writes_nothing(app):
    case = _case(app)
    with pytest.raises(InputProblems) as exc:
        returns.plan(app, COORDINATOR, case, _plan(app, destination="Myanmar", data_to_origin="MM Police"))
    assert sorted(p for p, _ in exc.value.problems) == ["data_to_origin", "destination"]
    assert _count(app, return_plans) == 0


def test_only_the_cases_coordinator_plans_a_return(app):
    case = _case(app)
    with pytest.raises(Forbidden):
        returns.plan(app, PROSECUTOR, case, _plan(app))
    with pytest.raises(Forbidden):
        returns.plan(app, Actor("dewi", Role.coordinator), case, _plan(app))


# --- 2. referral and data sharing --------------------------------------------------------------

def _share(**over) -> dict:
    return {"recipient": "ngo.shelter-north", "recipient_kind": "ngo", "fields": ["pseudonym", "needs"],
            "purpose": "continued shelter and counselling", **over}


def test_a_share_without_data_sharing_consent_is_refused_and_not_recorded(app):
    case = _case(app)
    with pytest.raises(ActionBlocked, match="DNH-10-data-sharing-consent: the victim has not consented to share "
                                            "their data with ngo.shelter-north"):
        referrals.share(app, COORDINATOR, case, _share())
    assert _count(app, data_shares) == 0


def test_every_share_is_recorded_with_who_what_why_and_the_consent(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "data_sharing:ngo.shelter-north", "written", "my")
    referrals.share(app, COORDINATOR, case, _share())
    [s] = referrals.shares(app, COORDINATOR, case)
    with app.engine.connect() as c:
        assert c.execute(select(data_shares.c.purpose)).scalar().startswith(f"dk={case}:")  # erasure shreds it
    assert (s["recipient"], s["fields"], s["purpose"], s["consent"], s["revoked_at"]) == (
        "ngo.shelter-north", ["needs", "pseudonym"], "continued shelter and counselling",
        "data_sharing:ngo.shelter-north (written)", None)


def test_identity_fields_need_need_to_know_and_name_disclosure(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "data_sharing:ngo.shelter-north", "written", "my")
    with pytest.raises(ActionBlocked, match="DNH-03-real-name"):
        referrals.share(app, COORDINATOR, case, _share(fields=["legal_name", "needs"]))
    assert _count(app, data_shares) == 0


def test_data_to_an_authority_of_the_country_of_origin_needs_written_permission(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "data_sharing:mm-dsw", "oral", "my")
    share = _share(recipient="mm-dsw", recipient_kind="authority", recipient_country="MM")
    with pytest.raises(ActionBlocked, match="DNH-32-data-to-origin"):
        referrals.share(app, COORDINATOR, case, share)
    # The same oral consent is enough for an agency in Thailand.
    consent.give(app, COORDINATOR, case, "data_sharing:th-dsw", "oral", "my")
    referrals.share(app, COORDINATOR, case, _share(recipient="th-dsw", recipient_kind="authority", recipient_country="TH"))
    assert [s["recipient"] for s in referrals.shares(app, COORDINATOR, case)] == ["th-dsw"]


def test_withdrawing_consent_revokes_that_recipients_shares_only(app):
    case = _case(app)
    for r in ("ngo.shelter-north", "clinic-7"):
        consent.give(app, COORDINATOR, case, f"data_sharing:{r}", "written", "my")
    referrals.share(app, COORDINATOR, case, _share())
    referrals.share(app, COORDINATOR, case, _share())
    referrals.share(app, COORDINATOR, case, _share(recipient="clinic-7", recipient_kind="clinic"))
    result = consent.withdraw(app, COORDINATOR, case, "data_sharing:ngo.shelter-north")
    assert result["cancelled"] == 2
    state = {(s["recipient"], s["revoked_at"] is None) for s in referrals.shares(app, COORDINATOR, case)}
    assert state == {("ngo.shelter-north", False), ("clinic-7", True)}
    [detail] = _items(app, case, "share_revoked")
    assert "ngo.shelter-north" in detail and "2 share(s) revoked" in detail
    with pytest.raises(ActionBlocked, match="DNH-10"):
        referrals.share(app, COORDINATOR, case, _share())


def test_a_share_with_an_unknown_field_names_it(app):
    case = _case(app)
    with pytest.raises(InputProblems, match="fields: unknown field"):
        referrals.share(app, COORDINATOR, case, _share(fields=["pseudonym", "hiv_status"]))


# --- 3. interpreters ------------------------------------------------------------------------------

def _registry(app):
    interpreters.add(app, COORDINATOR, "interp-07", "my,th")
    interpreters.vet(app, COORDINATOR, "interp-07")
    interpreters.add(app, COORDINATOR, "interp-08", ["my"])
    interpreters.vet(app, COORDINATOR, "interp-08")


def _hearing(app, case, interpreter):
    at = app.clock.now() + timedelta(days=30)
    return hearings.add(app, PROSECUTOR, "TH-SSK-2026-0141", at, at + timedelta(hours=2),
                        witnesses=[{"case": case, "interpreter": interpreter}])


def test_an_interpreter_blocked_in_the_registry_is_never_named_on_an_appearance(app):
    resources.load(app, COORDINATOR, {"resources": [
        {"id": "F1", "kind": "escort_officer", "jurisdiction": "TH", "gender": "female", "trained": True, "sites": [COURT]}]})
    _registry(app)
    case = _case(app)
    consent.give(app, COORDINATOR, case, "testimony", "written", "my", explained=True)
    interpreters.block(app, COORDINATOR, "interp-07", "persuasive translation reported by the prosecutor")
    with pytest.raises(ActionBlocked, match="DNH-06-interpreter: the interpreter is on the blocklist"):
        _hearing(app, case, "interp-07")
    assert hearings.list_hearings(app, COORDINATOR) == []
    assert _hearing(app, case, "interp-08")["hearing"]
    # The hearing is on interp-08's own list, and on no one else's.
    put_on_case(app, INTERP_08)
    put_on_case(app, INTERP_07)
    assert [(a["case"], a["what"]) for a in interpreters.assignments(app, INTERP_08)] == [(case, "hearing")]
    assert interpreters.assignments(app, INTERP_07) == []


def test_the_deployments_blocklist_setting_still_stops_an_interpreter_nobody_registered(app):
    case = _case(app)
    consent.give(app, COORDINATOR, case, "interview", "oral", "my")
    app.settings.interpreter_blocklist = "interp-05"
    app.clock.advance(days=20)
    with pytest.raises(ActionBlocked, match="DNH-06-interpreter: the interpreter is on the blocklist"):
        appointments.schedule(app, PROSECUTOR, case, "interview", app.clock.now() + timedelta(days=1),
                              interpreter="interp-05")
    assert _count(app, appointments_table, case_id=case) == 0


def test_an_interpreter_tied_to_the_accused_is_refused_for_an_interview(app):
    _registry(app)
    case = _case(app)
    consent.give(app, COORDINATOR, case, "interview", "oral", "my")
    interpreters.tie(app, COORDINATOR, "interp-07", "accused", "accused a")  # labels compare case-blind
    app.clock.advance(days=20)  # after the reflection period
    at = app.clock.now() + timedelta(days=2)
    with pytest.raises(ActionBlocked, match="DNH-06-interpreter: the interpreter is linked to the victim's community "
                                            "or to the accused"):
        appointments.schedule(app, PROSECUTOR, case, "interview", at, interpreter="interp-07")
    assert _count(app, appointments_table, case_id=case) == 0
    appointments.schedule(app, PROSECUTOR, case, "interview", at, interpreter="interp-08")


def test_a_declared_conflict_or_community_tie_stops_a_consent_recorded_through_that_interpreter(app):
    _registry(app)
    case, other = _case(app), _case(app, legal_name="Zaw Lin Htet")
    interpreters.tie(app, COORDINATOR, "interp-07", "community", case)
    interpreters.tie(app, COORDINATOR, "interp-08", "conflict", case)
    with pytest.raises(ActionBlocked, match="DNH-06-interpreter: the interpreter is linked to the victim's community"):
        consent.give(app, COORDINATOR, case, "interview", "oral", "my", interpreter="interp-07")
    with pytest.raises(ActionBlocked, match="DNH-06-interpreter: the interpreter declared a conflict of interest"):
        consent.explain(app, COORDINATOR, case, "testimony", "my", interpreter="interp-08")
    assert _count(app, consents, case_id=case, scope="interview") == 0
    assert _count(app, information_sheets, case_id=case) == 0
    # The ties are to that case only.
    consent.give(app, COORDINATOR, other, "interview", "oral", "my", interpreter="interp-07")


def test_an_unvetted_interpreter_needs_a_recorded_reason(app):
    case = _case(app)
    interpreters.add(app, COORDINATOR, "interp-09", "my")
    with pytest.raises(ActionBlocked, match="DNH-30-interpreter-vetting"):
        consent.give(app, COORDINATOR, case, "interview", "oral", "my", interpreter="interp-09")
    app.clock.advance(days=20)
    consent.give(app, COORDINATOR, case, "interview", "oral", "my")
    appointments.schedule(app, PROSECUTOR, case, "interview", app.clock.now() + timedelta(days=1),
                          {"DNH-30-interpreter-vetting": "the only Karen interpreter this week; vetting booked"},
                          interpreter="interp-09")
    interpreters.vet(app, COORDINATOR, "interp-09")
    appointments.schedule(app, PROSECUTOR, case, "interview", app.clock.now() + timedelta(days=2), interpreter="interp-09")


def test_an_interpreter_not_registered_for_the_victims_language_needs_a_recorded_reason(app):
    case = _case(app)
    interpreters.add(app, COORDINATOR, "interp-th", "th")
    interpreters.vet(app, COORDINATOR, "interp-th")
    with pytest.raises(ActionBlocked, match="DNH-30-interpreter-vetting: the interpreter is not registered for the "
                                            "language of this act"):
        consent.give(app, COORDINATOR, case, "interview", "oral", "my", interpreter="interp-th")
    consent.give(app, COORDINATOR, case, "interview", "oral", "th", interpreter="interp-th")  # informed in Thai


def _booked(app):
    """interp-07 booked for two interviews (in 1 and 3 days) and a hearing (in 30 days)."""
    resources.load(app, COORDINATOR, {"resources": [
        {"id": "F1", "kind": "escort_officer", "jurisdiction": "TH", "gender": "female", "trained": True, "sites": [COURT]}]})
    _registry(app)
    case = _case(app)
    consent.give(app, COORDINATOR, case, "testimony", "written", "my", explained=True)
    consent.give(app, COORDINATOR, case, "interview", "oral", "my")
    app.clock.advance(days=20)
    now = app.clock.now()
    for days in (1, 3):
        appointments.schedule(app, PROSECUTOR, case, "interview", now + timedelta(days=days), interpreter="interp-07")
    _hearing(app, case, "interp-07")
    put_on_case(app, INTERP_07)
    return case, now


def test_an_interpreter_sees_only_what_is_still_scheduled_not_past_or_cancelled_acts(app):
    case, now = _booked(app)
    app.clock.advance(days=2)  # the first interview is over
    assert [(a["what"], a["at"]) for a in interpreters.assignments(app, INTERP_07)] == [
        ("interview", now + timedelta(days=3)), ("hearing", now + timedelta(days=30))]
    consent.withdraw(app, COORDINATOR, case, "interview")  # cancels the interview still to come
    assert [a["what"] for a in interpreters.assignments(app, INTERP_07)] == ["hearing"]


def test_a_blocked_interpreter_sees_nothing_and_each_upcoming_act_goes_to_the_coordinator_to_reassign(app):
    case, now = _booked(app)
    app.clock.advance(days=2)
    assert interpreters.block(app, COORDINATOR, "interp-07", "breach of confidence")["to_reassign"] == 2
    assert interpreters.assignments(app, INTERP_07) == []
    with app.engine.connect() as c:
        items = c.execute(select(worklist.c.assignee, worklist.c.detail).where(
            worklist.c.case_id == case, worklist.c.kind == "interpreter_replace").order_by(worklist.c.detail)).all()
    assert [i.assignee for i in items] == ["amara", "amara"]
    assert [i.detail.split(" on ")[0] for i in items] == [f"{case}: the interpreter for the hearing",
                                                          f"{case}: the interpreter for the interview"]
    assert all("was blocked; assign another vetted interpreter" in i.detail for i in items)
    assert "breach" not in " ".join(i.detail for i in items)  # the reason stays encrypted


def test_a_blocked_interpreters_calendar_feed_empties(app):
    from icalendar import Calendar

    from witness.services import calendar_feeds

    _booked(app)
    events = lambda: [c for c in Calendar.from_ical(calendar_feeds.export(app, INTERP_07, "interpreter")).walk()  # noqa: E731
                      if c.name == "VEVENT"]
    assert len(events()) == 1  # the hearing
    interpreters.block(app, COORDINATOR, "interp-07", "breach of confidence")
    assert events() == []


def test_an_interpreter_sees_only_their_own_assignments(app):
    _registry(app)
    case = _case(app)
    consent.give(app, COORDINATOR, case, "interview", "oral", "my", interpreter="interp-07")
    app.clock.advance(days=20)
    at = app.clock.now() + timedelta(days=2)
    appointments.schedule(app, PROSECUTOR, case, "interview", at, interpreter="interp-07")
    put_on_case(app, INTERP_07)
    put_on_case(app, INTERP_08)
    mine = interpreters.assignments(app, INTERP_07)
    assert [(a["case"], a["what"]) for a in mine] == [(case, "interview")]  # the consent is past: not listed
    assert interpreters.assignments(app, INTERP_08) == []
    with pytest.raises(Forbidden):
        interpreters.assignments(app, COORDINATOR)
    with pytest.raises(Forbidden):
        interpreters.add(app, INTERP_07, "interp-99", "my")


def test_the_registry_refuses_unknown_interpreters_and_bad_input_by_name(app):
    with pytest.raises(NotFound, match="interpreter: no interpreter 'interp-77'"):
        interpreters.vet(app, COORDINATOR, "interp-77")
    with pytest.raises(InputProblems, match="languages.0"):
        interpreters.add(app, COORDINATOR, "interp-77", "Burmese")
    interpreters.add(app, COORDINATOR, "interp-77", "my")
    with pytest.raises(InputProblems, match="kind: use one of"):
        interpreters.tie(app, COORDINATOR, "interp-77", "cousin", "x")
    assert [r["interpreter"] for r in interpreters.registry(app, COORDINATOR)] == ["interp-77"]


# --- 7. medical examination ---------------------------------------------------------------------

def test_a_medical_exam_needs_consent_and_an_examiner_of_the_gender_the_victim_asked_for(app):
    case = _case(app, escort_gender_preference="male")
    at = app.clock.now() + timedelta(days=1)
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent: the victim has no active consent to medical_exam"):
        appointments.schedule(app, COORDINATOR, case, "medical_exam", at, examiner_gender="male")
    consent.give(app, COORDINATOR, case, "medical_exam", "written", "my", explained=True)
    with pytest.raises(ActionBlocked, match="DNH-34-examiner-gender: the victim asked for a male examiner; say who"):
        appointments.schedule(app, COORDINATOR, case, "medical_exam", at)
    with pytest.raises(ActionBlocked, match="DNH-34-examiner-gender: the victim asked for a male examiner, and this "
                                            "examiner is female"):
        appointments.schedule(app, COORDINATOR, case, "medical_exam", at, examiner_gender="female")
    assert _count(app, appointments_table, case_id=case) == 0
    appointments.schedule(app, COORDINATOR, case, "medical_exam", at, examiner_gender="male")
    appointments.schedule(app, COORDINATOR, case, "medical_exam", at + timedelta(days=1),
                          {"DNH-34-examiner-gender": "urgent injury; the only doctor on duty; he agreed"},
                          examiner_gender="female")
    assert _count(app, appointments_table, case_id=case) == 2


def test_a_medical_exam_without_a_stated_preference_needs_no_examiner_gender(app):
    case = _case(app, escort_gender_preference=None)
    consent.give(app, COORDINATOR, case, "medical_exam", "written", "my", explained=True)
    appointments.schedule(app, COORDINATOR, case, "medical_exam", app.clock.now() + timedelta(days=1))
    assert _count(app, appointments_table, case_id=case, kind="medical_exam") == 1
