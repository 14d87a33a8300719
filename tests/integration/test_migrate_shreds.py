"""`witness keys migrate` puts every value of a victim under her own data key (R-71, R-101a), not
only her identity: a store from before data keys holds her risk answers, a claim's notes, the place
she was detained... directly under the shared key-encryption key (or, after an earlier migrate, under
the shared data key), and erasing her would have left all of that readable. After the migration,
erasing the victim leaves no ciphertext of hers that any key the system holds opens, other victims
read as before, and the audit chain verifies."""
import base64
import re
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update

from tests.conftest import ADMIN, AUDITOR, COORDINATOR, PROSECUTOR, T0, adult_form
from tests.people import put_on_case
from witness.clock import FixedClock
from witness.domain.access import Actor, Role
from witness.services import accounts, claims, detention, risk
from witness.services import audit as audit_service
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.services.keys import encrypted_columns, erase, migrate, victim_of
from witness.store.care_tables import circumstances, detentions
from witness.store.claim_tables import claim_items, claim_payments
from witness.store.claim_tables import claims as claims_table
from witness.store.crypto import FieldCipher, unwrap
from witness.store.key_tables import data_keys
from witness.store.risk_tables import guardrail_overrides, risk_assessments
from witness.store.tables import ENCRYPTED_IDENTITY_COLUMNS, audit_log, identities, stage_history

LAWYER = Actor("hana", Role.legal_aid)


def _victim_with_values_everywhere(app, name: str) -> str:
    """A closed case whose victim has values in every area a case reaches from the command line:
    identity, stage reasons, risk answers, an override reason, pregnancy, a place of detention, a
    claim with its items, payer and payment."""
    form = adult_form(circumstances={"pregnancy": "pregnant"})
    form["victim"] = dict(form["victim"], legal_name=name)
    case = open_case(app, COORDINATOR, form)
    put_on_case(app, LAWYER, case)
    put_on_case(app, PROSECUTOR, case)
    risk.record(app, COORDINATOR, case, {"trigger": "initial", "victim": {"own_words": f"{name}: he knows my village",
                                                                          "fear_scale": 5}})
    detention.record(app, COORDINATOR, case, "immigration_detention", place=f"Suan Phlu IDC, {name}")
    cid = claims.new(app, LAWYER, case, note=f"{name} wants the wages")["claim"]
    claims.add_item(app, LAWYER, cid, "medical_costs", "10000", evidence=f"receipts of {name}", note="clinic")
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "10000", T0.date().isoformat(), payer="the employer", due_on="2026-12-01")
    claims.pay(app, LAWYER, cid, "10000", "THB", T0.date().isoformat(), f"TRX-{name}", note=f"paid to {name}")
    risk.report(app, COORDINATOR, case, "settlement_pressure")
    return case


def _close(app, *cases):
    app.clock = FixedClock(T0 + timedelta(days=200))
    for case in cases:
        detention.end(app, COORDINATOR, case)
        case_service.change_stage(app, COORDINATOR, case, "withdrawn", "the victim stopped cooperating",
                                  overrides={"DNH-12-settlement-pressure": "her cousin vouched for the offer"})
        case_service.change_stage(app, COORDINATOR, case, "closed", "support ended at the victim's request",
                                  overrides={"DNH-12-settlement-pressure": "followed up with her"})


# Where each of the victim's ciphertexts sits: (table, column) -> how to find her rows, and the value
# the ciphertext is bound to. Written out here, not taken from the code under test.
_HERS = [
    (identities, ENCRYPTED_IDENTITY_COLUMNS, lambda case: identities.c.case_id == case, "case_id"),
    (stage_history, ("reason",), lambda case: stage_history.c.case_id == case, "case_id"),
    (risk_assessments, ("answers",), lambda case: risk_assessments.c.case_id == case, "id"),
    (guardrail_overrides, ("reason",), lambda case: guardrail_overrides.c.case_id == case, "id"),
    (circumstances, ("pregnancy",), lambda case: circumstances.c.case_id == case, "case_id"),
    (detentions, ("place",), lambda case: detentions.c.case_id == case, "id"),
    (claims_table, ("payer", "note"), lambda case: claims_table.c.case_id == case, "id"),
    (claim_items, ("evidence", "note"), lambda case: claim_items.c.claim_id.in_(
        select(claims_table.c.id).where(claims_table.c.case_id == case)), "id"),
    (claim_payments, ("reference", "note"), lambda case: claim_payments.c.claim_id.in_(
        select(claims_table.c.id).where(claims_table.c.case_id == case)), "id"),
]


