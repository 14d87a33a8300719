"""Pure domain rules, without a database."""
import random
from datetime import date, datetime, timedelta, timezone

import pytest

from witness.domain.access import IDENTITY_FIELDS, Actor, Role, require, visible_identity_fields
from witness.domain.consent import Consent, Method, dependents_of, has_consent, valid_scope
from witness.domain.reflection import ReflectionPeriod, VictimDecision
from witness.domain.stage import Stage, TRANSITIONS, check_transition
from witness.domain.support import ENDING_REASONS, COOPERATION_REASONS, end_reason_problem
from witness.domain.victim import AgeStatus, PSEUDONYM_ALPHABET, age_status, new_pseudonym, presumed_child
from witness.errors import ActionBlocked, Forbidden, IllegalTransition

T = datetime(2026, 11, 2, tzinfo=timezone.utc)


def test_an_illegal_transition_names_the_allowed_ones():
    with pytest.raises(IllegalTransition, match="allowed from judgment: appeal, closed, restitution"):
        check_transition(Stage.judgment, Stage.trial)


def test_the_victim_can_withdraw_from_every_cooperating_stage():
    for s in (Stage.reflection, Stage.decision, Stage.investigation, Stage.pre_trial, Stage.trial):
        assert Stage.withdrawn in TRANSITIONS[s]


def test_every_stage_has_a_way_forward_or_back():
    assert all(TRANSITIONS[s] for s in Stage)


@pytest.mark.parametrize("dob,estimate,determined,expected", [
    (date(2010, 1, 1), None, False, AgeStatus.child),
    (date(2000, 1, 1), None, False, AgeStatus.adult),
    (date(2008, 11, 3), None, False, AgeStatus.child),  # turns 18 tomorrow
    (None, 25, False, AgeStatus.uncertain),  # an estimate alone decides nothing
    (None, 25, True, AgeStatus.adult),
    (None, None, False, AgeStatus.uncertain),
])
def test_age_is_uncertain_until_determined(dob, estimate, determined, expected):
    assert age_status(dob, estimate, determined, date(2026, 11, 2)) is expected


def test_uncertain_age_is_presumed_a_child():
    assert presumed_child(AgeStatus.uncertain) and presumed_child(AgeStatus.child)
    assert not presumed_child(AgeStatus.adult)


def test_pseudonyms_avoid_letters_that_are_misread_aloud():
    names = {new_pseudonym(random.Random(i)) for i in range(200)}
    assert len(names) == 200
    for n in names:
        assert n.startswith("W-") and len(n) == 8 and set(n[2:]) <= set(PSEUDONYM_ALPHABET)
    assert not set("01ILOU") & set(PSEUDONYM_ALPHABET)


def test_the_reflection_period_ends_early_only_on_the_victims_decision():
    p = ReflectionPeriod.start(T, 15, 90)
    assert p.is_running(T + timedelta(days=14))
    assert not p.is_running(T + timedelta(days=15))
    decided = p.record_decision(VictimDecision.cooperate, T + timedelta(days=3))
    assert not decided.is_running(T + timedelta(days=4))


def test_an_extension_counts_from_today_when_the_period_is_already_over():
    p = ReflectionPeriod.start(T, 15, 90)
    late = p.extend(5, T + timedelta(days=20))
    assert late.ends_at == T + timedelta(days=25)
    with pytest.raises(ActionBlocked, match="maximum"):
        p.extend(80, T)


def test_consent_is_active_from_giving_until_withdrawal():
    c = Consent("testimony", T, Method.written, "my", "amara", withdrawn_at=T + timedelta(days=2))
    assert has_consent([c], "testimony", T + timedelta(days=1))
    assert not has_consent([c], "testimony", T + timedelta(days=2))
    assert not has_consent([c], "interview", T + timedelta(days=1))


@pytest.mark.parametrize("scope,ok", [("testimony", True), ("data_sharing:lpsk", True), ("notification:sms", True),
                                      ("notification:carrier_pigeon", False), ("data_sharing:", False), ("everything", False)])
def test_consent_scopes_are_specific(scope, ok):
    assert valid_scope(scope) is ok


def test_withdrawing_consent_reaches_what_depends_on_it_and_never_a_support_service():
    assert dependents_of("testimony") == ("appointment:testimony",)
    assert dependents_of("data_sharing:police") == ("data_share:police",)
    every = [d for s in ("interview", "testimony", "medical_exam", "shelter_stay", "return") for d in dependents_of(s)]
    assert not any(d.startswith("service") for d in every)


def test_cooperation_is_never_an_allowed_reason_to_end_support():
    assert not ENDING_REASONS & COOPERATION_REASONS
    # Known reasons, so the engine's DNH-02 (the one copy of the rule) is what refuses them.
    assert all(end_reason_problem(reason) is None for reason in COOPERATION_REASONS | ENDING_REASONS)
    assert end_reason_problem("bored").startswith("use one of completed, returned_home,")


def test_identity_is_hidden_from_roles_without_need_to_know():
    for role in (Role.escort, Role.interpreter, Role.auditor, Role.admin, Role.system):
        assert visible_identity_fields(Actor("x", role), "x") == frozenset()
    assert visible_identity_fields(Actor("amara", Role.coordinator), "amara") == frozenset(IDENTITY_FIELDS)
    assert visible_identity_fields(Actor("dewi", Role.coordinator), "amara") == frozenset()
    assert "address" not in visible_identity_fields(Actor("p", Role.prosecutor), None)


def test_permissions_fail_closed_for_unknown_actions():
    with pytest.raises(Forbidden):
        require(Actor("root", Role.admin), "no.such.permission")


def test_actor_parsing_names_the_problem():
    assert Actor.parse("amara:coordinator") == Actor("amara", Role.coordinator)
    with pytest.raises(Forbidden, match="unknown role"):
        Actor.parse("amara:boss")
    with pytest.raises(Forbidden, match="USER:ROLE"):
        Actor.parse("amara")
