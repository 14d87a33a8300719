"""Issue 12, items 5, 6, 8, 9 (helper GB): shelter consent and stay checks, accommodation providers,
detention, a child with a guardian pending, guardian complicity, stalled child proceedings, the
reflection cap that is practice, and the intake facts the Guide needs. SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from tests.conftest import COORDINATOR, OTHER_COORDINATOR, T0, adult_form, child_form
from witness.errors import ActionBlocked, Forbidden, InputProblems, NotFound
from witness.services import accommodation, consent, detention, guardians, media, reflection, support
from witness.services.guardrails import dry_run
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run
from witness.store.care_tables import circumstances, guardian_records, placements
from witness.store.risk_tables import case_flags, guardrail_overrides, risk_reviews_due
from witness.store.tables import audit_log, cases, stage_history, worklist


def _items(app, case_id, kind):
    with app.engine.connect() as c:
        return c.execute(select(worklist.c.key, worklist.c.due_at, worklist.c.detail, worklist.c.done_at)
                         .where(worklist.c.case_id == case_id, worklist.c.kind == kind).order_by(worklist.c.due_at)).all()


def _open(items):
    return [i for i in items if i.done_at is None]


# --- item 5: shelter consent, stay checks, providers, detention -------------------------------

def test_a_shelter_needs_written_shelter_stay_consent_oral_is_refused(app):
    case = open_case(app, COORDINATOR, adult_form(services=["medical"]))
    consent.give(app, COORDINATOR, case, "shelter_stay", "oral", "my")
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent: the victim's consent to shelter_stay is recorded as oral"):
        support.start(app, COORDINATOR, case, "shelter")
    consent.withdraw(app, COORDINATOR, case, "shelter_stay")
    consent.give(app, COORDINATOR, case, "shelter_stay", "written", "my")
    support.start(app, COORDINATOR, case, "shelter")


def test_every_accommodation_kind_needs_the_shelter_stay_consent_and_other_services_do_not(app):
    case = open_case(app, COORDINATOR, adult_form(services=[]))
    with pytest.raises(ActionBlocked, match="no active consent to shelter_stay"):
        support.start(app, COORDINATOR, case, "community_housing")
    support.start(app, COORDINATOR, case, "livelihood")  # not accommodation: no consent asked


def _sheltered(app):
    form = adult_form(services=["shelter"], consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    return open_case(app, COORDINATOR, form)


def test_the_sweep_asks_every_14_days_whether_the_victim_still_wishes_to_stay(app):
    case = _sheltered(app)
    run(app, SYSTEM, T0 + timedelta(days=13, hours=23))
    assert _items(app, case, "shelter_stay_check") == []  # silent before the first period
    report = run(app, SYSTEM, T0 + timedelta(days=14))
    assert report.changed["shelter_stay_check"] == 1
    [first] = _items(app, case, "shelter_stay_check")
    assert first.due_at == T0 + timedelta(days=14) and "still wish to stay" in first.detail
    again = run(app, SYSTEM, T0 + timedelta(days=20))
    assert again.selected["shelter_stay_check"] == 0  # asked in this period already
    run(app, SYSTEM, T0 + timedelta(days=29))
    assert [i.due_at for i in _items(app, case, "shelter_stay_check")] == [T0 + timedelta(days=14), T0 + timedelta(days=28)]


def test_no_stay_check_once_the_stay_has_ended(app):
    case = _sheltered(app)
    support.end(app, COORDINATOR, case, "shelter", "victim_request")
    run(app, SYSTEM, T0 + timedelta(days=15))
    assert _items(app, case, "shelter_stay_check") == []


def test_providers_that_fit_the_victim_come_first_and_the_others_say_why(app):
    case = open_case(app, COORDINATOR, adult_form(services=[]))  # an adult man from MM in TH
    rows = accommodation.providers(app, COORDINATOR, case)
    assert [(r["id"], r["unsuitable"]) for r in rows] == [
        ("th-open-shelter-men", []), ("th-state-shelter-1", ["does not take male residents"])]


def test_a_placement_with_a_provider_that_does_not_fit_is_refused_with_why_and_nothing_is_written(app):
    case = open_case(app, COORDINATOR, adult_form(services=[], consents=[
        {"scope": "shelter_stay", "method": "written", "language": "my"}]))
    with pytest.raises(InputProblems) as err:
        accommodation.place(app, COORDINATOR, case, "shelter", "th-state-shelter-1")
    assert str(err.value) == "provider: th-state-shelter-1 does not fit this victim: does not take male residents"
    with pytest.raises(InputProblems, match="^provider: not in the accommodation directory"):
        accommodation.place(app, COORDINATOR, case, "open_shelter", "nowhere")
    with pytest.raises(InputProblems, match="^kind: use one of community_housing, community_shelter"):
        accommodation.place(app, COORDINATOR, case, "medical", "th-open-shelter-men")
    sid = accommodation.place(app, COORDINATOR, case, "open_shelter", "th-open-shelter-men")
    with app.engine.connect() as c:
        assert c.execute(select(placements.c.service_id, placements.c.provider)).all() == [(sid, "th-open-shelter-men")]


def test_a_placement_needs_written_consent_too(app):
    case = open_case(app, COORDINATOR, adult_form(services=[]))
    with pytest.raises(ActionBlocked, match="DNH-13-act-consent"):
        accommodation.place(app, COORDINATOR, case, "open_shelter", "th-open-shelter-men")
    with app.engine.connect() as c:
        assert c.execute(select(placements)).all() == []


def test_a_pregnant_victim_is_not_placed_where_there_are_no_separate_facilities(app):
    form = child_form(circumstances={"pregnancy": "pregnant", "exploitation": ["forced_marriage"]})
    case = open_case(app, COORDINATOR, form)
    [row] = accommodation.providers(app, COORDINATOR, case)
    assert row["id"] == "id-community-shelter-1"
    assert row["unsuitable"] == ["no separate facilities for a pregnant or nursing woman"]


def test_an_adult_held_in_detention_is_escalated_past_the_limit_every_day_until_it_ends(app):
    case = open_case(app, COORDINATOR, adult_form())
    detention.record(app, COORDINATOR, case, "immigration_detention", place="Suan Phlu IDC")
    [noted] = _items(app, case, "detention")
    assert "URGENT" not in noted.detail and "alternative accommodation" in noted.detail
    run(app, SYSTEM, T0 + timedelta(hours=47))
    assert _items(app, case, "detention_limit") == []  # within TH's 48 hours
    run(app, SYSTEM, T0 + timedelta(hours=48))
    [first] = _items(app, case, "detention_limit")
    assert first.detail.startswith(f"URGENT {case}: held in immigration detention for 48 h, past the 48 h limit")
    assert run(app, SYSTEM, T0 + timedelta(hours=60)).selected["detention_limit"] == 0
    run(app, SYSTEM, T0 + timedelta(hours=72))
    assert len(_items(app, case, "detention_limit")) == 2
    app.clock.advance(hours=73)
    detention.end(app, COORDINATOR, case)
    assert _open(_items(app, case, "detention_limit")) == [] and _open(_items(app, case, "detention")) == []
    run(app, SYSTEM, T0 + timedelta(hours=100))
    assert len(_items(app, case, "detention_limit")) == 2


def test_a_child_in_detention_is_urgent_at_once_and_escalated_sooner(app):
    case = open_case(app, COORDINATOR, child_form())
    detention.record(app, COORDINATOR, case, "police_cell")
    [noted] = _items(app, case, "child_detention")
    assert noted.detail.startswith(f"URGENT {case}: a (presumed) child is held in police cell")
    run(app, SYSTEM, T0 + timedelta(hours=24))
    [escalated] = _items(app, case, "detention_limit")
    assert "past the 24 h limit" in escalated.detail


def test_the_escalations_are_urgent_kinds_on_the_worklist():
    from witness.domain.worklist import is_urgent

    for kind in ("child_detention", "detention_limit", "media_breach", "guardian_complicity"):
        assert is_urgent(kind), kind
    assert not is_urgent("detention") and not is_urgent("guardian_pending") and not is_urgent("shelter_stay_check")


def test_detention_refusals_name_the_field(app):
    case = open_case(app, COORDINATOR, adult_form())
    with pytest.raises(InputProblems, match="^kind: use one of immigration_detention, protective_custody"):
        detention.record(app, COORDINATOR, case, "jail")
    with pytest.raises(NotFound, match=f"^case: {case} is not recorded as detained"):
        detention.end(app, COORDINATOR, case)
    detention.record(app, COORDINATOR, case, "protective_custody")
    with pytest.raises(InputProblems, match="already recorded as detained"):
        detention.record(app, COORDINATOR, case, "protective_custody")
    with pytest.raises(Forbidden):
        detention.record(app, OTHER_COORDINATOR, case, "police_cell")


def test_the_place_of_detention_is_stored_encrypted(app):
    from witness.store.care_tables import detentions

    case = open_case(app, COORDINATOR, adult_form())
    detention.record(app, COORDINATOR, case, "immigration_detention", place="Suan Phlu IDC")
    with app.engine.connect() as c:
        [stored] = c.execute(select(detentions.c.place)).scalars().all()
    assert "Suan Phlu" not in stored


# --- item 6: a child with a guardian pending ----------------------------------------------------

def test_a_child_found_without_a_guardian_gets_a_case_at_once_guardian_pending(app):
    case = open_case(app, COORDINATOR, child_form(guardian=None))
    [pending] = _items(app, case, "guardian_pending")
    assert pending.due_at == T0 and "only safety measures and escorts" in pending.detail
    # The shelter is recorded (the child is there) and its missing consent goes on the worklist.
    assert _items(app, case, "gate_stopped")


def test_with_the_guardian_pending_only_safety_measures_go_ahead(app):
    case = open_case(app, COORDINATOR, child_form(guardian=None))
    rules = lambda kind, **d: {f.rule for f in dry_run(app, COORDINATOR, kind, case, d)}  # noqa: E731
    assert "DNH-04-child-guardian" in rules("request_measure", measure="video_link")
    assert "DNH-04-child-guardian" in rules("schedule_appearance", act="interview")
    assert "DNH-04-child-guardian" not in rules("request_measure", measure="escort")
    assert "DNH-04-child-guardian" not in rules("assign_escort", genders=["female"])
    guardians.record(app, COORDINATOR, case, {"name": "Dinas Sosial appointee", "relationship": "court-appointed guardian"})
    assert "DNH-04-child-guardian" not in rules("request_measure", measure="video_link")


def test_the_sweep_follows_up_daily_until_a_guardian_is_recorded(app):
    case = open_case(app, COORDINATOR, child_form(guardian=None))
    assert run(app, SYSTEM, T0 + timedelta(hours=23)).selected["guardian_pending"] == 0  # today's is on the list
    run(app, SYSTEM, T0 + timedelta(days=1))
    run(app, SYSTEM, T0 + timedelta(days=2, hours=3))
    assert [i.due_at for i in _items(app, case, "guardian_pending")] == [T0 + timedelta(days=d) for d in (0, 1, 2)]
    app.clock.advance(days=2, hours=4)
    link = guardians.record(app, COORDINATOR, case, {"name": "Ibu Sari", "relationship": "court-appointed guardian",
                                                     "language": "id"})
    assert link is None
    assert _open(_items(app, case, "guardian_pending")) == []
    run(app, SYSTEM, T0 + timedelta(days=5))
    assert len(_items(app, case, "guardian_pending")) == 3


def test_an_adult_needs_no_guardian_follow_up_and_refuses_a_guardian(app):
    case = open_case(app, COORDINATOR, adult_form())
    run(app, SYSTEM, T0 + timedelta(days=1))
    assert _items(app, case, "guardian_pending") == []
    with pytest.raises(ActionBlocked, match=f"^case: {case} is an adult's"):
        guardians.record(app, COORDINATOR, case, {"name": "Someone", "relationship": "mother"})


def _family_accused(form):
    form["proceedings"] = [{"court": "PN Jakarta Utara", "docket": "ID-JKU-2026-77",
                            "accused": [{"label": "Accused F", "custody": "detained", "relationship": "family"}]}]
    return form


def test_a_parent_as_guardian_while_a_family_member_is_accused_escalates_at_once(app):
    case = open_case(app, COORDINATOR, _family_accused(child_form()))  # guardian: mother
    [urgent] = _items(app, case, "guardian_complicity")
    assert urgent.detail.startswith(f"URGENT {case}: the child's guardian is linked to an accused "
                                    "(the guardian is family and Accused F is family too)")
    assert "Nur Hasanah" not in urgent.detail  # never the guardian's name
    findings = dry_run(app, COORDINATOR, "give_consent", case, {"scope": "testimony"})
    assert [(f.rule, f.severity.value) for f in findings if f.rule.startswith("DNH-21")] == [
        ("DNH-21-guardian-complicity", "escalate")]


def test_an_independent_guardian_ends_the_complicity_escalation(app):
    case = open_case(app, COORDINATOR, _family_accused(child_form()))
    guardians.record(app, COORDINATOR, case, {"name": "Pak Budi", "relationship": "court-appointed guardian"})
    findings = dry_run(app, COORDINATOR, "give_consent", case, {"scope": "testimony"})
    assert "DNH-21-guardian-complicity" not in {f.rule for f in findings}
    with app.engine.connect() as c:
        assert [r.accused_link for r in c.execute(select(guardian_records).order_by(guardian_records.c.id))] == [
            "the guardian is family and Accused F is family too", None]


def test_a_guardian_named_as_linked_to_an_accused_escalates_and_an_unknown_label_is_refused(app):
    case = open_case(app, COORDINATOR, child_form(guardian=None, proceedings=[
        {"court": "PN Medan", "docket": "ID-MDN-1", "accused": [{"label": "Accused R", "custody": "at_large",
                                                                 "relationship": "recruiter_agent"}]}]))
    with pytest.raises(InputProblems, match="^accused_link: not an accused in this victim's proceedings"):
        guardians.record(app, COORDINATOR, case, {"name": "X", "relationship": "aunt", "accused_link": "Accused Z"})
    link = guardians.record(app, COORDINATOR, case, {"name": "X", "relationship": "aunt", "accused_link": "Accused R"})
    assert link == "recorded as linked to Accused R"
    assert len(_items(app, case, "guardian_complicity")) == 1


def test_a_guardian_unrelated_to_the_accused_is_not_escalated(app):
    case = open_case(app, COORDINATOR, child_form(proceedings=[
        {"court": "PN Medan", "docket": "ID-MDN-2", "accused": [{"label": "Accused E", "custody": "detained",
                                                                 "relationship": "employer"}]}]))
    assert _items(app, case, "guardian_complicity") == []


def _in_investigation(app, case, at):
    """Arrange: the case moved to investigation at `at` (the stage rules are tested elsewhere)."""
    with app.engine.begin() as c:
        c.execute(update(cases).where(cases.c.id == case).values(stage="investigation"))
        c.execute(insert(stage_history).values(case_id=case, from_stage="decision", to_stage="investigation", at=at,
                                               actor="amara", role="coordinator", reason="x"))


def test_a_childs_proceedings_that_stall_are_followed_up_to_expedite(app):
    case = open_case(app, COORDINATOR, child_form())
    _in_investigation(app, case, T0)
    run(app, SYSTEM, T0 + timedelta(days=59))
    assert _items(app, case, "child_proceedings_stalled") == []
    run(app, SYSTEM, T0 + timedelta(days=60))
    [stalled] = _items(app, case, "child_proceedings_stalled")
    assert "expedite" in stalled.detail and stalled.due_at == T0 + timedelta(days=60)
    assert run(app, SYSTEM, T0 + timedelta(days=61)).selected["child_proceedings_stalled"] == 0


def test_a_child_case_that_leaves_the_criminal_process_after_it_was_selected_gets_no_stall_item(app):
    """Selected as stalled, then closed before its chunk ran (another worker, a person): the chunk
    reads the case's stage again and lists nothing."""
    from witness.services import sweep

    case = open_case(app, COORDINATOR, child_form())
    _in_investigation(app, case, T0)
    at = T0 + timedelta(days=60)
    assert sweep.select_due(app, at)["child_proceedings_stalled"] == [case]
    with app.engine.begin() as c:
        c.execute(update(cases).where(cases.c.id == case).values(stage="closed"))
    assert sweep.process_chunk(app, "child_proceedings_stalled", [case], at) == 0
    assert _items(app, case, "child_proceedings_stalled") == []


