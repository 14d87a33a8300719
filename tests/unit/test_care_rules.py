"""Issue 12, items 5, 6, 8 (helper GB): the pure care rules fire and stay silent; the provider
directory and the profile's care cadences are validated when loaded."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from witness.accommodation_directory import load_directory
from witness.domain.care import Needs, Pregnancy, Provider, guardian_accused_link, period_due, unsuitable
from witness.domain.consent import Consent, Method
from witness.domain.guardrails import ActionKind, CaseFacts, Proposed, Severity, evaluate
from witness.domain.jurisdiction import CareRules
from witness.domain.reflection import ReflectionPeriod
from witness.domain.victim import AgeStatus
from witness.errors import ActionBlocked, ConfigError
from witness.settings import PROJECT_ROOT

NOW = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)


def facts(**over) -> CaseFacts:
    base = CaseFacts(case_id="W-TEST22", jurisdiction="TH", stage="reflection", age_status=AgeStatus.adult,
                     has_guardian=False, gender="female", escort_gender_preference=None, safe_channels=(),
                     consents=(), reflection=ReflectionPeriod.start(NOW - timedelta(days=8), 15, 90), nationality="TH")
    return replace(base, **over)


def shelter(method: Method) -> Consent:
    return Consent("shelter_stay", NOW - timedelta(days=1), method, "my", "amara")


def rules(kind, case, **details):
    return {f.rule: f for f in evaluate(Proposed(kind, case, details), NOW)}


@pytest.mark.parametrize("kind", ["shelter", "open_shelter", "community_shelter", "community_housing",
                                  "rented_housing", "foster_care"])
def test_every_accommodation_needs_written_shelter_stay_consent(kind):
    oral = rules(ActionKind.start_service, facts(consents=(shelter(Method.oral),)), service=kind)
    assert "recorded as oral" in oral["DNH-13-act-consent"].explanation
    assert rules(ActionKind.start_service, facts(consents=(shelter(Method.written),)), service=kind) == {}


def test_a_service_that_is_not_accommodation_needs_no_shelter_consent():
    assert rules(ActionKind.start_service, facts(), service="medical") == {}


def test_guardian_complicity_escalates_and_never_blocks_and_is_silent_for_an_adult_or_without_a_link():
    linked = facts(age_status=AgeStatus.child, has_guardian=True, guardian_accused_link="recorded as linked to A")
    found = rules(ActionKind.request_measure, linked, measure="escort")
    assert found == {}  # measures are not among its kinds: protection never waits
    f = rules(ActionKind.stage_change, linked, target="withdrawn")["DNH-21-guardian-complicity"]
    assert f.severity is Severity.escalate
    adult = facts(has_guardian=True, guardian_accused_link="recorded as linked to A")
    assert "DNH-21-guardian-complicity" not in rules(ActionKind.stage_change, adult, target="withdrawn")
    clean = facts(age_status=AgeStatus.uncertain, has_guardian=True)
    assert "DNH-21-guardian-complicity" not in rules(ActionKind.stage_change, clean, target="withdrawn")


def test_a_family_guardian_is_linked_only_when_an_accused_is_family():
    assert guardian_accused_link("Mother", None, [("Accused F", "family")]) == \
        "the guardian is family and Accused F is family too"
    assert guardian_accused_link("mother", None, [("Accused E", "employer")]) is None
    assert guardian_accused_link("court-appointed guardian", None, [("Accused F", "family")]) is None
    assert guardian_accused_link("social worker", "Accused E", [("Accused E", "employer")]) == \
        "recorded as linked to Accused E"


def _provider(**over) -> Provider:
    data = dict(id="p-1", name="P", jurisdiction="TH", operator="ngo", kinds=["shelter"],
                accepts={"genders": ["female"]}, accredited=True)
    data.update(over)
    return Provider.model_validate(data)


def test_a_provider_fits_or_says_why_not():
    needs = Needs(jurisdiction="TH", gender="female", child=False, foreign=True)
    assert unsuitable(_provider(), needs) == []
    assert unsuitable(_provider(), replace_needs(needs, gender="male")) == ["does not take male residents"]
    assert unsuitable(_provider(), replace_needs(needs, child=True)) == ["does not take children"]
    assert unsuitable(_provider(), replace_needs(needs, accompanying_children=1)) == [
        "cannot take the children who accompany the victim"]
    assert unsuitable(_provider(accepts={"genders": ["female"], "pregnant_or_nursing": True}, separate_facilities=True),
                      replace_needs(needs, pregnancy=Pregnancy.nursing)) == []
    assert unsuitable(_provider(), needs, kind=_provider(kinds=["foster_care"]).kinds[0]) == ["offers no foster_care"]


def replace_needs(needs: Needs, **over) -> Needs:
    return needs.model_copy(update=over)


def test_the_shipped_directory_loads_and_a_wrong_one_is_refused_with_each_field(tmp_path):
    assert load_directory(PROJECT_ROOT / "config" / "accommodation.yaml").get("th-open-shelter-men") is not None
    assert load_directory(tmp_path / "absent.yaml").providers == []
    bad = {"providers": [
        {"id": "a-1", "name": "A", "jurisdiction": "TH", "operator": "ngo", "kinds": ["medical"],
         "accepts": {"genders": ["female"]}, "accredited": True},
        {"id": "b-1", "name": "B", "jurisdiction": "XX", "operator": "ngo", "kinds": ["shelter"],
         "accepts": {"genders": ["female"]}, "accredited": True, "rooms": 4}]}
    path = tmp_path / "accommodation.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ConfigError) as err:
        load_directory(path)
    lines = str(err.value).splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == ["providers.0.kinds", "providers.1.jurisdiction",
                                                         "providers.1.rooms"]
    good = {k: v for k, v in bad["providers"][1].items() if k != "rooms"} | {"jurisdiction": "TH"}
    path.write_text(yaml.safe_dump({"providers": [good, good]}))
    with pytest.raises(ConfigError, match="provider id b-1 appears twice"):
        load_directory(path)


def test_a_child_detention_limit_longer_than_the_adult_one_is_refused():
    with pytest.raises(ValueError, match="child_detention_limit_hours is longer"):
        CareRules(detention_limit_hours=24, child_detention_limit_hours=48)


def test_period_due_counts_whole_periods():
    start = NOW
    assert period_due(start, timedelta(days=14), NOW + timedelta(days=13)) is None
    assert period_due(start, timedelta(days=14), NOW + timedelta(days=14)) == (1, NOW + timedelta(days=14))
    assert period_due(start, timedelta(days=14), NOW + timedelta(days=30)) == (2, NOW + timedelta(days=28))


def test_an_extension_past_the_cap_moves_the_cap_only_when_asked():
    period = ReflectionPeriod.start(NOW, 15, 90)
    with pytest.raises(ActionBlocked, match="maximum"):
        period.extend(100, NOW)
    longer = period.extend(100, NOW, beyond_cap=True)
    assert longer.ends_at == longer.max_ends_at == NOW + timedelta(days=115)
    assert period.extend(10, NOW, beyond_cap=True).max_ends_at == period.max_ends_at


def test_the_intake_schema_publishes_the_new_facts():
    from witness.domain.intake import IntakeForm

    schema = IntakeForm.model_json_schema()
    assert "circumstances" in schema["properties"] and "guardian" not in schema.get("required", [])
    facts_ = schema["$defs"]["CircumstancesIn"]["properties"]
    assert set(facts_) == {"exploitation", "pregnancy", "accompanying_children", "media_breach"}
    assert "accused_link" in schema["$defs"]["GuardianIn"]["properties"]
    assert "online_child_sexual_exploitation" in schema["$defs"]["ExploitationType"]["enum"]


def test_the_worklist_names_the_command_that_clears_each_care_item():
    from witness.domain.worklist import next_command

    def cmd(kind):
        return next_command({"kind": kind, "case_id": "W-TEST22", "key": "k", "id": 7, "detail": ""})

    assert cmd("guardian_pending") == "witness guardian record W-TEST22 GUARDIAN.yaml"
    assert cmd("detention") == "witness detention end W-TEST22"
    assert cmd("shelter_stay_check").startswith("ask the victim; to leave: witness consent withdraw W-TEST22 shelter_stay")
    assert cmd("detention_limit").startswith("call or visit now")  # urgent: the victim first
