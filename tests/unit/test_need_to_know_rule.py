"""The one need-to-know rule (R-70, R-111), pure: who is on a case, and what each role may do there."""
import ast
from pathlib import Path

import pytest

from witness.domain.access import Actor, CaseAccess, Role, identity_fields, may_act_on, require_on, staff_feed
from witness.errors import Forbidden
from witness.settings import PROJECT_ROOT

CASE = CaseAccess("W-AAAA11", coordinators=frozenset({"amara", "lin"}), prosecutors=frozenset({"somchai"}),
                  lawyers=frozenset({"hana", "nok"}), escorts=frozenset({"F1"}), interpreters=frozenset({"interp-07"}))


@pytest.mark.parametrize("user, role, action, allowed", [
    ("amara", Role.coordinator, "consent.record", True),
    ("lin", Role.coordinator, "consent.record", True),  # assigned through her account
    ("dewi", Role.coordinator, "consent.record", False),  # another coordinator's case
    ("somchai", Role.prosecutor, "case.stage", True),
    ("preecha", Role.prosecutor, "case.read", False),
    ("somchai", Role.prosecutor, "consent.record", False),  # on the case, but not the prosecutor's to record
    ("hana", Role.legal_aid, "case.read", True),
    ("budi", Role.legal_aid, "case.read", False),
    ("F1", Role.escort, "case.read", False),  # on the case through her appearance; reads no case file
    ("audit-1", Role.auditor, "case.read", True),  # every case, pseudonymised
    ("audit-1", Role.auditor, "consent.record", False),
    ("root-1", Role.admin, "plan.run", True),
    ("root-1", Role.admin, "case.read", False),
])
def test_a_role_acts_only_where_it_is_granted_and_on_the_case(user, role, action, allowed):
    assert may_act_on(Actor(user, role), CASE, action) is allowed


def test_a_claim_is_changed_only_by_its_own_lawyer_while_the_case_people_follow_it():
    claim = CASE.of_claim("CL-AAAA1111", "hana")
    assert may_act_on(Actor("hana", Role.legal_aid), claim, "claim.write")
    assert not may_act_on(Actor("nok", Role.legal_aid), claim, "claim.write")  # on the case, not her claim
    assert may_act_on(Actor("somchai", Role.prosecutor), claim, "claim.demand")
    assert may_act_on(Actor("amara", Role.coordinator), claim, "claim.notes")
    assert not may_act_on(Actor("somchai", Role.prosecutor), claim, "claim.notes")


def test_a_hearing_is_everyone_on_one_of_its_cases():
    other = CaseAccess("W-BBBB22", coordinators=frozenset({"dewi"}), prosecutors=frozenset({"rahmat"}))
    hearing = CaseAccess("H-AAAA1111", prosecutors=frozenset({"somchai"})) | CASE | other
    assert hearing.record == "H-AAAA1111"
    assert may_act_on(Actor("dewi", Role.coordinator), hearing, "hearing.schedule")
    assert may_act_on(Actor("amara", Role.coordinator), hearing, "hearing.schedule")
    assert not may_act_on(Actor("ploy", Role.coordinator), hearing, "hearing.schedule")


def test_a_staff_calendar_is_its_subjects_own_and_any_coordinator_hands_it_on():
    feed = staff_feed("escort", "F1")
    assert may_act_on(Actor("F1", Role.escort), feed, "calendar.export")
    assert not may_act_on(Actor("F2", Role.escort), feed, "calendar.export")
    assert not may_act_on(Actor("F1", Role.interpreter), feed, "calendar.export")
    assert may_act_on(Actor("dewi", Role.coordinator), feed, "calendar.export")
    assert not may_act_on(Actor("somchai", Role.prosecutor), feed, "calendar.export")
    assert not may_act_on(Actor("amara", Role.coordinator), CASE.only(Role.prosecutor), "calendar.victim")


def test_identity_is_the_roles_fields_and_only_on_a_case_the_reader_is_on():
    assert identity_fields(Actor("somchai", Role.prosecutor), CASE) == {"legal_name", "aliases", "date_of_birth"}
    assert identity_fields(Actor("preecha", Role.prosecutor), CASE) == frozenset()
    assert identity_fields(Actor("budi", Role.legal_aid), CASE) == frozenset()
    assert "address" in identity_fields(Actor("lin", Role.coordinator), CASE)
    assert identity_fields(Actor("audit-1", Role.auditor), CASE) == frozenset()


def test_a_refusal_names_the_record_and_the_action_and_no_one_else():
    with pytest.raises(Forbidden) as role:
        require_on(Actor("F1", Role.escort), CASE, "case.read")
    assert str(role.value) == "escort may not case.read"
    with pytest.raises(Forbidden) as record:
        require_on(Actor("dewi", Role.coordinator), CASE, "consent.record")
    assert str(record.value) == ("W-AAAA11: not one of your cases; a coordinator may consent.record only on the cases "
                                 "they are on (need to know)")


def _service_functions():
    for path in sorted((PROJECT_ROOT / "witness" / "services").glob("*.py")):
        for fn in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_") and \
                    [a.arg for a in fn.args.args[:2]] == ["app", "actor"]:
                yield path.stem, fn


# Service functions that act for a person but are not about a victim's records, each with its reason.
NOT_ABOUT_A_CASE = {
    ("access", "need_to_know"): "the rule itself", ("access", "refused"): "audits a refusal",
    ("access", "record_denial"): "audits a refusal",
    # Accounts: who may manage them is the accounts area's own rule (MANAGE_ROLES), audited at the edges.
    **{("accounts", name): "accounts and sessions" for name in (
        "add", "disable", "reset", "assign", "require_account", "change_password", "set_language")},
    ("roster", "people"): "accounts and sessions",
    ("signatures", "set_signature"): "the name and office a person signs with (accounts)",
    **{("subscriptions", name): "a person's own calendar link" for name in ("issue", "revoke", "live_since")},
}
# Calls that stand for the rule: the gate itself, a list kept to the cases the rule allows, and the
# helpers through which a service's public variants reach it.
ASKS = {"need_to_know", "allowed_cases", "_add", "_may_generate", "generate_many", "page_of_cases", "cases_on"}


def test_every_service_that_acts_for_a_person_asks_need_to_know_first():
    missing = []
    for module, fn in _service_functions():
        calls = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        if (module, fn.name) in NOT_ABOUT_A_CASE or calls & ASKS:
            continue
        missing.append(f"{module}.{fn.name}")
    assert missing == []
