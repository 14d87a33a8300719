"""Real-browser journeys (R-116): Debian's chromium driven by Playwright for Python, against
`witness web` served by uvicorn on loopback with the test's store and clock. No browser is ever
downloaded; where chromium is missing these tests skip on a developer's machine and fail in CI."""
import os
import re
import shutil
import socket
import threading

import pyotp
import pytest

from tests.web.conftest import make_person
from tests.web.test_assignments_page import booked_escorts

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "chromium is not installed (Debian package `chromium`; scripts/setup.sh installs it)"
        if os.environ.get("WITNESS_REQUIRE_POSTGRES") == "1" or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def live(sqlite_app):
    """uvicorn in a thread on a socket bound before it starts: the first request simply waits in
    the listen queue, so nothing polls or sleeps."""
    import uvicorn

    from witness.web.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(sqlite_app), log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield sqlite_app, f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 800})  # an escort's phone
    p = context.new_page()
    yield p
    context.close()


def _sign_in(page, base, app, person):
    page.goto(f"{base}/signin")
    page.fill("#login", person.login)
    page.fill("#password", person.password)
    if person.secret:
        app.clock.advance(seconds=30)
        page.fill("#code", pyotp.TOTP(person.secret).at(app.clock.now()))
    # Wait for the page the form leads to: reading the page straight after the click races the
    # navigation on a loaded machine.
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")


def test_a_coordinator_signs_in_enters_an_intake_records_consent_assesses_risk_and_overrides_a_warning(
        live, page, tmp_path):
    """R-116 / issue 13 item 7: TOTP sign-in, an intake with two mistakes corrected, consent recorded,
    a risk assessment, a Do No Harm block, and a warning overridden with a reason."""
    app, base = live
    amara = make_person(app, "amara", "coordinator")
    _sign_in(page, base, app, amara)
    assert page.url == f"{base}/today"
    page.click("nav >> text=New case")
    page.select_option("#jurisdiction", "TH")
    page.fill("#victim-legal_name", "Aung Min Thein")
    page.fill("#victim-date_of_birth", "1994-13-12")  # mistake 1: month 13
    page.fill("#victim-preferred_language", "my")
    page.fill("#victim-contact-phone", "call the shelter")  # mistake 2: not a phone number
    page.check("input[name='victim.safe_channels'][value='call']")
    page.fill("#proceedings-0-court", "Samut Sakhon Provincial Court")
    page.fill("#proceedings-0-docket", "TH-SSK-2026-0141")
    page.fill("#proceedings-0-accused-0-label", "Accused A")
    page.select_option("#proceedings-0-accused-0-custody", "detained")
    page.select_option("#proceedings-0-accused-0-relationship", "employer")
    page.check("input[name='services'][value='shelter']")
    with page.expect_navigation():
        page.click("button:has-text('Open the case')")
    assert page.inner_text("#victim-date_of_birth-error").startswith("victim.date_of_birth:")
    assert page.inner_text("#victim-contact-phone-error").startswith("victim.contact.phone:")
    assert page.input_value("#proceedings-0-court") == "Samut Sakhon Provincial Court"  # kept
    page.screenshot(path=str(tmp_path / "intake-errors.png"), full_page=True)
    page.fill("#victim-date_of_birth", "1994-03-12")
    page.fill("#victim-contact-phone", "+66 81 234 5678")
    with page.expect_navigation():
        page.click("button:has-text('Open the case')")
    assert re.fullmatch(rf"{re.escape(base)}/cases/W-[A-Z0-9]{{6}}", page.url)
    case_id = page.url.rsplit("/", 1)[1]
    assert page.inner_text("h1") == case_id
    assert "Aung Min Thein" not in page.content()  # identity only behind "Show identity"
    with page.expect_navigation():
        page.click("button:has-text('Show identity')")
    assert "Aung Min Thein" in page.inner_text("#identity")
    assert "/identity" in page.url and "Aung" not in page.url

    # Consent: email is not one of the victim's safe channels, so consent to be told by email is a
    # Do No Harm block (DNH-09) with its rule, explanation and Guide section, and nothing is written.
    page.goto(f"{base}/cases/{case_id}")
    with page.expect_navigation():
        page.click("#consent-link")
    page.select_option("#give-scope", "notification:email")
    with page.expect_navigation():
        page.click("button:has-text('Record consent')")
    block = page.inner_text("#guardrail")
    assert "DNH-09-unsafe-channel" in block and "has not marked email as a safe channel" in block
    assert "Guide: Recovery §4" in block and "cannot be overridden" in block
    assert "No consent recorded." in page.inner_text("main")
    # Oral consent to an interview, given in Burmese through an interpreter.
    page.select_option("#give-scope", "interview")
    page.check("input[name='method'][value='oral']")
    page.fill("#give-language", "my")
    page.fill("#give-interpreter", "interp-07")
    with page.expect_navigation():
        page.click("button:has-text('Record consent')")
    assert "oral, in my, interpreter interp-07" in page.inner_text("#consents")

    # Risk assessment: a first try without the victim's own view writes nothing and says so beside
    # the field; the corrected one shows the level, the reasons and the recommended measures.
    page.goto(f"{base}/cases/{case_id}")
    with page.expect_navigation():
        page.click("#risk-link")
    assert "No risk assessment yet." in page.inner_text("#result")
    page.select_option("#risk-trigger", "initial")
    page.check("input[name='case.threats_to_victim']")
    page.check("input[name='case.informal_settlement_pressure']")
    page.fill("#risk-victim-fear_scale", "7")
    with page.expect_navigation():
        page.click("button:has-text('Record the assessment')")
    assert page.inner_text("#risk-victim-own_words-error").startswith("victim.own_words:")
    assert page.is_checked("input[name='case.threats_to_victim']")  # kept
    page.fill("#risk-victim-own_words", "My employer's brother came to the shelter gate twice.")
    with page.expect_navigation():
        page.click("button:has-text('Record the assessment')")
    result = page.inner_text("#result")
    assert "Risk level:" in result and "The victim has been threatened (weight 20)" in result
    assert "Someone presses the victim to settle informally" in result
    assert page.inner_text("#recommended").strip()
    page.screenshot(path=str(tmp_path / "risk.png"), full_page=True)

    # Ending a service while the settlement pressure is not followed up: a warning (DNH-12) shown
    # where it was tried, with an override box; with a reason the service ends.
    page.goto(f"{base}/cases/{case_id}")
    page.select_option("#end-kind", "shelter")
    page.select_option("#end-reason", "victim_request")
    with page.expect_navigation():
        page.click("button:has-text('End the service')")
    warning = page.inner_text("#guardrail")
    assert "DNH-12-settlement-pressure" in warning and "Guide: Criminal Justice §1" in warning
    page.fill("#end-override-DNH-12-settlement-pressure", "She asked to move to her sister's; pressure discussed today.")
    with page.expect_navigation():
        page.click("button:has-text('End the service')")
    assert page.url == f"{base}/cases/{case_id}"
    assert "shelter: ended" in page.inner_text("#support-h + ul")


def test_an_escort_sees_only_their_assignments_on_a_phone(live, page, tmp_path):
    app, base = live
    hers, his = booked_escorts(app)
    f1 = make_person(app, "F1", "escort")
    _sign_in(page, base, app, f1)
    assert page.url == f"{base}/assignments"
    text = page.inner_text("main")
    assert f"Witness {hers}" in text and his not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling at 360 px
    page.screenshot(path=str(tmp_path / "assignments.png"), full_page=True)
    page.goto(f"{base}/cases/{hers}")
    assert "There is nothing here for you" in page.inner_text("main")