def _ciphertexts(app, case) -> list[tuple[str, str, str, str]]:
    """(table, column, bound row id, stored) of every value of the victim."""
    found = []
    with app.engine.connect() as c:
        for table, cols, mine, bound in _HERS:
            rows = c.execute(select(table).where(mine(case))).all()
            assert rows, f"the set-up wrote no {table.name} row for the victim"
            found += [(table.name, col, str(getattr(r, bound)), getattr(r, col)) for r in rows for col in cols
                      if getattr(r, col) is not None]
    return found


def _make_legacy(app, under_shared_data_key=("claims", "claim_items", "claim_payments", "risk_assessments")):
    """The store as before data keys: every value directly under the keyring's key (k1:...) and no
    data keys; some tables as an earlier `keys migrate` left them, under the shared data key (dk:...)."""
    legacy = FieldCipher(app.keyring)
    with app.engine.begin() as c:
        current = app.cipher.on(c)
        plain = []
        for table, pk, cols, bound in encrypted_columns():
            for row in c.execute(select(table)).all():
                rid = str(getattr(row, bound))
                plain.append((table, pk, getattr(row, pk), rid, {col: current.decrypt(table.name, col, rid, getattr(row, col))
                                                                   for col in cols}))
        c.execute(delete(data_keys))
        shared = app.cipher.on(c)  # no owner given: a non-victim table's values go under the shared data key
        for table, pk, key, rid, values in plain:
            enc = shared if table.name in under_shared_data_key else legacy
            c.execute(update(table).where(table.c[pk] == key).values(
                **{col: enc.encrypt(table.name, col, rid, v) for col, v in values.items()}))


def _every_key_the_system_holds(app) -> list[bytes]:
    keys = list(app.keyring.data_keys.values()) + [app.keyring.audit_key, app.keyring.index_key]
    with app.engine.connect() as c:
        keys += [unwrap(app.keyring, r.owner, r.kek_id, r.wrapped)
                 for r in c.execute(select(data_keys).where(data_keys.c.wrapped.is_not(None)))]
    return keys


def _opens(key: bytes, table: str, column: str, row_id: str, stored: str) -> bool:
    key_id, body = stored.split(":", 1)
    raw = base64.b64decode(body)
    try:
        AESGCM(key).decrypt(raw[:12], raw[12:], f"{table}|{column}|{row_id}|{key_id}".encode())
        return True
    except (InvalidTag, ValueError):
        return False


def _migrate_audits(app) -> list[str]:
    with app.engine.connect() as c:
        return [r.purpose for r in c.execute(select(audit_log).where(audit_log.c.action == "keys.migrate")
                                             .order_by(audit_log.c.seq))]


def test_every_encrypted_table_says_whose_values_it_holds():
    for table, _pk, _cols, bound in encrypted_columns():
        victim_of(table, bound)  # raises for a table that says nothing