def test_an_adults_case_or_a_child_case_with_a_hearing_set_is_not_stalled(app):
    from witness.store.hearing_tables import hearings
    from witness.store.tables import case_proceedings

    adult = open_case(app, COORDINATOR, adult_form())
    child = open_case(app, COORDINATOR, child_form(proceedings=[
        {"court": "PN Medan", "docket": "ID-MDN-3", "accused": [{"label": "Accused E", "custody": "detained",
                                                                 "relationship": "employer"}]}]))
    for case in (adult, child):
        _in_investigation(app, case, T0)
    with app.engine.begin() as c:
        pid = c.execute(select(case_proceedings.c.proceeding_id).where(case_proceedings.c.case_id == child)).scalar()
        c.execute(insert(hearings).values(id="H-TESTHEAR", proceeding_id=pid, kind="trial", status="set", version=1,
                                          starts_at=T0 + timedelta(days=70), ends_at=T0 + timedelta(days=70, hours=2),
                                          created_at=T0, created_by="somchai", updated_at=T0))
    assert run(app, SYSTEM, T0 + timedelta(days=61)).selected["child_proceedings_stalled"] == 0


# --- item 8: a reflection cap that is practice, not law -------------------------------------------

def test_a_coordinator_extends_past_a_cap_that_is_practice_with_a_recorded_reason(app):
    case = open_case(app, COORDINATOR, adult_form())  # TH: 90 days, practice
    with pytest.raises(ActionBlocked, match="maximum is practice, not law: extend past it with --beyond-cap"):
        reflection.extend(app, COORDINATOR, case, 100, "pregnant, due in March")
    ends = reflection.extend(app, COORDINATOR, case, 100, "pregnant, due in March", beyond_cap=True)
    assert ends.startswith("2027-02-25")  # 15 + 100 days after 2 November 2026
    with app.engine.connect() as c:
        row = c.execute(select(cases.c.reflection_ends_at, cases.c.reflection_max_ends_at).where(cases.c.id == case)).one()
        assert row.reflection_max_ends_at == row.reflection_ends_at == T0 + timedelta(days=115)
        [kept] = c.execute(select(guardrail_overrides).where(guardrail_overrides.c.case_id == case)).all()
        assert kept.rule == "reflection-cap-practice" and "pregnant" not in kept.reason
        audit = c.execute(select(audit_log.c.action).where(audit_log.c.record == case)).scalars().all()
    assert "reflection.extend_beyond_cap" in audit
    assert app.cipher.decrypt("guardrail_overrides", "reason", kept.id, kept.reason) == "pregnant, due in March"


