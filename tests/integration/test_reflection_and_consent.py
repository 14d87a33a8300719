"""R-21, R-22, R-23: no testimony inside the reflection period without consent; withdrawal cancels
what depends on it and never ends support."""
from datetime import timedelta

import pytest

from tests.conftest import COORDINATOR, PROSECUTOR, adult_form, child_form
from witness.errors import ActionBlocked, IllegalTransition
from witness.services import appointments, consent, reflection, support
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.services.sweep import run as sweep


@pytest.fixture
def case(app):
    return open_case(app, COORDINATOR, adult_form())


def _at(app, **delta):
    return app.clock.now() + timedelta(**delta)


def test_testimony_cannot_be_scheduled_inside_the_reflection_period_without_consent(app, case):
    with pytest.raises(ActionBlocked, match=r"DNH-01-reflection-consent: the victim is in the reflection and recovery period and has not consented to testimony"):
        appointments.schedule(app, PROSECUTOR, case, "testimony", _at(app, days=5))
    assert case_service.show(app, COORDINATOR, case)["appointments"] == []


def test_an_interview_inside_the_reflection_period_is_allowed_once_the_victim_consented_to_it(app, case):
    consent.give(app, COORDINATOR, case, "interview", "written", "my", interpreter="interp-07")
    appointments.schedule(app, PROSECUTOR, case, "interview", _at(app, days=5))
    # Consent to one act is not consent to another.
    with pytest.raises(ActionBlocked, match="DNH-01-reflection-consent.*not consented to testimony"):
        appointments.schedule(app, PROSECUTOR, case, "testimony", _at(app, days=6))


def test_the_stage_cannot_move_on_while_the_period_runs_without_the_victims_decision(app, case):
    with pytest.raises(ActionBlocked, match="only the victim's recorded decision ends it early"):
        case_service.change_stage(app, PROSECUTOR, case, "decision", "prosecutor wants to start")
    with pytest.raises(IllegalTransition, match="allowed from reflection: decision, withdrawn"):
        case_service.change_stage(app, PROSECUTOR, case, "trial", "skip ahead")


def test_moving_to_investigation_needs_consent_to_interview_even_after_the_victim_decided(app, case):
    reflection.decide(app, COORDINATOR, case, "cooperate")
    sweep(app, COORDINATOR, app.clock.now())
    assert case_service.show(app, COORDINATOR, case)["stage"] == "decision"
    with pytest.raises(ActionBlocked, match="consent to interview"):
        case_service.change_stage(app, PROSECUTOR, case, "investigation", "start interviews")
    consent.give(app, COORDINATOR, case, "interview", "oral", "my")
    assert case_service.change_stage(app, PROSECUTOR, case, "investigation", "start interviews")["to"] == "investigation"


def test_the_reflection_period_can_be_extended_but_not_beyond_the_maximum(app, case):
    ends = reflection.extend(app, COORDINATOR, case, 10, "still recovering from injuries")
    assert ends.startswith("2026-11-27")  # 15 + 10 days after 2 November, Bangkok time
    with pytest.raises(ActionBlocked, match="maximum"):
        reflection.extend(app, COORDINATOR, case, 100, "too long")


def test_withdrawing_consent_cancels_pending_testimony_but_never_ends_services(app, case):
    consent.give(app, COORDINATOR, case, "testimony", "written", "my", explained=True)
    appointments.schedule(app, PROSECUTOR, case, "testimony", _at(app, days=30))
    before = {s["kind"]: s["status"] for s in case_service.show(app, COORDINATOR, case)["services"]}
    result = consent.withdraw(app, COORDINATOR, case, "testimony")
    view = case_service.show(app, COORDINATOR, case)
    assert result["cancelled"] == 1
    assert [a["status"] for a in view["appointments"]] == ["cancelled"]
    assert {s["kind"]: s["status"] for s in view["services"]} == before == {
        "shelter": "active", "medical": "active", "legal": "active", "psychosocial": "active"}


def test_a_victim_who_declines_moves_to_withdrawn_and_keeps_every_service(app, case):
    reflection.decide(app, COORDINATOR, case, "not_cooperate")
    sweep(app, COORDINATOR, app.clock.now())
    view = case_service.show(app, COORDINATOR, case)
    assert view["stage"] == "withdrawn"
    assert all(s["status"] == "active" for s in view["services"]) and len(view["services"]) == 4


@pytest.mark.parametrize("reason", ["declined_cooperation", "withdrew_from_process", "consent_withdrawn"])
def test_support_cannot_be_ended_because_the_victim_does_not_cooperate(app, case, reason):
    with pytest.raises(ActionBlocked, match="DNH-02-services-cooperation"):
        support.end(app, COORDINATOR, case, "shelter", reason)
    assert all(s["status"] == "active" for s in case_service.show(app, COORDINATOR, case)["services"])


def test_support_can_end_at_the_victims_own_request(app, case):
    support.end(app, COORDINATOR, case, "shelter", "victim_request")
    statuses = {s["kind"]: s["status"] for s in case_service.show(app, COORDINATOR, case)["services"]}
    assert statuses["shelter"] == "ended" and statuses["medical"] == "active"


def test_a_childs_consent_needs_the_guardian_as_a_party(app):
    case = open_case(app, COORDINATOR, child_form())
    with pytest.raises(ActionBlocked, match="guardian must be a party"):
        consent.give(app, COORDINATOR, case, "interview", "written", "id")
    consent.give(app, COORDINATOR, case, "interview", "written", "id", guardian_agreed=True)


def test_consent_on_a_channel_not_marked_safe_is_refused(app, case):
    with pytest.raises(ActionBlocked, match="not marked email as a safe channel"):
        consent.give(app, COORDINATOR, case, "notification:email", "oral", "my")
