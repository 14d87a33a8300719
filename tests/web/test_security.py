"""Web security (R-113): headers, cookies, CSRF, bounded bodies, session limits over HTTP, and an
access log with no personal data or secrets."""
import logging
import re
from datetime import timedelta

import pytest

from tests.conftest import ADMIN, COORDINATOR, adult_form
from tests.web.conftest import PASSWORD, csrf_of, make_person, signed_in_client, web_client
from witness.services import accounts
from witness.services.intake import open_case
from witness.services.worklist import add_items, item
from witness.web.security import MAX_BODY
from witness.web.server import is_loopback


def test_every_page_carries_a_csp_without_inline_script_and_refuses_framing(app):
    amara = make_person(app, "amara", "coordinator")
    client = signed_in_client(app, amara)
    for url in ("/signin", "/today", "/cases", "/intake", "/account", "/nowhere"):
        answer = client.get(url)
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        # No inline script and no inline event handlers anywhere: the CSP would block them.
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text)
        assert not re.search(r"\son[a-z]+=", answer.text)
    assert client.get("/static/witness.css").headers["cache-control"].startswith("public")


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_httponly_samesite_strict_and_secure_when_asked(app, secure):
    make_person(app, "officer-9", "escort")
    client = web_client(app, secure_cookies=secure)
    page = client.get("/signin")
    answer = client.post("/signin", data={"csrf": csrf_of(page.text), "login": "officer-9", "password": PASSWORD})
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("witness_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert ("Secure" in cookie) is secure


def test_cookies_are_secure_by_default_anywhere_but_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("witness.example")


def test_a_post_without_the_session_csrf_token_is_refused_and_changes_nothing(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    with app.engine.begin() as conn:
        add_items(conn, [item("t:1", case_id, "risk_review", "amara", app.clock.now(), app.clock.now(), "due")])
    amara = make_person(app, "amara", "coordinator")
    client = signed_in_client(app, amara)
    for data in ({}, {"csrf": "forged"}):
        answer = client.post("/today/1/done", data=data)
        assert answer.status_code == 403 and "form has expired" in answer.text
    assert "risk review" in client.get("/today").text


def test_sign_in_without_the_form_token_is_refused(app):
    make_person(app, "officer-9", "escort")
    client = web_client(app)
    answer = client.post("/signin", data={"login": "officer-9", "password": PASSWORD})
    assert answer.status_code == 403 and "witness_session" not in answer.headers.get("set-cookie", "")


def test_a_body_over_the_limit_is_refused_with_413(app):
    client = web_client(app)
    token = csrf_of(client.get("/signin").text)
    answer = client.post("/signin", data={"csrf": token, "login": "x" * (MAX_BODY + 10), "password": "y"})
    assert answer.status_code == 413


def test_after_thirty_idle_minutes_pages_send_the_person_to_sign_in(app):
    escort = make_person(app, "officer-9", "escort")
    client = signed_in_client(app, escort)
    assert client.get("/assignments").status_code == 200
    app.clock.advance(minutes=31)
    answer = client.get("/assignments")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    assert client.post("/signout", data={"csrf": "x"}).status_code == 403


def test_sign_out_ends_the_session_on_the_server(app):
    escort = make_person(app, "officer-9", "escort")
    client = signed_in_client(app, escort)
    raw = client.cookies.get("witness_session")
    client.post("/signout", data={"csrf": csrf_of(client.get("/account").text)})
    assert accounts.session(app, raw) is None


def test_the_access_log_names_pages_not_paths_and_holds_no_secret_or_personal_data(app, caplog):
    caplog.set_level(logging.INFO, logger="witness.web.access")
    token = accounts.add(app, ADMIN, "amara", "coordinator")
    client = web_client(app)
    client.get(f"/setup/{token}")
    case_id = open_case(app, COORDINATOR, adult_form())
    lines = [r.getMessage() for r in caplog.records if r.name == "witness.web.access"]
    assert lines and lines[0].startswith("GET setup_page 200")
    assert not any(token in line or "Aung" in line for line in lines)
    assert case_id  # pseudonyms may appear in paths; the log still names only the page


def test_every_post_route_refuses_a_form_without_the_session_csrf_token(sqlite_app):
    """Enumerated from the application's own routes, so a new form cannot be added without it."""
    from starlette.routing import Route

    from witness.web.app import routes

    app = sqlite_app
    case_id = open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    own_token = ("/signin", "/setup/{token}")  # before sign-in: the double-submit form token (tested above)
    posts = [r.path for r in routes() if isinstance(r, Route) and "POST" in (r.methods or ()) and r.path not in own_token]
    assert "/cases/{case_id}/consent" in posts and "/claims/{claim_id}/resolve" in posts
    for path in posts:
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: case_id if m.group(1) == "case_id" else "1", path)
        answer = client.post(url, data={"scope": "interview", "method": "oral", "language": "my"})
        assert answer.status_code == 403 and "form has expired" in answer.text, f"{path}: {answer.status_code}"


def test_a_streamed_body_over_the_limit_is_refused_with_413_and_changes_nothing(app):
    """A body sent in chunks announces no length: it is counted as it arrives."""
    amara = make_person(app, "amara", "coordinator")
    client = signed_in_client(app, amara)
    token = csrf_of(client.get("/account").text)
    body = f"csrf={token}&language=th&filler=".encode() + b"x" * (MAX_BODY + 10)
    parts = (body[i:i + 4096] for i in range(0, len(body), 4096))  # a generator: sent chunked, no length
    answer = client.post("/account/language", content=parts,
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert "lang=\"en\"" in client.get("/account").text  # the language was not changed


def test_identity_a_spreadsheet_and_a_calendar_feed_are_never_stored_by_a_browser_or_proxy(app):
    """The answers that carry the most personal data, each downloaded as it would be: no-store,
    and nosniff so a browser never re-reads a download as a page."""
    from tests.web.test_routes import desk_records

    case_id = open_case(app, COORDINATOR, adult_form())
    amara = make_person(app, "amara", "coordinator")
    hana = make_person(app, "hana", "legal_aid")
    accounts.assign(app, ADMIN, "hana", add_cases=[case_id])
    desk_records(app, case_id)
    client = signed_in_client(app, amara)
    token = csrf_of(client.get(f"/cases/{case_id}").text)
    identity = client.post(f"/cases/{case_id}/identity", data={"csrf": token})
    linked = client.post("/calendar/link", data={"csrf": token})
    feed = web_client(app).get(re.search(r'value="http://testserver(/feeds/[^"]+)"', linked.text).group(1))
    lawyer = signed_in_client(app, hana)
    spreadsheet = lawyer.get("/claims/report.csv")
    for name, answer, kind in (("identity", identity, "text/html"), ("calendar feed", feed, "text/calendar"),
                               ("shortfall CSV", spreadsheet, "text/csv")):
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(kind), name
        assert answer.headers["cache-control"] == "no-store", name
        assert answer.headers["x-content-type-options"] == "nosniff", name
