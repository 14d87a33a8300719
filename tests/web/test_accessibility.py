"""Accessibility in a real browser (R-115, WCAG 2.2 AA): axe-core finds no serious or critical
violation on any page, for any role, at 360 px wide (an escort's phone), and no page scrolls
sideways there; the coordinator's day can be done with the keyboard alone. axe-core is vendored
(tests/web/vendor, checked against its published hash) and injected by Playwright: never served."""
import base64
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.web.conftest import PASSWORD, make_person
from tests.web.test_assignments_page import booked_escorts
from tests.web.test_browser_journeys import _sign_in, browser, live  # noqa: F401 (fixtures)
from witness.domain.access import Actor, Role
from witness.services import accounts, claims
from witness.services.worklist import add_items, item
from witness.store.hearing_tables import hearings

pytestmark = pytest.mark.browser
VENDOR = Path(__file__).parent / "vendor"
AXE_SHA256 = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="  # axe-core 4.14.1's sri-history.json
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def axe_source() -> str:
    data = (VENDOR / "axe.min.js").read_bytes()
    assert "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode() == AXE_SHA256, "axe.min.js changed"
    return data.decode()


def workspace(app) -> dict:
    """Demo-like records (no real person): two witnesses at hearings with escorts booked, a claim,
    and amara's Today with an urgent alert, an overdue review and something coming up."""
    hers, his = booked_escorts(app)
    logins = [("amara", "coordinator"), ("somchai", "prosecutor"), ("hana", "legal_aid"), ("F1", "escort"),
              ("interp-07", "interpreter"), ("audit-1", "auditor"), ("root-2", "admin")]
    people = {login: make_person(app, login, role) for login, role in logins}
    accounts.assign(app, ADMIN, "hana", add_cases=[hers])
    claim = claims.new(app, Actor("hana", Role.legal_aid), hers)["claim"]
    now = app.clock.now()
    with app.engine.begin() as conn:
        add_items(conn, [
            item("a11y:urgent", hers, "release_escalation", "amara", now - timedelta(minutes=20), now,
                 f"{hers}: the accused was released on bail at 09:40; the victim has not been reached by SMS."),
            item("a11y:review", hers, "risk_review", "amara", now - timedelta(hours=3), now,
                 f"{hers}: the 14-day risk review is due; review with the victim and record it."),
            item("a11y:claim", his, "claim_filing_deadline", "amara", now + timedelta(days=4), now,
                 f"{his}: talk to the lawyer about the restitution claim before the deadline."),
        ])
        hearing = conn.execute(select(hearings.c.id).order_by(hearings.c.starts_at)).scalars().first()
    setup = accounts.add(app, ADMIN, "new-1", "coordinator")
    return dict(hers=hers, his=his, people=people, claim=claim, hearing=hearing, setup=setup)


def pages_of(w: dict) -> dict[str, list[str]]:
    """Every page each person reaches: their navigation, then the records behind it."""
    case, hearing, claim = w["hers"], w["hearing"], w["claim"]
    return {
        "amara": [f"/cases/{case}", f"/hearings/{hearing}", f"/claims/{claim}", f"/cases/{case}/consent",
                  f"/cases/{case}/risk", f"/cases/{case}/records", f"/cases/{case}/call-script", f"/cases/{case}/guardian",
                  "/cases?risk=unassessed&jurisdiction=TH", "/cases?risk=dire"],
        "somchai": [f"/cases/{case}", f"/hearings/{hearing}", f"/cases/{case}/risk"],
        "hana": [f"/cases/{case}", f"/claims/{claim}"],
        "F1": [], "interp-07": [],
        "audit-1": [f"/cases/{case}"],
        "root-2": ["/users/F1"],
    }


