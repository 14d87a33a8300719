"""Measures (R-60, R-61), pure: the lifecycle, recommendations, the jurisdiction's conditions and
the application deadlines from the profile."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import PROFILES
from witness.domain.hearing import AppearanceMode, HearingStatus, check_transition as hearing_transition
from witness.domain.jurisdiction import MeasureRule
from witness.domain.measure import MeasureKind
from witness.domain.protection import (CHILD_WITNESS_MEASURES, Eligibility, MeasureStatus, WitnessConditions,
                                       check_transition, deadlines, eligibility, file_request, recommended_kinds)
from witness.errors import IllegalTransition

S = MeasureStatus
HEARING = datetime(2026, 12, 14, 2, 0, tzinfo=timezone.utc)


def test_a_measure_goes_recommended_requested_granted_scheduled_delivered():
    path = [S.recommended, S.requested, S.granted, S.scheduled, S.delivered]
    for a, b in zip(path, path[1:]):
        check_transition(a, b)
    for a, b in ((S.requested, S.denied), (S.requested, S.partially_granted), (S.partially_granted, S.scheduled),
                 (S.scheduled, S.failed), (S.scheduled, S.granted), (S.denied, S.requested), (S.cancelled, S.recommended)):
        check_transition(a, b)


@pytest.mark.parametrize("a,b", [(S.recommended, S.granted), (S.delivered, S.cancelled), (S.denied, S.scheduled),
                                 (S.recommended, S.scheduled)])
def test_skipping_a_step_or_reopening_a_final_state_is_refused_with_the_allowed_ones(a, b):
    with pytest.raises(IllegalTransition, match=f"allowed from {a.value}"):
        check_transition(a, b)


def test_a_cancelled_or_held_hearing_cannot_be_moved():
    hearing_transition(HearingStatus.scheduled, HearingStatus.moved)
    hearing_transition(HearingStatus.moved, HearingStatus.moved)
    for final in (HearingStatus.cancelled, HearingStatus.held):
        with pytest.raises(IllegalTransition, match="it is final"):
            hearing_transition(final, HearingStatus.moved)


def test_recommendations_combine_the_risk_assessment_an_escort_for_travel_and_the_childs_list():
    adult = recommended_kinds(["screen", "pseudonym", "not_a_measure"], AppearanceMode.in_person, child=False)
    assert adult == {MeasureKind.escort: "guide", MeasureKind.screen: "risk", MeasureKind.pseudonym: "risk"}
    child = recommended_kinds([], AppearanceMode.video_link, child=True)
    assert set(CHILD_WITNESS_MEASURES) | {MeasureKind.escort} == set(child)
    assert child[MeasureKind.video_link] == "child"
    recorded = recommended_kinds(None, AppearanceMode.recorded, child=False)
    assert recorded == {MeasureKind.recorded_testimony: "appearance"}  # no travel, no escort


def test_indonesias_video_link_condition_is_reported_not_dropped():
    rule = PROFILES["ID"].measures[MeasureKind.video_link]
    adult = eligibility(MeasureKind.video_link, rule, "Indonesia", WitnessConditions(False, False))
    assert adult.status is Eligibility.condition_unmet
    assert "only for: child witness, traumatised witness" in adult.note
    traumatised = eligibility(MeasureKind.video_link, rule, "Indonesia", WitnessConditions(False, True))
    assert traumatised.status is Eligibility.condition_met and "traumatised witness" in traumatised.note
    thai = eligibility(MeasureKind.video_link, PROFILES["TH"].measures[MeasureKind.video_link], "Thailand",
                       WitnessConditions(False, False))
    assert thai.status is Eligibility.eligible


def test_a_condition_the_system_cannot_check_asks_a_person_and_an_unavailable_measure_says_so():
    odd = eligibility(MeasureKind.screen, MeasureRule(available=True, conditions=["court's leave"]), "X",
                      WitnessConditions(True, True))
    assert odd.status is Eligibility.confirm and "confirm whether court's leave applies" in odd.note
    gone = eligibility(MeasureKind.screen, MeasureRule(available=False), "X", WitnessConditions(True, True))
    assert gone.status is Eligibility.unavailable and "do not grant screen" in gone.note


def test_application_deadlines_come_from_the_profile_and_a_late_request_is_flagged():
    rule = PROFILES["TH"].measure_application
    d = deadlines(HEARING, rule)
    assert d.request_by == HEARING - timedelta(days=rule.request_days_before_hearing)
    on_time = file_request(d.request_by - timedelta(hours=1), HEARING, d.request_by, d.response_days)
    assert not on_time.late and not on_time.response_after_hearing and on_time.note() == ""
    late = file_request(HEARING - timedelta(days=2), HEARING, d.request_by, d.response_days)
    assert late.late and late.response_after_hearing
    assert late.note().startswith("LATE") and "response window ends after the hearing" in late.note()