def test_where_the_cap_is_law_it_is_still_refused(app):
    case = open_case(app, COORDINATOR, child_form())  # ID: max_basis defaults to law
    with pytest.raises(ActionBlocked, match="^beyond_cap: ID's maximum of 90 days is law"):
        reflection.extend(app, COORDINATOR, case, 200, "needs longer", beyond_cap=True)
    with pytest.raises(ActionBlocked, match="maximum") as err:
        reflection.extend(app, COORDINATOR, case, 200, "needs longer")
    assert "--beyond-cap" not in str(err.value)


def test_beyond_cap_within_the_cap_is_an_ordinary_extension(app):
    case = open_case(app, COORDINATOR, adult_form())
    reflection.extend(app, COORDINATOR, case, 10, "more time", beyond_cap=True)
    with app.engine.connect() as c:
        assert c.execute(select(guardrail_overrides)).all() == []
        assert c.execute(select(cases.c.reflection_max_ends_at)).scalar() == T0 + timedelta(days=90)


# --- item 9: intake facts ---------------------------------------------------------------------

def test_intake_records_exploitation_pregnancy_and_accompanying_children_pregnancy_encrypted(app):
    case = open_case(app, COORDINATOR, adult_form(circumstances={
        "exploitation": ["labour", "domestic_servitude"], "pregnancy": "nursing", "accompanying_children": 2}))
    with app.engine.connect() as c:
        row = c.execute(select(circumstances).where(circumstances.c.case_id == case)).one()
    assert (row.exploitation, row.accompanying_children, row.media_exposure) == ("labour,domestic_servitude", 2, False)
    assert "nursing" not in row.pregnancy
    assert app.cipher.decrypt("circumstances", "pregnancy", case, row.pregnancy) == "nursing"