def check(page, axe_source: str, where: str) -> list[str]:
    """Serious and critical axe findings on the page as it is now, and sideways scrolling."""
    page.evaluate(axe_source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                           .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    problems = [f"{where}: {v}" for v in result]
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate("""(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 0.5 && !e.closest('.scroll'))
            .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > limit + 0.5))
            .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)""",
                             PHONE["width"])
        problems.append(f"{where}: {width} px wide at {PHONE['width']} px (sideways scrolling): {', '.join(wide)}")
    return problems


def test_no_page_has_a_serious_or_critical_axe_finding_or_scrolls_sideways_at_360_px(live, browser, axe_source):
    app, base = live
    w = workspace(app)
    found = []
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    # Signed out: sign-in (with its failure), a set-up link, a missing page.
    for url in ("/signin", "/signin?ready=1", f"/setup/{w['setup']}", "/nowhere"):
        page.goto(base + url)
        found += check(page, axe_source, url)
    page.goto(base + "/signin")
    page.fill("#login", "nobody")
    page.fill("#password", "x" * 12)
    with page.expect_navigation():  # read the page the form leads to
        page.click("button[type=submit]")
    found += check(page, axe_source, "sign-in failed")
    context.close()
    for login, extra in pages_of(w).items():
        person = w["people"][login]
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        _sign_in(page, base, app, person)
        page.wait_for_selector("nav.pages a")  # the sign-in's redirect has landed (a loaded machine is slow)
        nav = page.eval_on_selector_all("nav.pages a", "links => links.map(a => a.getAttribute('href'))")
        assert nav, f"{login} has no navigation"
        for url in nav + extra:
            page.goto(base + url)
            found += check(page, axe_source, f"{login} {url}")
        if login == "amara":  # the states a form leaves behind: errors beside fields, a guardrail, identity
            page.goto(base + "/intake")
            with page.expect_navigation():  # read the page the form leads to
                page.click("button:has-text('Open the case')")
            found += check(page, axe_source, "amara /intake with problems")
            page.goto(f"{base}/cases/{w['hers']}")
            page.select_option("#target", "trial")
            page.fill("#reason", "the prosecutor asked")
            with page.expect_navigation():  # read the page the form leads to
                page.click("button:has-text('Move the case')")
            found += check(page, axe_source, "amara case page with a guardrail answer")
            page.goto(f"{base}/cases/{w['hers']}")
            with page.expect_navigation():  # read the page the form leads to
                page.click("button:has-text('Show identity')")
            found += check(page, axe_source, "amara case page with identity shown")
            page.goto(f"{base}/cases/{w['hers']}/consent")
            page.select_option("#give-scope", "notification:email")  # not a safe channel: DNH-09
            with page.expect_navigation():
                page.click("button:has-text('Record consent')")
            found += check(page, axe_source, "amara consent with a guardrail answer")
            page.goto(f"{base}/cases/{w['hers']}/risk")
            page.fill("#risk-victim-fear_scale", "12")
            with page.expect_navigation():
                page.click("button:has-text('Record the assessment')")
            found += check(page, axe_source, "amara risk assessment with problems")
            page.goto(f"{base}/hearings/{w['hearing']}")
            with page.expect_navigation():  # the application's first page shown as an image
                page.click("form.application button[name=preview] >> nth=0")
            assert page.locator("#preview img").count() == 1  # the preview really is on the page
            found += check(page, axe_source, "amara hearing with the application preview")
            page.goto(base + "/calendar")
            with page.expect_navigation():  # read the page the form leads to
                page.click("button:has-text('Make my link')")
            found += check(page, axe_source, "amara calendar with a new link")
        context.close()
    assert not found, "\n".join(found)


def _tab_to(page, css: str, limit: int = 80) -> None:
    """Press Tab until the element matching `css` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(css) => document.activeElement && document.activeElement.matches(css)", css):
            return
    raise AssertionError(f"Tab never reached {css}")


def _sign_in_by_keyboard(page, base, app, person) -> None:
    """Sign in with Tab, typing and Enter only (the code of the next 30-second window)."""
    import pyotp

    page.goto(f"{base}/signin")
    _tab_to(page, "#login")
    page.keyboard.type(person.login)
    _tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    _tab_to(page, "#code")
    app.clock.advance(seconds=30)
    page.keyboard.type(pyotp.TOTP(person.secret).at(app.clock.now()))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/today")

def test_a_coordinator_signs_in_opens_a_case_and_clears_a_today_item_with_the_keyboard_only(live, browser):
    app, base = live
    w = workspace(app)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in_by_keyboard(page, base, app, w["people"]["amara"])
    # Open the case from the Cases page: Tab to the navigation link, Enter, Tab to the case, Enter.
    _tab_to(page, "nav.pages a[href='/cases']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/cases")
    _tab_to(page, f"a[href='/cases/{w['hers']}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/cases/{w['hers']}")
    assert page.inner_text("h1") == w["hers"]
    # Back to Today and mark the overdue review done.
    _tab_to(page, "nav.pages a[href='/today']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/today")
    assert "the 14-day risk review is due" in page.inner_text("main")
    _tab_to(page, "form[action$='/done'] button[aria-label^='Done: risk review']")
    with page.expect_navigation():  # back to /today: the URL alone cannot tell the new page from the old
        page.keyboard.press("Enter")
    assert "the 14-day risk review is due" not in page.inner_text("main")
    assert "the accused was released on bail" in page.inner_text("main")  # the others stay
    context.close()


def test_a_coordinator_opens_a_case_with_a_mistake_corrected_by_keyboard_alone(live, browser):
    """The intake form without a mouse: every field reached with Tab, lists chosen by typing, boxes
    ticked with Space, sent with Enter; the problem list's link takes the keyboard to the field."""
    app, base = live
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in_by_keyboard(page, base, app, make_person(app, "amara", "coordinator"))
    _tab_to(page, "nav.pages a[href='/intake']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/intake")

    def type_into(css: str, text: str) -> None:
        _tab_to(page, css, limit=200)
        page.keyboard.type(text)

    type_into("#jurisdiction", "TH")  # a closed list takes the letters typed
    type_into("#victim-legal_name", "Aung Min Thein")
    type_into("#victim-date_of_birth", "1994-13-12")  # the mistake: month 13
    type_into("#victim-preferred_language", "my")
    type_into("#victim-contact-phone", "+66 81 234 5678")
    _tab_to(page, "input[name='victim.safe_channels'][value='call']", limit=200)
    page.keyboard.press("Space")
    type_into("#proceedings-0-court", "Samut Sakhon Provincial Court")
    type_into("#proceedings-0-docket", "TH-SSK-2026-0141")
    type_into("#proceedings-0-accused-0-label", "Accused A")
    type_into("#proceedings-0-accused-0-custody", "det")
    type_into("#proceedings-0-accused-0-relationship", "emp")
    _tab_to(page, "input[name='services'][value='shelter']", limit=200)
    page.keyboard.press("Space")
    _tab_to(page, "#proceedings-0-docket", limit=200)  # Enter in a text field sends the form
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/intake"
    assert page.inner_text("#victim-date_of_birth-error").startswith("victim.date_of_birth:")
    assert page.input_value("#jurisdiction") == "TH" and page.is_checked("input[name='services'][value='shelter']")
    # The problem list comes first in the tab order; its link brings the keyboard to the field.
    _tab_to(page, "#problems a[href='#victim-date_of_birth']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "victim-date_of_birth"  # the focus is in the field
    page.keyboard.press("Control+A")
    page.keyboard.type("1994-03-12")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.fullmatch(rf"{re.escape(base)}/cases/W-[A-Z0-9]{{6}}", page.url), page.url
    context.close()


def test_screenshots_of_the_main_pages(live, browser, tmp_path):
    """Today and the case page as a coordinator sees them, with demo-like data. Written to
    WITNESS_SCREENSHOTS (docs/screenshots for the README), else to the test's own folder."""
    app, base = live
    w = workspace(app)
    out = Path(os.environ.get("WITNESS_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    _sign_in(page, base, app, w["people"]["amara"])
    page.wait_for_selector("nav.pages a")
    page.goto(f"{base}/today")
    page.screenshot(path=str(out / "today.png"), full_page=True)
    page.goto(f"{base}/cases/{w['hers']}")
    page.screenshot(path=str(out / "case.png"), full_page=True)
    context.close()
    assert (out / "today.png").stat().st_size > 10_000 and (out / "case.png").stat().st_size > 10_000
