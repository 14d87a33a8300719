"""Real-browser journeys (R-116) for the prosecutor, the lawyer and the auditor: Debian's chromium
driven by Playwright against `witness web` on loopback (the fixtures of test_browser_journeys.py).
A prosecutor requests measures and downloads the application PDF, read back with pdftotext; a
lawyer records a payment, is refused an overpayment beside the field, and sees the shortfall; an
auditor verifies the audit log."""
import shutil
import subprocess

import pytest

from tests.integration.test_hearings import NAME, _assessed, _hearing, _victim
from tests.web.conftest import make_person
from tests.web.test_browser_journeys import _sign_in, browser, live, page  # noqa: F401 — fixtures
from tests.web.test_claim_pages import awarded_claim

pytestmark = pytest.mark.browser


def _pdf_text(path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def test_a_prosecutor_requests_measures_and_downloads_the_application(live, page, tmp_path):
    app, base = live
    case = _victim(app)  # the canary's legal name
    _assessed(app, case, ["screen", "pseudonym"])
    hearing = _hearing(app, case)
    _sign_in(page, base, app, make_person(app, "somchai", "prosecutor"))
    page.click("nav >> text=Hearings")
    page.click(f"a[href='/hearings/{hearing}']")
    assert page.url == f"{base}/hearings/{hearing}"
    page.check(f"#request-{case} label:has-text('screen')")
    page.check(f"#request-{case} label:has-text('escort')")
    with page.expect_navigation():  # the form posts and the page comes back: read the new one
        page.click(f"#request-{case} button:has-text('Request the selected measures')")
    rows = page.locator(f"#request-{case} tbody tr")
    statuses = {rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td.status").inner_text()
                for i in range(rows.count())}
    assert statuses == {"screen": "requested", "escort": "requested", "pseudonym": "recommended"}
    page.screenshot(path=str(tmp_path / "hearing.png"), full_page=True)
    with page.expect_download() as download:
        page.click(f"#application-{case} button:has-text('Download the application')")
    pdf = download.value
    assert pdf.suggested_filename == f"{case}-protective_measures-th-v1.pdf"
    saved = tmp_path / pdf.suggested_filename
    pdf.save_as(saved)
    text = _pdf_text(saved)
    assert case in text and "TH-SSK-2026-0141" in text  # this case's application, for this proceeding
    assert NAME not in text and "Zyxwvut" not in text  # no legal name: none was asked for
    assert NAME not in page.content()


def test_a_lawyer_records_a_payment_and_sees_the_shortfall(live, page, tmp_path):
    app, base = live
    _, hana, case, claim = awarded_claim(app)
    _sign_in(page, base, app, hana)
    page.click("nav >> text=Claims")
    page.click(f"a[href='/claims/{claim}']")
    page.fill("#pay-amount", "9000000")  # more than the balance of IDR 8,000,000.10
    page.fill("#pay-paid_on", "2026-11-02")
    page.fill("#pay-reference", "Court escrow transfer 1")
    with page.expect_navigation():
        page.click("button:has-text('Record payment')")
    assert page.inner_text("#pay-amount-error").startswith("amount: IDR 9,000,000.00 is more than the balance")
    assert page.input_value("#pay-reference") == "Court escrow transfer 1"  # kept
    page.fill("#pay-amount", "4000000.05")
    with page.expect_navigation():
        page.click("button:has-text('Record payment')")
    assert page.url == f"{base}/claims/{claim}"
    assert page.inner_text("#amount-paid") == "IDR 4,000,000.05"
    assert page.inner_text("#shortfall-demanded_to_awarded") == "IDR 3,999,999.90"
    assert page.inner_text("#shortfall-awarded_to_paid") == "IDR 4,000,000.05"
    page.screenshot(path=str(tmp_path / "claim.png"), full_page=True)


def test_an_auditor_verifies_the_audit_log(live, page, tmp_path):
    app, base = live
    _victim(app)
    _sign_in(page, base, app, make_person(app, "audit-1", "auditor"))  # no second factor for auditors
    page.click("nav >> text=Audit")
    with page.expect_navigation():
        page.click("button:has-text('Verify the audit log')")
    verdict = page.inner_text("#verdict")
    assert verdict.startswith("Intact.") and "chain, MACs, time order and head all hold" in verdict
    assert NAME not in page.content()
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
