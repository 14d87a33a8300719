"""One gate (R-33, issue 11): every public service function that takes (app, actor, ...) and every
sweep follow-up declares whether it passes the Do No Harm gate; a declared gate is really reached;
and the rules that used to sit beside the engine are the engine's own, so `witness check` and the
action say the same thing."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
import types
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

import witness.services
from witness.domain.consent import Consent, Method
from witness.domain.guardrails import (DETAILS, ActionKind, CaseFacts, Proposed, Severity, evaluate, gated, ungated,
                                       unresolved)
from witness.domain.reflection import ReflectionPeriod, VictimDecision
from witness.domain.victim import AgeStatus

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)
OPENED = NOW - timedelta(days=28)  # a 15-day period: ended two weeks ago


# --- every state-changing service function declares its gate ------------------------------------

def _service_modules() -> list[types.ModuleType]:
    return [importlib.import_module(f"witness.services.{m.name}")
            for m in pkgutil.iter_modules(witness.services.__path__)]


def _takes_app_and_actor(fn) -> bool:
    params = list(inspect.signature(fn).parameters)
    return params[:2] == ["app", "actor"]


def undeclared(modules) -> list[str]:
    """Public functions taking (app, actor, ...) defined in these modules with no gate declaration."""
    return [f"{m.__name__}.{name}" for m in modules for name, fn in vars(m).items()
            if inspect.isfunction(fn) and fn.__module__ == m.__name__ and not name.startswith("_")
            and _takes_app_and_actor(fn) and not hasattr(fn, "__gate__")]


def _declared() -> list[tuple[str, object]]:
    out = []
    for m in _service_modules():
        for name, fn in vars(m).items():
            if inspect.isfunction(fn) and fn.__module__ == m.__name__ and hasattr(fn, "__gate__"):
                out.append((f"{m.__name__}.{name}", fn))
    return sorted(out, key=lambda x: x[0])


def _follow_ups():
    try:  # the wiring module is the registry once it exists (issue 11, item 1)
        from witness.wiring import follow_ups
    except ImportError:
        from witness.services.sweep import all_follow_ups as follow_ups
    found = list(follow_ups())
    assert len(found) > 5
    return found


def test_every_service_function_taking_app_and_actor_declares_whether_it_passes_the_gate():
    assert undeclared(_service_modules()) == []


def test_the_enumeration_catches_a_function_that_declares_nothing():
    fake = types.ModuleType("witness.services.fake")
    exec(textwrap.dedent("""
        def write(app, actor, case_id): ...
        def _helper(app, actor): ...
        def read_only(conn, case_id): ...
    """), fake.__dict__)
    assert undeclared([fake]) == ["witness.services.fake.write"]


def test_every_sweep_follow_up_declares_whether_it_passes_the_gate():
    assert [f.name for f in _follow_ups() if not hasattr(f.process, "__gate__")] == []


def test_an_ungated_function_says_why_and_a_gated_one_names_its_actions():
    for name, fn in _declared() + [(f.name, f.process) for f in _follow_ups()]:
        gate = fn.__gate__
        if isinstance(gate, str):
            assert len(gate.strip()) > 10, name
        else:
            assert gate and all(isinstance(k, ActionKind) for k in gate), name
    with pytest.raises(ValueError):
        ungated("  ")


_GATE = {"enforce", "check", "automatic"}


def _reaches_gate(fn, seen: set, depth: int = 0) -> bool:
    """Follows the calls a function makes into witness.services (names resolved through the
    function's own module, as Python would) until one is the guardrail service's gate."""
    fn = inspect.unwrap(fn)
    if id(fn) in seen or depth > 6:
        return False
    seen.add(id(fn))
    if fn.__module__ == "witness.services.guardrails" and fn.__name__ in _GATE:
        return True
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError):
        return False
    scope = dict(fn.__globals__)
    if fn.__closure__:
        scope.update({n: c.cell_contents for n, c in zip(fn.__code__.co_freevars, fn.__closure__)})
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("witness.services"):
            mod = importlib.import_module(node.module)
            scope.update({a.asname or a.name: getattr(mod, a.name, None) for a in node.names})
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Name):
            target = scope.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner = scope.get(node.func.value.id)
            target = getattr(owner, node.func.attr, None) if isinstance(owner, types.ModuleType) else None
        if inspect.isfunction(target) and target.__module__.startswith("witness.services") \
                and _reaches_gate(target, seen, depth + 1):
            return True
    return False


def test_a_function_declared_gated_really_reaches_the_gate():
    gated_fns = [(n, fn) for n, fn in _declared() if not isinstance(fn.__gate__, str)]
    gated_fns += [(f.name, f.process) for f in _follow_ups() if not isinstance(f.process.__gate__, str)]
    assert len(gated_fns) > 10
    assert [n for n, fn in gated_fns if not _reaches_gate(fn, set())] == []


def test_the_gate_finder_sees_a_declared_gate_that_is_never_called():
    @gated(ActionKind.stage_change)
    def sneaky(app, actor, case_id):
        return case_id

    assert not _reaches_gate(sneaky, set())


# --- the rules that sat beside the engine are the engine's ---------------------------------------

def consent(scope, guardian_agreed=False):
    return Consent(scope, OPENED, Method.written, "my", "amara", guardian_agreed=guardian_agreed)


def case(**over) -> CaseFacts:
    base = CaseFacts(case_id="W-TEST22", jurisdiction="TH", stage="decision", age_status=AgeStatus.adult,
                     has_guardian=False, gender="female", escort_gender_preference=None,
                     safe_channels=("sms",), consents=(), reflection=ReflectionPeriod.start(OPENED, 15, 90),
                     nationality="TH")
    return replace(base, **over)


def fired(kind, facts, **details) -> dict[str, Severity]:
    return {f.rule: f.severity for f in evaluate(Proposed(kind, facts, details), NOW)}


def test_testimony_after_the_reflection_period_needs_consent_and_the_engine_says_so():
    assert fired(ActionKind.schedule_appearance, case(), act="testimony", at=NOW + timedelta(days=2)) == {
        "DNH-13-act-consent": Severity.block}
    assert fired(ActionKind.schedule_appearance, case(consents=(consent("testimony"),)), act="testimony") == {}
    assert "DNH-13-act-consent" in fired(ActionKind.schedule_appearance, case(), act="medical_exam")


def test_a_childs_consent_to_an_act_needs_the_guardian_as_a_party():
    child = case(age_status=AgeStatus.child, has_guardian=True)
    assert "DNH-13-act-consent" in fired(ActionKind.stage_change, replace(child, consents=(consent("interview"),)),
                                         target="investigation")
    assert fired(ActionKind.stage_change, replace(child, consents=(consent("interview", guardian_agreed=True),)),
                 target="investigation") == {}


def test_leaving_the_reflection_stage_early_or_against_the_victims_decision_is_blocked():
    running = case(stage="reflection", reflection=ReflectionPeriod.start(NOW - timedelta(days=3), 15, 90))
    [f] = evaluate(Proposed(ActionKind.stage_change, running, {"target": "decision"}), NOW)
    assert f.rule == "DNH-01-reflection-consent" and "only the victim's recorded decision ends it early" in f.explanation
    declined = case(stage="reflection", reflection=replace(running.reflection, decision=VictimDecision.not_cooperate,
                                                           decided_at=NOW - timedelta(days=1)))
    assert "DNH-01-reflection-consent" in fired(ActionKind.stage_change, declined, target="decision")
    assert fired(ActionKind.stage_change, declined, target="withdrawn") == {}


def test_shelter_needs_consent_to_stay_and_returned_home_needs_consent_to_return():
    assert "DNH-13-act-consent" in fired(ActionKind.start_service, case(), service="shelter")
    assert fired(ActionKind.start_service, case(), service="medical") == {}
    assert "DNH-13-act-consent" in fired(ActionKind.end_service, case(), service="shelter", reason="returned_home")
    assert fired(ActionKind.end_service, case(consents=(consent("return"),)), service="shelter",
                 reason="returned_home") == {}
    assert "DNH-13-act-consent" in fired(ActionKind.plan_return, case())


def test_an_unaccompanied_child_is_sheltered_at_once_guardian_or_not():
    alone = case(age_status=AgeStatus.child, consents=(consent("shelter_stay", guardian_agreed=True),))
    assert fired(ActionKind.start_service, alone, service="shelter") == {}


def test_withdrawing_a_claim_under_settlement_pressure_warns_and_other_endings_do_not():
    pressed = case(settlement_pressure_reported=True)
    findings = evaluate(Proposed(ActionKind.resolve_claim, pressed, {"status": "withdrawn"}), NOW)
    assert [(f.rule, f.severity) for f in findings] == [("DNH-12-settlement-pressure", Severity.warn)]
    assert unresolved(findings, {"DNH-12-settlement-pressure": "her informed choice after advice"}) == []
    assert fired(ActionKind.resolve_claim, pressed, status="unenforced") == {}


def test_a_document_or_calendar_outside_the_cases_circle_needs_consent_to_share():
    for role in ("court", "police", "prosecutor", "legal_aid", "coordinator", "victim"):
        assert fired(ActionKind.generate_document, case(), recipient_role=role) == {}, role
    assert "DNH-10-data-sharing-consent" in fired(ActionKind.generate_document, case(), recipient_role="guardian")
    assert "DNH-10-data-sharing-consent" in fired(ActionKind.publish_calendar, case(), recipient_role="guardian")
    assert fired(ActionKind.publish_calendar, case(consents=(consent("data_sharing:guardian"),)),
                 recipient_role="guardian") == {}
    child = case(age_status=AgeStatus.child, has_guardian=True)
    assert fired(ActionKind.generate_document, child, recipient_role="guardian") == {}


def test_a_request_about_an_appearance_needs_consent_to_testify():
    assert "DNH-13-act-consent" in fired(ActionKind.generate_document, case(), recipient_role="court", about="hearing")
    assert fired(ActionKind.generate_document, case(), recipient_role="court", about="claim") == {}


def test_every_action_kind_lists_the_details_its_rules_read():
    assert set(DETAILS) == set(ActionKind)


# --- the last copies beside the engine: support's reasons, consent's channel, the claim's guardian,
# --- the claims' close veto (each now a rule or a fact the engine evaluates) ---------------------

def test_the_domain_leaves_the_cooperation_rule_to_the_engine():
    from witness.domain.support import COOPERATION_REASONS, end_reason_problem

    assert all(end_reason_problem(r) is None for r in COOPERATION_REASONS)  # known reasons: DNH-02 refuses them
    assert fired(ActionKind.end_service, case(), service="shelter", reason="declined_cooperation") == {
        "DNH-02-services-cooperation": Severity.block}


def test_consent_to_be_told_on_a_channel_not_marked_safe_is_dnh_09():
    assert fired(ActionKind.give_consent, case(), scope="notification:email") == {"DNH-09-unsafe-channel": Severity.block}
    assert fired(ActionKind.give_consent, case(), scope="notification:sms") == {}
    assert fired(ActionKind.give_consent, case(explained_scopes=("testimony",)), scope="testimony") == {}
    # The victim's own decision is recorded for a child with no guardian yet (the guardian as a party
    # to the consent is the consent's own rule, R-15): DNH-04 is not asked.
    assert fired(ActionKind.give_consent, case(age_status=AgeStatus.child, explained_scopes=("testimony",)),
                 scope="testimony") == {}


def test_a_claim_in_a_childs_name_needs_a_guardian_recorded():
    assert fired(ActionKind.open_claim, case(age_status=AgeStatus.uncertain)) == {"DNH-04-child-guardian": Severity.block}
    assert fired(ActionKind.open_claim, case(age_status=AgeStatus.child, has_guardian=True)) == {}
    assert fired(ActionKind.open_claim, case()) == {}


def test_a_case_closes_only_when_its_claims_are_resolved():
    open_claims = case(stage="withdrawn", unresolved_claims=("CL-AAAA (filed)",))
    [f] = evaluate(Proposed(ActionKind.stage_change, open_claims, {"target": "closed"}), NOW)
    assert (f.rule, f.severity, f.overridable) == ("DNH-14-claims-unresolved", Severity.block, False)
    assert "W-TEST22 cannot close while its restitution claim(s) CL-AAAA (filed) are unresolved" in f.explanation
    assert unresolved([f], {"DNH-14-claims-unresolved": "we want to close"}) == [f]  # no reason closes it
    assert fired(ActionKind.stage_change, replace(open_claims, unresolved_claims=()), target="closed") == {}
    assert fired(ActionKind.stage_change, case(stage="trial", unresolved_claims=("CL-AAAA (filed)",)),
                 target="judgment") == {}
