"""Issue 12's pure rules beyond the firing/silent pairs of test_guardrail_rules.py: what the interpreter
registry tells DNH-06/DNH-30, what a return plan must hold, which fields identify the victim, when an
information sheet counts, and where DNH-13/DNH-31/DNH-32 stay quiet."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from witness.domain.consent import Consent, Method
from witness.domain.guardrails import ActionKind, CaseFacts, Proposed, evaluate
from witness.domain.information import Explanation, explained_scopes
from witness.domain.interpreter import Interpreter, Tie, TieKind, Vetting, assignment_facts
from witness.domain.reflection import ReflectionPeriod
from witness.domain.referral import ShareIn, revoked_recipient
from witness.domain.return_plan import ReturnPlanIn, plan_problems
from witness.domain.victim import AgeStatus

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)


def case(**over) -> CaseFacts:
    base = CaseFacts(case_id="W-AAAAAA", jurisdiction="TH", stage="decision", age_status=AgeStatus.adult,
                     has_guardian=False, gender="male", escort_gender_preference=None, safe_channels=("sms",),
                     consents=(), reflection=ReflectionPeriod.start(NOW - timedelta(days=40), 15, 90), nationality="MM")
    return replace(base, **over)


def fired(kind, facts, **details) -> set[str]:
    return {f.rule for f in evaluate(Proposed(kind, facts, details), NOW)}


def given(scope, method=Method.written):
    return Consent(scope, NOW - timedelta(days=1), method, "my", "amara")


# --- the interpreter registry's facts -------------------------------------------------------------

def test_ties_count_only_on_their_own_case_and_accused_labels_compare_case_blind():
    found = Interpreter("int-1", ("my",), Vetting.vetted, ties=(
        Tie(TieKind.conflict, "W-OTHER1"), Tie(TieKind.community, "W-AAAAAA"), Tie(TieKind.accused, "ACCUSED A")))
    facts = assignment_facts(found, "int-1", "W-AAAAAA", ["Accused A", "Accused B"])
    assert facts == {"interpreter": "int-1", "blocklisted": False, "declared_conflict": False, "community_link": True,
                     "accused_link": True, "vetted": True, "speaks": None}
    elsewhere = assignment_facts(found, "int-1", "W-OTHER1", ["Accused C"])
    assert (elsewhere["declared_conflict"], elsewhere["community_link"], elsewhere["accused_link"]) == (True, False, False)


def test_an_unregistered_interpreter_is_unknown_not_unvetted_and_the_settings_blocklist_still_counts():
    assert assignment_facts(None, "int-9", "W-AAAAAA", [])["vetted"] is None
    assert assignment_facts(None, "int-9", "W-AAAAAA", [], frozenset({"int-9"}))["blocklisted"] is True
    pending = Interpreter("int-2", ("my",), Vetting.pending)
    assert fired(ActionKind.assign_interpreter, case(), **assignment_facts(pending, "int-2", "W-AAAAAA", [])) == {
        "DNH-30-interpreter-vetting"}
    blocked = Interpreter("int-3", ("my",), Vetting.vetted, blocked=True)
    assert fired(ActionKind.assign_interpreter, case(), **assignment_facts(blocked, "int-3", "W-AAAAAA", [])) == {
        "DNH-06-interpreter"}


# --- return ------------------------------------------------------------------------------------

def _plan(**over) -> ReturnPlanIn:
    return ReturnPlanIn.model_validate({"destination": "MM", "travel_on": "2026-12-10", "helpline": "+66 2 000", **over})


def test_a_return_plan_needs_a_future_date_and_a_restitution_contact_while_a_claim_is_pending():
    assert plan_problems(_plan(), date(2026, 11, 30), pending_claim=False) == []
    assert [p for p, _ in plan_problems(_plan(travel_on="2026-11-01"), date(2026, 11, 30), False)] == ["travel_on"]
    assert [p for p, _ in plan_problems(_plan(), date(2026, 11, 30), True)] == ["restitution_contact"]
    assert plan_problems(_plan(restitution_contact="+95 9 000"), date(2026, 11, 30), True) == []


def test_a_return_plan_refuses_a_country_name_and_unknown_fields():
    with pytest.raises(ValidationError):
        _plan(destination="Myanmar")
    with pytest.raises(ValidationError):
        _plan(deport=True)


def test_a_return_needs_written_consent_and_data_to_origin_written_permission():
    oral = case(consents=(given("return", Method.oral),))
    assert "DNH-13-act-consent" in fired(ActionKind.plan_return, oral)
    written = case(consents=(given("return"),))
    assert fired(ActionKind.plan_return, written) == set()
    assert fired(ActionKind.plan_return, written, data_to_origin="mm-police") == {"DNH-32-data-to-origin"}
    # A victim of the country itself has no "country of origin" to protect them from.
    assert fired(ActionKind.plan_return, case(nationality="TH", consents=(given("return"),)),
                 data_to_origin="th-police") == set()


# --- referral ----------------------------------------------------------------------------------

def test_identity_fields_are_named_and_a_withdrawal_names_the_recipient():
    share = ShareIn.model_validate({"recipient": "clinic-7", "recipient_kind": "clinic", "fields": ["needs", "phone"],
                                    "purpose": "follow-up care"})
    assert share.includes_identity and share.fields == ["needs", "phone"]
    assert not ShareIn.model_validate({"recipient": "clinic-7", "recipient_kind": "clinic", "fields": ["needs"],
                                       "purpose": "follow-up care"}).includes_identity
    assert revoked_recipient("data_sharing:clinic-7") == "clinic-7"
    assert revoked_recipient("testimony") is None


def test_an_agency_abroad_but_not_in_the_country_of_origin_needs_only_the_usual_consent():
    facts = case(consents=(given("data_sharing:iom-bkk", Method.oral),))
    assert fired(ActionKind.share_data, facts, recipient="iom-bkk", recipient_country="TH") == set()


# --- informed consent ----------------------------------------------------------------------------

def test_an_explanation_counts_from_when_it_was_given():
    sheets = [Explanation("testimony", NOW - timedelta(days=2), "my", None, "amara"),
              Explanation("return", NOW + timedelta(hours=1), "my", "int-1", "amara")]
    assert explained_scopes(sheets, NOW) == ("testimony",)


@pytest.mark.parametrize("scope", ["interview", "shelter_stay", "notification:sms", "data_sharing:clinic-7"])
def test_scopes_that_change_nothing_for_good_need_no_information_sheet(scope):
    assert "DNH-31-informed-consent" not in fired(ActionKind.give_consent, case(safe_channels=("sms",)), scope=scope)


def test_an_interpreter_not_registered_for_the_language_needs_a_reason():
    burmese = Interpreter("int-4", ("my", "th"), Vetting.vetted)
    assert assignment_facts(burmese, "int-4", "W-AAAAAA", [], language="my-MM")["speaks"] is True
    karen = assignment_facts(burmese, "int-4", "W-AAAAAA", [], language="kar")
    assert karen["speaks"] is False
    assert fired(ActionKind.assign_interpreter, case(), **karen) == {"DNH-30-interpreter-vetting"}
    assert assignment_facts(burmese, "int-4", "W-AAAAAA", [])["speaks"] is None  # no language given: not asked
