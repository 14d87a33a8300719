"""R-31: every Do No Harm rule fires on a harmful action and stays silent on a compliant one."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from witness.domain.consent import Consent, Method
from witness.domain.guardrails import (RULES, AccusedFacts, ActionKind, CaseFacts, Proposed, Severity, evaluate,
                                       unresolved)
from witness.domain.proceeding import Custody
from witness.domain.reflection import ReflectionPeriod
from witness.domain.victim import AgeStatus

NOW = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)
OPENED = NOW - timedelta(days=8)


def consent(scope):
    return Consent(scope, OPENED, Method.written, "my", "amara")


def oral(scope):
    return Consent(scope, OPENED, Method.oral, "my", "amara")


def adult(**over) -> CaseFacts:
    base = CaseFacts(case_id="W-TEST22", jurisdiction="TH", stage="reflection", age_status=AgeStatus.adult,
                     has_guardian=False, gender="female", escort_gender_preference="female",
                     safe_channels=("sms", "call"), consents=(),
                     reflection=ReflectionPeriod.start(OPENED, 15, 90), nationality="TH")
    return replace(base, **over)


def rules_fired(kind, case, now=NOW, **details):
    return {f.rule for f in evaluate(Proposed(kind, case, details), now)}


# Each case: rule id, a harmful action (fires), a compliant action (silent).
CASES = {
    "DNH-01-reflection-consent": (
        (ActionKind.schedule_appearance, adult(), dict(act="testimony", at=NOW + timedelta(days=2))),
        (ActionKind.schedule_appearance, adult(consents=(consent("testimony"),)), dict(act="testimony", at=NOW + timedelta(days=2)))),
    "DNH-02-services-cooperation": (
        (ActionKind.end_service, adult(), dict(reason="declined_cooperation")),
        (ActionKind.end_service, adult(), dict(reason="victim_request"))),
    "DNH-03-real-name": (
        (ActionKind.generate_document, adult(), dict(includes_identity=True, recipient_role="escort")),
        (ActionKind.generate_document, adult(consents=(consent("name_disclosure"),)), dict(includes_identity=True, recipient_role="court"))),
    "DNH-04-child-guardian": (
        (ActionKind.schedule_appearance, adult(age_status=AgeStatus.uncertain, consents=(consent("interview"),)), dict(act="interview", at=NOW)),
        (ActionKind.request_measure, adult(age_status=AgeStatus.uncertain), dict(measure="escort"))),
    "DNH-05-gender-preference": (
        (ActionKind.assign_escort, adult(), dict(genders=["male", "male"])),
        (ActionKind.assign_escort, adult(), dict(genders=["female", "male"]))),
    "DNH-06-interpreter": (
        (ActionKind.assign_interpreter, adult(), dict(interpreter="int-3", accused_link=True)),
        (ActionKind.assign_interpreter, adult(), dict(interpreter="int-4"))),
    "DNH-07-release-followup": (
        (ActionKind.custody_followup, adult(accused=(AccusedFacts("A", Custody.released, NOW - timedelta(minutes=40), "employer"),)), {}),
        (ActionKind.custody_followup, adult(accused=(AccusedFacts("A", Custody.released, NOW - timedelta(minutes=40), "employer"),),
                                            victim_notified_since_custody_change=True, reassessed_since_custody_change=True), {})),
    "DNH-08-child-cross-examination": (
        (ActionKind.schedule_appearance, adult(age_status=AgeStatus.child, has_guardian=True, stage="trial",
                                               reflection=ReflectionPeriod.start(OPENED - timedelta(days=100), 15, 90),
                                               consents=(consent("testimony"),)),
         dict(act="hearing", at=NOW + timedelta(days=1), in_person_cross_examination_by_defendant=True)),
        (ActionKind.schedule_appearance, adult(age_status=AgeStatus.child, has_guardian=True, stage="trial",
                                               reflection=ReflectionPeriod.start(OPENED - timedelta(days=100), 15, 90),
                                               consents=(consent("testimony"),)),
         dict(act="hearing", at=NOW + timedelta(days=1), in_person_cross_examination_by_defendant=False))),
    "DNH-09-unsafe-channel": (
        (ActionKind.send_notice, adult(), dict(channel="email")),
        (ActionKind.send_notice, adult(), dict(channel="sms"))),
    "DNH-10-data-sharing-consent": (
        (ActionKind.share_data, adult(), dict(recipient="ngo_shelter")),
        (ActionKind.share_data, adult(consents=(consent("data_sharing:ngo_shelter"),)), dict(recipient="ngo_shelter"))),
    "DNH-11-foreign-stay": (
        (ActionKind.plan_return, adult(nationality="MM", pending_claim=True), {}),
        (ActionKind.plan_return, adult(nationality="MM", pending_claim=True, stay_until_resolved_note=True), {})),
    "DNH-12-settlement-pressure": (
        (ActionKind.stage_change, adult(settlement_pressure_reported=True), dict(target="withdrawn")),
        (ActionKind.stage_change, adult(settlement_pressure_reported=True, settlement_followed_up=True), dict(target="withdrawn"))),
    "DNH-13-act-consent": (
        (ActionKind.start_service, adult(), dict(service="shelter")),
        (ActionKind.start_service, adult(consents=(consent("shelter_stay"),)), dict(service="shelter"))),
    "DNH-14-claims-unresolved": (
        (ActionKind.stage_change, adult(stage="withdrawn", unresolved_claims=("CL-1 (filed)",)), dict(target="closed")),
        (ActionKind.stage_change, adult(stage="withdrawn"), dict(target="closed"))),
    # Issue 12 (helper GB): a child whose guardian is linked to an accused; silent once another is appointed.
    "DNH-21-guardian-complicity": (
        (ActionKind.give_consent, adult(age_status=AgeStatus.child, has_guardian=True,
                                        guardian_accused_link="recorded as linked to Accused A"), dict(scope="testimony")),
        (ActionKind.give_consent, adult(age_status=AgeStatus.child, has_guardian=True), dict(scope="testimony"))),
    # Nothing goes to a guardian linked to an accused; the victim's own notice still goes.
    "DNH-22-complicit-guardian-contact": (
        (ActionKind.send_notice, adult(age_status=AgeStatus.child, has_guardian=True, safe_channels=("sms",),
                                       guardian_accused_link="recorded as linked to Accused A"),
         dict(channel="sms", recipient_role="guardian")),
        (ActionKind.send_notice, adult(age_status=AgeStatus.child, has_guardian=True, safe_channels=("sms",),
                                       guardian_accused_link="recorded as linked to Accused A"),
         dict(channel="sms", recipient_role="victim"))),
    # Issue 12 (helper GA).
    "DNH-30-interpreter-vetting": (
        (ActionKind.assign_interpreter, adult(), dict(interpreter="int-5", vetted=False)),
        (ActionKind.assign_interpreter, adult(), dict(interpreter="int-5", vetted=True))),
    "DNH-31-informed-consent": (
        (ActionKind.give_consent, adult(), dict(scope="return")),
        (ActionKind.give_consent, adult(explained_scopes=("return",)), dict(scope="return"))),
    "DNH-32-data-to-origin": (
        (ActionKind.share_data, adult(nationality="MM", consents=(oral("data_sharing:mm-police"),)),
         dict(recipient="mm-police", recipient_country="MM")),
        (ActionKind.share_data, adult(nationality="MM", consents=(consent("data_sharing:mm-police"),)),
         dict(recipient="mm-police", recipient_country="MM"))),
    "DNH-33-residence-not-testimony": (
        (ActionKind.plan_return, adult(consents=(consent("return"),)), dict(stay_tied_to_testimony=True)),
        (ActionKind.plan_return, adult(consents=(consent("return"),)), dict(stay_tied_to_testimony=False))),
    "DNH-34-examiner-gender": (
        (ActionKind.schedule_appearance, adult(consents=(consent("medical_exam"),)),
         dict(act="medical_exam", at=NOW + timedelta(days=1), examiner_gender="male")),
        (ActionKind.schedule_appearance, adult(consents=(consent("medical_exam"),)),
         dict(act="medical_exam", at=NOW + timedelta(days=1), examiner_gender="female"))),
}


def test_every_rule_has_a_firing_and_a_silent_case():
    assert set(CASES) == {r.id for r in RULES}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_rule_fires_on_the_harmful_action(rule):
    kind, case, details = CASES[rule][0]
    assert rule in rules_fired(kind, case, **details)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_rule_is_silent_on_the_compliant_action(rule):
    kind, case, details = CASES[rule][1]
    assert rule not in rules_fired(kind, case, **details)


def test_a_finding_explains_itself_and_cites_the_guide():
    [finding] = evaluate(Proposed(ActionKind.send_notice, adult(), {"channel": "email"}), NOW)
    assert finding.severity is Severity.block
    assert "email" in finding.explanation and "safe channel" in finding.explanation
    assert finding.guide.startswith("Recovery §4")


def test_a_gender_block_can_be_overridden_only_with_a_reason():
    findings = evaluate(Proposed(ActionKind.assign_escort, adult(), {"genders": ["male"]}), NOW)
    assert unresolved(findings, {}) == findings
    assert unresolved(findings, {"DNH-05-gender-preference": "   "}) == findings
    assert unresolved(findings, {"DNH-05-gender-preference": "no female officer within 300 km; victim agreed"}) == []


def test_a_hard_block_cannot_be_overridden():
    findings = evaluate(Proposed(ActionKind.send_notice, adult(), {"channel": "email"}), NOW)
    assert unresolved(findings, {"DNH-09-unsafe-channel": "urgent"}) == findings


def test_a_warning_stops_the_action_until_a_reason_is_recorded():
    findings = evaluate(Proposed(ActionKind.plan_return, adult(nationality="MM", pending_claim=True,
                                                               consents=(consent("return"),)), {}), NOW)
    assert [f.severity for f in findings] == [Severity.warn]
    assert unresolved(findings, {"DNH-11-foreign-stay": "victim insists on going home; lawyer will file from abroad"}) == []


def test_a_jurisdiction_can_tighten_a_warning_into_a_block_but_not_loosen_a_block():
    action = Proposed(ActionKind.plan_return, adult(nationality="MM", pending_claim=True, consents=(consent("return"),)), {})
    [tight] = evaluate(action, NOW, tighten={"DNH-11-foreign-stay": "block"})
    assert tight.severity is Severity.block
    [still] = evaluate(Proposed(ActionKind.send_notice, adult(), {"channel": "email"}), NOW,
                       tighten={"DNH-09-unsafe-channel": "warn"})
    assert still.severity is Severity.block


def test_escalations_never_stop_an_action():
    case = adult(accused=(AccusedFacts("A", Custody.escaped, NOW - timedelta(hours=1), "employer"),))
    findings = evaluate(Proposed(ActionKind.custody_followup, case, {"deadline_minutes": 15}), NOW)
    assert [f.severity for f in findings] == [Severity.escalate]
    assert unresolved(findings, {}) == []


def test_release_followup_waits_for_the_deadline():
    case = adult(accused=(AccusedFacts("A", Custody.released, NOW - timedelta(minutes=10), "employer"),))
    assert evaluate(Proposed(ActionKind.custody_followup, case, {"deadline_minutes": 15}), NOW) == []


def test_no_warning_ever_delays_a_notice_a_safety_measure_or_an_escort():
    case = adult(settlement_pressure_reported=True, nationality="MM", pending_claim=True, consents=(consent("testimony"),))
    for kind, details in ((ActionKind.send_notice, {"channel": "sms"}), (ActionKind.request_measure, {"measure": "escort"}),
                          (ActionKind.assign_escort, {"genders": ["female"]}),
                          (ActionKind.schedule_appearance, {"act": "hearing", "at": NOW + timedelta(days=3)})):
        assert evaluate(Proposed(kind, case, details), NOW) == []


def test_a_suspected_family_link_escalates_but_only_a_recorded_link_cuts_the_guardian_off():
    """Guardian and accused both family is a suspicion for a person to weigh (DNH-21 escalates); cutting
    a mother off on that guess would leave the child without the adult who consents and is told for her.
    Once someone records the link, nothing more goes to that guardian (DNH-22)."""
    suspected = adult(age_status=AgeStatus.child, has_guardian=True, safe_channels=("sms",),
                      guardian_accused_link="the guardian is family and Accused C (aunt) is family too")
    to_guardian = dict(channel="sms", recipient_role="guardian")
    rules = {f.rule for f in evaluate(Proposed(ActionKind.send_notice, suspected, to_guardian), NOW)}
    assert "DNH-22-complicit-guardian-contact" not in rules
    assert "DNH-21-guardian-complicity" in {f.rule for f in evaluate(
        Proposed(ActionKind.give_consent, suspected, dict(scope="testimony")), NOW)}
    recorded = replace(suspected, guardian_accused_link="recorded as linked to Accused C (aunt)")
    assert "DNH-22-complicit-guardian-contact" in {f.rule for f in evaluate(
        Proposed(ActionKind.send_notice, recorded, to_guardian), NOW)}