def test_intake_refuses_an_unknown_exploitation_type_by_field(app):
    with pytest.raises(InputProblems, match=r"circumstances\.exploitation\.0"):
        open_case(app, COORDINATOR, adult_form(circumstances={"exploitation": ["slavery-ish"]}))


def test_a_media_breach_at_intake_is_urgent_and_makes_a_risk_review_due(app):
    case = open_case(app, COORDINATOR, adult_form(circumstances={"media_breach": True}))
    [urgent] = _items(app, case, "media_breach")
    assert urgent.detail.startswith(f"URGENT {case}: the victim's identity or story reached the media")
    assert _items(app, case, "reassess_risk")
    with app.engine.connect() as c:
        assert c.execute(select(risk_reviews_due.c.trigger).where(risk_reviews_due.c.case_id == case)).scalar() == "media_breach"


def test_a_media_breach_reported_later_is_urgent_too_and_without_one_nothing_is_listed(app):
    case = open_case(app, COORDINATOR, adult_form())
    assert _items(app, case, "media_breach") == [] and _items(app, case, "reassess_risk") == []
    media.report_breach(app, COORDINATOR, case)
    assert _items(app, case, "media_breach") and _items(app, case, "reassess_risk")
    with app.engine.connect() as c:
        assert c.execute(select(circumstances.c.media_exposure).where(circumstances.c.case_id == case)).scalar() is True
        assert c.execute(select(case_flags.c.flag).where(case_flags.c.case_id == case)).scalars().all() == ["media_breach"]


