"""Erasing a victim is destroying one data key (R-71 crypto-shredding, R-101a): afterwards no
ciphertext of that victim decrypts under any key the system holds, other victims read as before,
and the audit chain still verifies."""
import base64
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from tests.conftest import ADMIN, AUDITOR, COORDINATOR, T0, adult_form
from witness.clock import FixedClock
from witness.errors import ActionBlocked, Forbidden, InputProblems
from witness.services import audit as audit_service
from witness.services import cases as case_service
from witness.services import risk
from witness.services.intake import open_case
from witness.services.keys import erase, rotate
from witness.store.crypto import unwrap
from witness.store.key_tables import data_keys
from witness.store.risk_tables import risk_assessments
from witness.store.tables import ENCRYPTED_IDENTITY_COLUMNS, identities, stage_history


def _closed_cases(app, *names):
    """Cases opened now and closed once their reflection periods are long over; the clock stays there
    (the audit log runs forward in time)."""
    ids = []
    for name in names:
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=name)
        ids.append(open_case(app, COORDINATOR, form))
    app.clock = FixedClock(T0 + timedelta(days=120))
    for case in ids:
        case_service.change_stage(app, COORDINATOR, case, "withdrawn", "the victim stopped cooperating")
        case_service.change_stage(app, COORDINATOR, case, "closed", "support ended at the victim's request")
    return ids


def _ciphertexts(app, case):
    with app.engine.connect() as c:
        ident = c.execute(select(identities).where(identities.c.case_id == case)).first()
        found = [(("identities", col), getattr(ident, col)) for col in ENCRYPTED_IDENTITY_COLUMNS]
        found += [(("stage_history", "reason"), r.reason)
                  for r in c.execute(select(stage_history.c.reason).where(stage_history.c.case_id == case))]
        found += [(("risk_assessments", "answers", r.id), r.answers)
                  for r in c.execute(select(risk_assessments).where(risk_assessments.c.case_id == case))]
    return [(place, v) for place, v in found if v is not None]


def _every_key_the_system_holds(app, only=None):
    keys = [] if only else list(app.keyring.data_keys.values()) + [app.keyring.audit_key, app.keyring.index_key]
    with app.engine.connect() as c:
        for r in c.execute(select(data_keys).where(data_keys.c.wrapped.is_not(None))):
            if only is None or r.owner == only:
                keys.append(unwrap(app.keyring, r.owner, r.kek_id, r.wrapped))
    return keys


def _open(key, place, stored, case):
    key_id, body = stored.split(":", 1)
    raw, row_id = base64.b64decode(body), place[2] if len(place) == 3 else case
    return AESGCM(key).decrypt(raw[:12], raw[12:], f"{place[0]}|{place[1]}|{row_id}|{key_id}".encode())


def test_after_erasure_no_ciphertext_of_the_victim_decrypts_and_the_chain_verifies(app):
    gone, kept = _closed_cases(app, "Aung Min Thein", "Second Victim")
    # The victim's own words in a risk assessment are theirs too, though the row is the assessment's.
    risk.record(app, COORDINATOR, gone, {"trigger": "initial", "victim": {"own_words": "he knows my village", "fear_scale": 5}})
    risk.record(app, COORDINATOR, kept, {"trigger": "initial", "victim": {"own_words": "calm now", "fear_scale": 1}})
    values = _ciphertexts(app, gone)
    assert len(values) >= 6  # name, date of birth, address, phone and three stage reasons
    victim_key = _every_key_the_system_holds(app, only=gone)[0]
    for place, stored in values:  # the check below, made while the key exists, opens every one
        assert _open(victim_key, place, stored, gone)
    done = erase(app, ADMIN, gone, "victim_request")
    assert done.case == gone and done.values == len(values)
    # The stored ciphertexts are the same bytes as before: only the key went.
    assert _ciphertexts(app, gone) == values
    keys = _every_key_the_system_holds(app)
    assert any(place[0] == "risk_assessments" for place, _ in values)
    for place, stored in values:
        for key in keys:
            with pytest.raises((InvalidTag, ValueError)):
                _open(key, place, stored, gone)
    view = case_service.show(app, COORDINATOR, gone)
    assert view["identity"]["legal_name"] is None and view["identity"]["address"] is None
    assert all(h["reason"] is None for h in view["stage_history"])
    assert view["stage"] == "closed"  # the pseudonymised case stays
    assert case_service.show(app, COORDINATOR, kept)["identity"]["legal_name"] == "Second Victim"
    result = audit_service.verify(app, AUDITOR)
    assert result.ok, result.problems
    # A KEK rotation afterwards rewraps the living keys and never brings the destroyed one back.
    rotate(app, ADMIN)
    with app.engine.connect() as c:
        row = c.execute(select(data_keys).where(data_keys.c.owner == gone)).first()
    assert row.wrapped is None and row.destroyed_by == ADMIN.user
    assert case_service.show(app, COORDINATOR, kept)["identity"]["legal_name"] == "Second Victim"
    assert audit_service.verify(app, AUDITOR).ok


