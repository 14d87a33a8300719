"""The legal-aid lawyer's pages (R-112): the portfolio with overdue flags, and a claim page with
the amount at every stage, the shortfall between them in exact money, and "Record payment" whose
refusals (overpayment, wrong currency) show beside their field with nothing recorded. On SQLite and
PostgreSQL; expected figures are written out by hand."""
import re
from datetime import timedelta

import pytest

from tests.conftest import ADMIN, COORDINATOR, child_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.domain.access import Actor, Role
from witness.services import accounts, claims
from witness.services.intake import open_case

HANA = Actor("hana", Role.legal_aid)


@pytest.fixture
def awarded(app):
    return awarded_claim(app)


def awarded_claim(app):
    """Hana's claim for a girl in Indonesia: IDR 15,000,000.00 calculated, 12,000,000.00 demanded,
    8,000,000.10 awarded in two instalments (1 Dec 2026 and 1 Jan 2027)."""
    hana = make_person(app, "hana", "legal_aid")
    case = open_case(app, COORDINATOR, child_form())
    accounts.assign(app, ADMIN, "hana", add_cases=[case])
    cid = claims.new(app, HANA, case)["claim"]
    claims.add_unpaid_wages(app, HANA, cid, "2026-01-01", "2026-06-30", "1500000", "month")  # 6 months
    claims.add_item(app, HANA, cid, "emotional_suffering", "6000000", note="Months of confinement; LPSK's assessment")
    claims.file(app, HANA, cid, "2026-11-02")
    claims.demand(app, HANA, cid, "12000000", "2026-11-02")
    claims.award(app, HANA, cid, "8000000.10", "2026-11-02", payer="the convicted person",
                 instalments=[("2026-12-01", "4000000.05"), ("2027-01-01", "4000000.05")])
    return app, hana, case, cid


def _row(html: str, label: str) -> str:
    found = re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td[^>]*>(.*?)</td>", html)
    assert found, label
    return found.group(1)


def test_the_claim_page_shows_every_stage_and_the_shortfall_exactly(awarded):
    app, hana, case, cid = awarded
    page = signed_in_client(app, hana).get(f"/claims/{cid}")
    assert page.status_code == 200
    assert _row(page.text, "Calculated") == "IDR 15,000,000.00"
    assert _row(page.text, "Demanded in court") == "IDR 12,000,000.00"
    assert _row(page.text, "Awarded") == "IDR 8,000,000.10"
    assert _row(page.text, "Paid") == "IDR 0.00"
    assert _row(page.text, "Calculated to demanded") == "IDR 3,000,000.00"
    assert _row(page.text, "Demanded to awarded") == "IDR 3,999,999.90"
    assert _row(page.text, "Awarded to paid (the balance)") == "IDR 8,000,000.10"
    assert "6 whole month(s) from 2026-01-01: 6 x IDR 1,500,000.00 = IDR 9,000,000.00." in page.text  # its working


def test_recording_a_payment_moves_the_shortfall_to_the_balance(awarded):
    app, hana, case, cid = awarded
    client = signed_in_client(app, hana)
    token = csrf_of(client.get(f"/claims/{cid}").text)
    answer = client.post(f"/claims/{cid}/payments", data={"csrf": token, "amount": "4000000.05", "currency": "IDR",
                                                           "paid_on": "2026-11-02", "reference": "Escrow 1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/claims/{cid}"
    page = client.get(f"/claims/{cid}").text
    assert _row(page, "Paid") == "IDR 4,000,000.05"
    assert _row(page, "Awarded to paid (the balance)") == "IDR 4,000,000.05"
    assert "2026-11-02: IDR 4,000,000.05 · reference Escrow 1" in page
    assert claims.status(app, HANA, cid)["status"] == "partially_paid"


@pytest.mark.parametrize("typed, field, says", [
    ({"amount": "8000000.11", "currency": "IDR"}, "amount", "amount: IDR 8,000,000.11 is more than the balance"),
    ({"amount": "100", "currency": "USD"}, "currency", "currency: the award is in IDR; a payment in USD is refused"),
    ({"amount": "1.5e6", "currency": "IDR"}, "amount", "amount: "),
])
def test_a_refused_payment_is_explained_beside_its_field_and_nothing_is_recorded(awarded, typed, field, says):
    app, hana, case, cid = awarded
    client = signed_in_client(app, hana)
    token = csrf_of(client.get(f"/claims/{cid}").text)
    answer = client.post(f"/claims/{cid}/payments", data={"csrf": token, "paid_on": "2026-11-02",
                                                           "reference": "Escrow 1", **typed})
    assert answer.status_code == 422
    assert f'<p class="field-error" id="pay-{field}-error">{says}' in answer.text
    assert f'id="pay-amount" name="amount" type="text" value="{typed["amount"]}"' in answer.text  # kept as typed
    assert claims.status(app, HANA, cid)["payments"] == []


def test_the_portfolio_flags_an_overdue_instalment_and_lists_only_the_lawyers_own_claims(awarded):
    app, hana, case, cid = awarded
    budi = make_person(app, "budi", "legal_aid")
    app.clock.advance(days=40)  # the first instalment (1 Dec) is unpaid
    page = signed_in_client(app, hana).get("/claims")
    assert page.status_code == 200
    assert f'href="/claims/{cid}"' in page.text
    assert "<strong>OVERDUE</strong> IDR 4,000,000.05 since 2026-12-01" in page.text
    others = signed_in_client(app, budi)
    assert cid not in others.get("/claims").text
    assert others.get(f"/claims/{cid}").status_code == 404


def test_only_the_claims_own_lawyer_gets_the_payment_form(awarded):
    app, hana, case, cid = awarded
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))  # the case's coordinator follows it
    page = amara.get(f"/claims/{cid}")
    assert page.status_code == 200 and "Record payment" not in page.text
    token = csrf_of(page.text)
    assert amara.post(f"/claims/{cid}/payments", data={"csrf": token, "amount": "1", "currency": "IDR",
                                                       "reference": "x"}).status_code == 404
    assert claims.status(app, HANA, cid)["payments"] == []