def test_a_childs_consent_cannot_name_a_guardian_who_is_not_recorded(app):
    form = child_form(guardian=None, consents=[{"scope": "shelter_stay", "method": "written", "language": "id",
                                                "guardian_agreed": True}])
    with pytest.raises(InputProblems, match=r"^consents\.0\.guardian_agreed: no guardian is recorded yet"):
        open_case(app, COORDINATOR, form)


def test_the_example_files_open_and_the_pending_guardian_is_recorded_from_its_example(app):
    import yaml

    from witness.forms import read_data
    from witness.settings import PROJECT_ROOT

    examples = PROJECT_ROOT / "examples"
    pending = open_case(app, COORDINATOR, yaml.safe_load((examples / "intake-child-guardian-pending.yaml").read_text()))
    assert len(_open(_items(app, pending, "guardian_pending"))) == 1
    guardians.record(app, COORDINATOR, pending, read_data(examples / "guardian.yaml"))
    assert _open(_items(app, pending, "guardian_pending")) == []
    form = yaml.safe_load((examples / "intake-indonesia-child.yaml").read_text())
    form.pop("opened_at")  # after the tests' clock
    girl = open_case(app, OTHER_COORDINATOR, form)
    assert len(_items(app, girl, "guardian_complicity")) == 1  # mother as guardian, aunt accused