def test_an_open_case_an_erased_case_no_reason_and_a_coordinator_are_refused(app):
    open_one = open_case(app, COORDINATOR, adult_form())
    with pytest.raises(ActionBlocked, match=f"case {open_one}: stage is reflection; only a closed case can be erased"):
        erase(app, ADMIN, open_one, "victim_request")
    closed, = _closed_cases(app, "Aung Min Thein")
    with pytest.raises(Forbidden):
        erase(app, COORDINATOR, closed, "victim_request")
    with pytest.raises(InputProblems, match="reason: say why"):
        erase(app, ADMIN, closed, "  ")
    erase(app, ADMIN, closed, "victim_request")
    with pytest.raises(ActionBlocked, match=f"case {closed}: already erased"):
        erase(app, ADMIN, closed, "victim_request")
    assert case_service.show(app, COORDINATOR, open_one)["identity"]["legal_name"] == "Aung Min Thein"


def test_an_override_reason_given_on_the_case_is_shredded_with_the_victim(app):
    """A reason typed to override a Do No Harm warning is about the victim ("her cousin vouched for
    ..."): it goes under her key and no key opens it after the erasure."""
    from witness.store.risk_tables import guardrail_overrides
    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name="Aung Min Thein")
    case = open_case(app, COORDINATOR, form)
    risk.report(app, COORDINATOR, case, "settlement_pressure")
    app.clock = FixedClock(T0 + timedelta(days=120))
    case_service.change_stage(app, COORDINATOR, case, "withdrawn", "the victim stopped cooperating",
                              overrides={"DNH-12-settlement-pressure": "Aung Min Thein's cousin vouched for the offer"})
    case_service.change_stage(app, COORDINATOR, case, "closed", "support ended at the victim's request",
                              overrides={"DNH-12-settlement-pressure": "followed up with Aung Min Thein"})
    with app.engine.connect() as c:
        rows = c.execute(select(guardrail_overrides).where(guardrail_overrides.c.case_id == case)).all()
    assert rows, "the override was recorded"
    victim_key = _every_key_the_system_holds(app, only=case)[0]
    for r in rows:
        assert b"Aung Min Thein" in _open(victim_key, ("guardrail_overrides", "reason", r.id), r.reason, case)
    erase(app, ADMIN, case, "victim_request")
    for r in rows:
        for key in _every_key_the_system_holds(app):
            with pytest.raises((InvalidTag, ValueError)):
                _open(key, ("guardrail_overrides", "reason", r.id), r.reason, case)


def test_an_erasure_reason_is_a_code_and_free_text_never_reaches_the_audit_log(app):
    closed, = _closed_cases(app, "Aung Min Thein")
    with pytest.raises(InputProblems) as refused:
        erase(app, ADMIN, closed, "Aung Min Thein asked to be forgotten")
    assert "reason: not a known reason; one of victim_request" in str(refused.value)
    assert "Aung" not in str(refused.value)
    with app.engine.connect() as c:
        row = c.execute(select(data_keys).where(data_keys.c.owner == closed)).first()
    assert row.wrapped is not None, "a refused erasure destroys nothing"
    erase(app, ADMIN, closed, "retention_ended")
    from witness.store.tables import audit_log
    with app.engine.connect() as c:
        purposes = [r.purpose for r in c.execute(select(audit_log).where(audit_log.c.action == "case.erase"))]
    assert len(purposes) == 1 and purposes[0].endswith("reason: retention_ended")
