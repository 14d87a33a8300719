"""Claim services refuse what a lawyer mistypes with `field: message` and write nothing, on SQLite and
PostgreSQL (issue 10 follow-up): dates other than YYYY-MM-DD, text over its limit or with control
characters, a currency code that is not one, a lawyer id that is not one."""
import pytest
from sqlalchemy import func, select

from tests.conftest import PROSECUTOR, child_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.errors import InputProblems
from witness.services import claims
from witness.services.intake import open_case
from witness.store.claim_tables import claim_instalments, claim_items, claim_payments
from witness.store.claim_tables import claims as claims_table
from witness.store.tables import audit_log

LAWYER = Actor("hana", Role.legal_aid)
ADMIN = Actor("root-1", Role.admin)
SECRET = "Quokkanote Zyxwvut"
TODAY = "2026-11-02"


def _rows(app) -> dict[str, int]:
    with app.engine.connect() as c:
        return {t.name: c.execute(select(func.count()).select_from(t)).scalar()
                for t in (claims_table, claim_items, claim_instalments, claim_payments, audit_log)}


def _refused(app, call) -> list[tuple[str, str]]:
    before = _rows(app)
    with pytest.raises(InputProblems) as err:
        call()
    assert _rows(app) == before, "a refused action wrote something"
    assert SECRET not in str(err.value)
    return err.value.problems


@pytest.fixture
def case(app):
    case_id = open_case(app, Actor("amara", Role.coordinator), child_form())
    put_on_case(app, LAWYER, case_id)
    put_on_case(app, PROSECUTOR, case_id)
    return case_id


@pytest.fixture
def awarded(app, case):
    cid = claims.new(app, LAWYER, case)["claim"]
    claims.add_item(app, LAWYER, cid, "medical_costs", "1000000")
    claims.file(app, LAWYER, cid)
    claims.award(app, LAWYER, cid, "1000000", TODAY, due_on="2026-12-01")
    return cid


def test_a_judgment_date_without_dashes_is_refused_not_read_as_some_day(app, case):
    assert _refused(app, lambda: claims.new(app, LAWYER, case, "20261101")) == [
        ("judgment_date", "write the date as YYYY-MM-DD")]


def test_a_note_over_its_limit_or_with_an_escape_is_refused_before_the_claim_is_made(app, case):
    [(field, message)] = _refused(app, lambda: claims.new(app, LAWYER, case, None, SECRET + "x" * 5000))
    assert field == "note" and "5000" in message
    assert _refused(app, lambda: claims.new(app, LAWYER, case, None, f"{SECRET}\x1b]0;owned\x07")) == [
        ("note", "contains a control character (U+001B at position 19); remove it")]


def test_an_item_with_a_multi_line_evidence_reference_is_refused(app, case):
    cid = claims.new(app, LAWYER, case)["claim"]
    [(field, message)] = _refused(app, lambda: claims.add_item(app, LAWYER, cid, "medical_costs", "100",
                                                                evidence=f"RS-1\n{SECRET}"))
    assert field == "evidence" and "U+000A" in message


def test_unpaid_wages_in_week_notation_are_refused(app, case):
    cid = claims.new(app, LAWYER, case)["claim"]
    assert _refused(app, lambda: claims.add_unpaid_wages(app, LAWYER, cid, "2026-W01-1", "2026-03-31", "1500000")) == [
        ("from", "write the date as YYYY-MM-DD")]


def test_an_award_with_an_instalment_date_out_of_range_or_a_payer_with_a_bidi_override_is_refused(app, case):
    cid = claims.new(app, LAWYER, case)["claim"]
    claims.add_item(app, LAWYER, cid, "medical_costs", "1000000")
    claims.file(app, LAWYER, cid)
    assert _refused(app, lambda: claims.award(app, LAWYER, cid, "1000000", TODAY,
                                              instalments=[("9999-12-01", "1000000")])) == [
        ("instalments.1.due_on", "must be between 1900 and 2199")]
    [(field, message)] = _refused(app, lambda: claims.award(app, LAWYER, cid, "1000000", TODAY,
                                                            payer=f"\u202e{SECRET}", due_on="2026-12-01"))
    assert field == "payer" and "U+202E" in message


def test_a_payment_reference_over_120_characters_is_refused(app, awarded):
    [(field, message)] = _refused(app, lambda: claims.pay(app, LAWYER, awarded, "100", "IDR", TODAY,
                                                          SECRET + "R" * 120))
    assert field == "reference" and "120" in message


def test_a_currency_that_is_not_a_three_letter_code_is_refused_without_showing_it(app, awarded):
    assert _refused(app, lambda: claims.pay(app, LAWYER, awarded, "100", f"ID{SECRET}", TODAY, "TRX-1")) == [
        ("currency", "write the three-letter ISO 4217 code, e.g. IDR")]


def test_a_resolution_reason_over_2000_characters_is_refused(app, awarded):
    [(field, message)] = _refused(app, lambda: claims.resolve(app, LAWYER, awarded, "unenforced", SECRET * 200))
    assert field == "reason" and "2000" in message


def test_a_portfolio_asked_for_a_lawyer_id_that_cannot_exist_is_refused(app):
    [(field, message)] = _refused(app, lambda: claims.portfolio(app, ADMIN, "Hana:legal_aid"))
    assert field == "lawyer" and "a-z, 0-9" in message