def test_only_a_coordinator_on_the_case_records_care_facts_and_a_refusal_changes_nothing(app):
    from tests.conftest import PROSECUTOR
    from tests.helpers import dump

    case = open_case(app, COORDINATOR, child_form(guardian=None))
    before = dump(app.engine, exclude=("audit_log", "audit_head"))
    attempts = [
        lambda who: guardians.record(app, who, case, {"name": "X Y", "relationship": "aunt"}),
        lambda who: media.report_breach(app, who, case),
        lambda who: accommodation.providers(app, who, case),
        lambda who: accommodation.place(app, who, case, "community_shelter", "id-community-shelter-1"),
        lambda who: detention.record(app, who, case, "police_cell"),
        lambda who: reflection.extend(app, who, case, 5, "more time", beyond_cap=True),
    ]
    for attempt in attempts:
        for who in (OTHER_COORDINATOR, PROSECUTOR):
            with pytest.raises(Forbidden):
                attempt(who)
    assert dump(app.engine, exclude=("audit_log", "audit_head")) == before


def test_the_care_summary_shows_what_the_coordinator_must_act_on(app):
    from tests.conftest import PROSECUTOR
    from witness.services.care import summary

    case = open_case(app, COORDINATOR, child_form(guardian=None, proceedings=[
        {"court": "PN Medan", "docket": "ID-MDN-9", "prosecutor": "somchai",
         "accused": [{"label": "Accused E", "custody": "detained", "relationship": "employer"}]}],
        circumstances={"exploitation": ["sexual"], "pregnancy": "pregnant", "accompanying_children": 1}))
    detention.record(app, COORDINATOR, case, "protective_custody")
    seen = summary(app, COORDINATOR, case)
    assert {k: seen[k] for k in ("guardian", "exploitation", "pregnancy", "accompanying_children", "media_exposure")} == {
        "guardian": "pending", "exploitation": ["sexual"], "pregnancy": "pregnant", "accompanying_children": 1,
        "media_exposure": False}
    assert seen["detention"]["kind"] == "protective_custody"
    assert [s["kind"] for s in seen["accommodation"]] == ["shelter"]
    assert summary(app, PROSECUTOR, case)["pregnancy"] is None  # health data: the coordinator's only
    guardians.record(app, COORDINATOR, case, {"name": "X Y", "relationship": "aunt", "accused_link": "Accused E"})
    assert summary(app, COORDINATOR, case)["guardian"] == "linked to an accused: recorded as linked to Accused E"