def test_resolve_names_a_missing_reason_beside_its_field_and_changes_nothing(awarded):
    app, hana, case, cid = awarded
    client = signed_in_client(app, hana)
    token = csrf_of(client.get(f"/claims/{cid}").text)
    wrong = client.post(f"/claims/{cid}/resolve", data={"csrf": token, "status": "unenforced", "reason": " "})
    assert wrong.status_code == 422
    assert 'id="resolve-reason-error">reason: required' in wrong.text
    assert '<option value="unenforced" selected>' in wrong.text  # kept
    assert claims.status(app, HANA, cid)["status"] == "awarded"


def test_withdrawing_a_claim_under_settlement_pressure_is_a_warning_overridden_only_with_a_reason(app):
    from witness.services import risk

    hana = make_person(app, "hana", "legal_aid")
    case = open_case(app, COORDINATOR, child_form())
    accounts.assign(app, ADMIN, "hana", add_cases=[case])
    cid = claims.new(app, HANA, case)["claim"]  # drafting: a claim is withdrawn before the award
    risk.report(app, COORDINATOR, case, "settlement_pressure")
    client = signed_in_client(app, hana)
    token = csrf_of(client.get(f"/claims/{cid}").text)
    form = {"csrf": token, "status": "withdrawn", "reason": "the family asked to stop"}
    warned = client.post(f"/claims/{cid}/resolve", data=form)
    assert warned.status_code == 409
    assert "DNH-12-settlement-pressure" in warned.text and "Guide: Criminal Justice §1" in warned.text
    assert 'name="override:DNH-12-settlement-pressure"' in warned.text
    assert claims.status(app, HANA, cid)["status"] == "drafting"
    done = client.post(f"/claims/{cid}/resolve", data={**form, "override:DNH-12-settlement-pressure":
                                                       "she confirmed alone with the lawyer; pressure reported to police"})
    assert done.status_code == 303
    assert claims.status(app, HANA, cid)["status"] == "withdrawn"


def test_the_shortfall_report_and_its_csv_are_the_commands_figures(awarded):
    import csv
    import io

    from witness.commands.claims import _report_table

    app, hana, case, cid = awarded
    client = signed_in_client(app, hana)
    page = client.get("/claims/report")
    assert page.status_code == 200
    assert _row(page.text, "Demanded in court").startswith("IDR 12,000,000.00") or "12,000,000.00" in page.text
    assert case not in page.text and cid not in page.text  # no case or claim ids: figures only
    download = client.get("/claims/report.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith('attachment; filename="restitution-shortfall-')
    rows = list(csv.DictReader(io.StringIO(download.text)))
    want = [{k: str(v) for k, v in r.items()} for r in _report_table(claims.report(app, HANA).rows)]
    assert rows == want
    [idr] = rows
    assert (idr["jurisdiction"], idr["currency"], idr["demanded"], idr["awarded"]) == ("ID", "IDR", "12000000.00",
                                                                                     "8000000.10")
    assert idr["demanded_to_awarded"] == "3999999.90"