def test_after_migrate_and_erasure_no_ciphertext_of_the_victim_decrypts_and_the_chain_verifies(app):
    gone = _victim_with_values_everywhere(app, "Aung Min Thein")
    kept = _victim_with_values_everywhere(app, "Second Victim")
    accounts.add(app, ADMIN, "amara", "coordinator")  # a staff member's second factor: stays shared
    _close(app, gone, kept)
    _make_legacy(app)
    before = _ciphertexts(app, gone)
    assert len(before) >= 15
    assert all(re.match(r"(k1|dk):", v) for *_, v in before), "the set-up left a value under a victim's own key"
    assert any(v.startswith("k1:") for *_, v in before) and any(v.startswith("dk:") for *_, v in before)

    first = migrate(app, ADMIN, batch=2, max_batches=1)  # interrupted after one committed transaction
    assert 1 <= first <= 2
    assert any(re.match(r"(k1|dk):", v) and t not in ("identities", "stage_history") for t, _, _, v in _ciphertexts(app, gone))
    rest = migrate(app, ADMIN, batch=2)
    assert rest > 0 and migrate(app, ADMIN, batch=2) == 0  # resumed, then nothing left: idempotent
    audits = _migrate_audits(app)
    assert audits and all(int(p.split()[0]) <= 2 for p in audits)  # no transaction moved more than a batch

    after = _ciphertexts(app, gone)
    assert len(after) == len(before)
    with app.engine.connect() as c:
        wrapped = c.execute(select(data_keys).where(data_keys.c.owner == gone)).one()
    her_key = unwrap(app.keyring, gone, wrapped.kek_id, wrapped.wrapped)
    for table, col, rid, stored in after:
        expected = "dk:" if table in ("identities", "stage_history") else f"dk={gone}:"
        assert stored.startswith(expected), (table, col)
        assert _opens(her_key, table, col, rid, stored), (table, col)
    assert case_service.show(app, COORDINATOR, gone)["identity"]["legal_name"] == "Aung Min Thein"
    assert app.cipher.decrypt("detentions", "place", *[(r, v) for t, _, r, v in after if t == "detentions"][0]) \
        == "Suan Phlu IDC, Aung Min Thein"

    done = erase(app, ADMIN, gone, "victim_request")
    assert done.values == len(after)
    assert _ciphertexts(app, gone) == after  # the same bytes: only the key went
    keys = _every_key_the_system_holds(app)
    for table, col, rid, stored in after:
        assert not any(_opens(k, table, col, rid, stored) for k in keys), (table, col)
        assert app.cipher.decrypt(table, col, rid, stored) is None
    assert case_service.show(app, COORDINATOR, kept)["identity"]["legal_name"] == "Second Victim"
    assert [app.cipher.decrypt(t, c, r, v) for t, c, r, v in _ciphertexts(app, kept) if t == "claim_payments"
            and c == "note"] == ["paid to Second Victim"]
    result = audit_service.verify(app, AUDITOR)
    assert result.ok, result.problems


def test_values_a_victim_erased_before_the_fix_left_under_the_shared_key_are_made_unreadable(app):
    """An erasure by an earlier version destroyed her data key but left her risk answers, claim notes...
    under the shared key: the migration cannot put them under a key that no longer exists, so it
    replaces them by bytes no key opens, and says so in the audit log."""
    gone = _victim_with_values_everywhere(app, "Aung Min Thein")
    kept = _victim_with_values_everywhere(app, "Second Victim")
    _close(app, gone, kept)
    _make_legacy(app)
    with app.engine.begin() as c:  # that erasure: her identity moved under her key, which was then destroyed
        for table, pk, cols, bound in encrypted_columns():
            if table.name in ("identities", "stage_history"):
                cipher = app.cipher.on(c)
                for r in c.execute(select(table).where(table.c.case_id == gone)).all():
                    rid = str(getattr(r, bound))
                    c.execute(update(table).where(table.c[pk] == getattr(r, pk)).values(**{
                        col: cipher.encrypt(table.name, col, rid, cipher.decrypt(table.name, col, rid, getattr(r, col)))
                        for col in cols}))
        c.execute(update(data_keys).where(data_keys.c.owner == gone).values(kek_id=None, wrapped=None,
                                                                           destroyed_at=T0, destroyed_by=ADMIN.user))
    left = [(t, col, rid, v) for t, col, rid, v in _ciphertexts(app, gone) if t not in ("identities", "stage_history")]
    keys = _every_key_the_system_holds(app)
    assert left and all(any(_opens(k, *value) for k in keys) for value in left), "the gap: still readable"
    migrate(app, ADMIN)
    now = [(t, col, rid, v) for t, col, rid, v in _ciphertexts(app, gone) if t not in ("identities", "stage_history")]
    assert len(now) == len(left)
    for table, col, rid, stored in now:
        assert stored.startswith(f"dk={gone}:")
        assert not any(_opens(k, table, col, rid, stored) for k in _every_key_the_system_holds(app)), (table, col)
        assert app.cipher.decrypt(table, col, rid, stored) is None
    assert any(f"{len(left)} values of erased victims made unreadable" in p or "made unreadable" in p
               for p in _migrate_audits(app))
    assert case_service.show(app, COORDINATOR, kept)["identity"]["legal_name"] == "Second Victim"
    assert audit_service.verify(app, AUDITOR).ok


@pytest.mark.parametrize("role", [Role.coordinator, Role.auditor])
def test_only_an_admin_migrates(sqlite_app, role):
    from witness.errors import Forbidden
    with pytest.raises(Forbidden):
        migrate(sqlite_app, Actor("someone", role))