def test_erasing_the_victim_shreds_the_care_secrets_too(app):
    """Pregnancy, the place of detention and a reason to pass the reflection cap are the victim's:
    under her data key, so erasure (R-71) leaves none of them readable."""
    from tests.conftest import ADMIN
    from witness.clock import FixedClock
    from witness.services import cases as case_service
    from witness.services.keys import erase
    from witness.store.care_tables import detentions

    case = open_case(app, COORDINATOR, adult_form(circumstances={"pregnancy": "pregnant"}))
    reflection.extend(app, COORDINATOR, case, 100, "pregnant, due in March", beyond_cap=True)
    detention.record(app, COORDINATOR, case, "immigration_detention", place="Suan Phlu IDC")
    app.clock = FixedClock(T0 + timedelta(days=200))
    detention.end(app, COORDINATOR, case)
    case_service.change_stage(app, COORDINATOR, case, "withdrawn", "the victim stopped cooperating")
    case_service.change_stage(app, COORDINATOR, case, "closed", "support ended at the victim's request")

    with app.engine.connect() as c:
        stored = [("circumstances", "pregnancy", case, c.execute(select(circumstances.c.pregnancy)).scalar()),
                  ("detentions", "place", *c.execute(select(detentions.c.id, detentions.c.place)).one()),
                  ("guardrail_overrides", "reason",
                   *c.execute(select(guardrail_overrides.c.id, guardrail_overrides.c.reason)).one())]

    def secrets():
        return [app.cipher.decrypt(*where) for where in stored]

    assert secrets() == ["pregnant", "Suan Phlu IDC", "pregnant, due in March"]
    erase(app, ADMIN, case, "retention_ended")
    assert secrets() == [None, None, None]
