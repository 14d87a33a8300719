"""Every route × every role × assigned / not assigned (R-111, R-113): what a person may not see
answers 404, exactly as a record that does not exist. Through the real sign-in, on SQLite and
PostgreSQL."""
from datetime import timedelta

from tests.conftest import ADMIN, COORDINATOR, T0, adult_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.domain.access import Actor, Role
from witness.services import accounts, claims, consent, hearings, measures
from witness.services.intake import open_case
from witness.services.worklist import add_items, item

# login, role, how they stand to the case
PEOPLE = [
    ("amara", "coordinator", "the case's coordinator"),
    ("lin", "coordinator", "assigned"),
    ("dewi", "coordinator", "not assigned"),
    ("somchai", "prosecutor", "assigned"),
    ("preecha", "prosecutor", "not assigned"),
    ("hana", "legal_aid", "assigned"),
    ("budi", "legal_aid", "not assigned"),
    ("officer-9", "escort", "-"),
    ("interp-07", "interpreter", "-"),
    ("audit-1", "auditor", "-"),
    ("root-2", "admin", "-"),
]
SEES_CASE = {"amara", "lin", "somchai", "hana", "audit-1"}
COORDINATORS = {"amara", "lin", "dewi"}


def expected(login: str, role: str, route: str) -> int:
    sees = login in SEES_CASE
    return {
        "GET /": 303,
        "GET /account": 200,
        "GET /today": 200 if role in ("coordinator", "legal_aid", "admin") else 404,
        "GET /cases": 200 if role in ("coordinator", "prosecutor", "legal_aid", "auditor") else 404,
        "GET /cases/{case}": 200 if sees else 404,
        "GET /cases/W-NOSUCH": 404,
        "POST /cases/{case}/identity": 200 if sees else 404,
        # Stage changes: coordinators and prosecutors who see the case; here the reflection period
        # still runs, so the answer is the refusal page (409), not a change.
        "POST /cases/{case}/stage": 409 if sees and role in ("coordinator", "prosecutor") else 404,
        "POST /cases/{case}/contact": 303 if sees and role == "coordinator" else 404,  # coordinators on the case
        "GET /intake": 200 if role == "coordinator" else 404,
        "POST /intake": 422 if role == "coordinator" else 404,  # an empty form: problems, nothing written
        "GET /assignments": 200 if role in ("escort", "interpreter") else 404,
        "POST /today/{item}/done": 303 if login == "amara" else 404,  # amara's own item
        "POST /today/{item}/escalate": 422 if login == "amara" else 404,  # hers, but not urgent: not escalated
        "GET /cases/{case}/call-script": 200 if sees and role == "coordinator" else 404,  # who records contact
        "POST /account/language": 422,  # no language chosen: the problem beside the field
        "GET /calendar": 200,  # auditors and admins read that their role has no feed
        "POST /calendar/link": 200 if role not in ("auditor", "admin") else 404,
        "POST /calendar/revoke": 200 if role not in ("auditor", "admin") else 404,
        "GET /feeds/nosuchtoken.ics": 404,
        # No reason from the list ("test" is not one): the problem beside the field, for her own item
        # (before "done" closes it).
        "POST /today/{item}/snooze": 422 if login == "amara" else 404,
        "POST /account/password": 422,  # everyone has an account page; no current password given
        # Last in the run (ROUTES): a new set-up link for the spare account, shown on a page; then it
        # is disabled and the admin goes back to the list.
        "POST /users/spare-1/reset": 200 if role == "admin" else 404,
        "POST /users/spare-1/disable": 303 if role == "admin" else 404,
        **desk_expected(login, role, sees),
        **care_expected(login, role, sees),
    }[route]


# The coordinator's consent, risk and support forms. Each POST carries a form the service refuses
# for those who may act (422: nothing written) or asks before it acts (the withdrawal's confirmation),
# and 404s for everyone else.
CARE_ROUTES = ["GET /cases/{case}/consent", "POST /cases/{case}/consent", "POST /cases/{case}/consent/withdraw",
               "GET /cases/{case}/risk", "POST /cases/{case}/risk", "POST /cases/{case}/services/end",
               "GET /cases/{case}/guardian", "POST /cases/{case}/guardian", "GET /cases/W-NOSUCH/guardian",
               "GET /cases/W-NOSUCH/consent", "GET /cases/W-NOSUCH/risk", "GET /cases/{case}/records",
               "GET /cases/W-NOSUCH/records", "GET /resources", "GET /resources?kind=video_suite",
               "GET /audit?record={case}&action=identity", "GET /audit?since=yesterday", "GET /cases?stage=reflection",
               "GET /cases?stage=nowhere", "GET /cases?risk=unassessed&jurisdiction=TH", "GET /cases?risk=dire"]
CARE_FORMS = {
    "POST /cases/{case}/consent": {"scope": "interview", "method": "telepathy", "language": "my"},
    "POST /cases/{case}/consent/withdraw": {"scope": "{consented}"},  # no confirm: asks first
    "POST /cases/{case}/risk": {"trigger": "initial"},  # no victim view: victim: required
    "POST /cases/{case}/services/end": {"kind": "medical", "reason": "bored"},
    "POST /cases/{case}/guardian": {"name": "", "relationship": "mother"},  # name: required
}


def care_expected(login: str, role: str, sees: bool) -> dict:
    cares = sees and role == "coordinator"  # consent.record, risk.assess, service.change on the case
    return {
        "GET /cases/{case}/consent": 200 if cares else 404,
        "POST /cases/{case}/consent": 422 if cares else 404,
        "POST /cases/{case}/consent/withdraw": 200 if cares else 404,
        "GET /cases/{case}/risk": 200 if sees and role in ("coordinator", "prosecutor") else 404,
        "POST /cases/{case}/risk": 422 if cares else 404,
        "POST /cases/{case}/services/end": 422 if cares else 404,
        "GET /cases/{case}/guardian": 200 if cares else 404,  # an adult's case: the page says there is none
        "POST /cases/{case}/guardian": 422 if cares else 404,
        "GET /cases/W-NOSUCH/guardian": 404,
        "GET /cases/W-NOSUCH/consent": 404,
        "GET /cases/W-NOSUCH/risk": 404,
        "GET /cases/{case}/records": 200 if sees else 404,  # each list as the reader's role may read it
        "GET /cases/W-NOSUCH/records": 404,
        "GET /resources": 200 if role in ("coordinator", "prosecutor", "admin") else 404,
        "GET /resources?kind=video_suite": 200 if role in ("coordinator", "prosecutor", "admin") else 404,
        "GET /audit?record={case}&action=identity": 200 if role in ("auditor", "admin") else 404,
        "GET /audit?since=yesterday": 422 if role in ("auditor", "admin") else 404,
        "GET /cases?stage=reflection": 200 if role in ("coordinator", "prosecutor", "legal_aid", "auditor") else 404,
        "GET /cases?stage=nowhere": 422 if role in ("coordinator", "prosecutor", "legal_aid", "auditor") else 404,
        "GET /cases?risk=unassessed&jurisdiction=TH": 200 if role in ("coordinator", "prosecutor", "legal_aid", "auditor") else 404,
        "GET /cases?risk=dire": 422 if role in ("coordinator", "prosecutor") else 200 if role in ("legal_aid", "auditor") else 404,
    }


# The prosecutor's, lawyer's, auditor's and admin's pages. The case has a hearing (with its
# measures) and hana's claim; each POST carries a form the service refuses for those who may act
# (422/409: nothing changes, so the order of people does not matter) and 404s for the others.
DESK_ROUTES = ["GET /hearings", "GET /hearings/{hearing}", "POST /hearings/{hearing}/request",
               "POST /hearings/{hearing}/measures/{measure}/decide", "POST /hearings/{hearing}/application",
               "GET /hearings/H-NOSUCH00", "GET /claims", "GET /claims/{claim}", "POST /claims/{claim}/payments",
               "GET /claims/CL-NOSUCH0", "POST /claims/{claim}/resolve", "GET /claims/report", "GET /claims/report.csv",
               "GET /audit", "POST /audit/verify", "GET /users", "POST /users",
               "GET /users/spare-1", "POST /users/spare-1/assign", "GET /users/nobody-1"]
DESK_FORMS = {
    "POST /hearings/{hearing}/request": {},  # nothing ticked: "measures: name at least one"
    "POST /hearings/{hearing}/measures/{measure}/decide": {"decision": "adjourned"},
    "POST /hearings/{hearing}/application": {"case": "{case}"},  # no risk assessment yet: no grounds
    "POST /claims/{claim}/payments": {"amount": "1", "currency": "THB", "reference": "x"},  # no award yet
    "POST /claims/{claim}/resolve": {"status": "", "reason": ""},  # status: use one of ...
    "POST /users": {"user": "", "role": "escort"},
    "POST /users/spare-1/assign": {"add_case": "W-NOSUCH"},
}


def desk_expected(login: str, role: str, sees: bool) -> dict:
    on_hearing = sees and role in ("coordinator", "prosecutor", "auditor")  # hearing.read on the case
    acts = sees and role in ("coordinator", "prosecutor")  # measure.request/decide, document.generate
    admin = role == "admin"
    return {
        "GET /hearings": 200 if role in ("coordinator", "prosecutor", "auditor") else 404,
        "GET /hearings/{hearing}": 200 if on_hearing else 404,
        "POST /hearings/{hearing}/request": 422 if acts else 404,
        "POST /hearings/{hearing}/measures/{measure}/decide": 422 if acts else 404,
        "POST /hearings/{hearing}/application": 422 if acts else 404,
        "GET /hearings/H-NOSUCH00": 404,
        "GET /claims": 200 if role in ("legal_aid", "admin") else 404,
        "GET /claims/{claim}": 200 if sees and role in ("coordinator", "prosecutor", "legal_aid") else 404,
        "POST /claims/{claim}/payments": 409 if login == "hana" else 404,  # her own claim, not yet awarded
        "GET /claims/CL-NOSUCH0": 404,
        "POST /claims/{claim}/resolve": 422 if login == "hana" else 404,
        "GET /claims/report": 200 if role in ("legal_aid", "coordinator", "admin", "auditor") else 404,
        "GET /claims/report.csv": 200 if role in ("legal_aid", "coordinator", "admin", "auditor") else 404,
        "GET /audit": 200 if role in ("auditor", "admin") else 404,
        "POST /audit/verify": 200 if role in ("auditor", "admin") else 404,
        "GET /users": 200 if admin else 404,
        "POST /users": 422 if admin else 404,
        "GET /users/spare-1": 200 if admin else 404,
        "POST /users/spare-1/assign": 422 if admin else 404,
        "GET /users/nobody-1": 404,
    }


ROUTES = ["GET /", "GET /account", "GET /today", "GET /cases", "GET /cases/{case}", "GET /cases/W-NOSUCH",
          "POST /cases/{case}/identity", "POST /cases/{case}/stage", "POST /cases/{case}/contact",
          "GET /cases/{case}/call-script", "GET /intake",
          "POST /intake", "GET /assignments", "POST /today/{item}/escalate", "POST /today/{item}/snooze", "POST /today/{item}/done", "POST /account/language", "GET /calendar",
          "POST /calendar/link", "POST /calendar/revoke", "GET /feeds/nosuchtoken.ics",
          "POST /account/password"] + DESK_ROUTES + CARE_ROUTES + ["POST /users/spare-1/reset", "POST /users/spare-1/disable"]
# Routes the matrix leaves out, and where each is tested instead: before sign-in there is no role.
NOT_IN_MATRIX = {"/signin": "tests/web/test_accounts.py, test_security.py (double-submit token)",
                 "/setup/{token}": "tests/web/test_accounts.py, test_browser_journeys.py",
                 "/signout": "tests/web/test_security.py (ends the session on the server)",
                 "/static": "static files, no personal data"}


def desk_records(app, case_id: str) -> dict:
    """A hearing at which the case's victim appears (with its measures) and hana's claim on the
    case (hana must be assigned first), and a spare account for the admin's pages."""
    consent.give(app, COORDINATOR, case_id, "testimony", "written", "my", explained=True)
    hearing = hearings.add(app, COORDINATOR, "TH-SSK-2026-0141", T0 + timedelta(days=30),
                           T0 + timedelta(days=30, hours=3), witnesses=[{"case": case_id}])["hearing"]
    measure = measures.list_measures(app, COORDINATOR, hearing)[0]["id"]
    claim = claims.new(app, Actor("hana", Role.legal_aid), case_id)["claim"]
    make_person(app, "spare-1", "escort")
    consent.give(app, COORDINATOR, case_id, "interview", "oral", "my")  # one the withdrawal form can name
    return {"{hearing}": hearing, "{measure}": measure, "{claim}": claim, "{consented}": "interview"}


def test_every_route_for_every_role_assigned_or_not(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    with app.engine.begin() as conn:
        add_items(conn, [item("t:1", case_id, "risk_review", "amara", app.clock.now() - timedelta(hours=1),
                              app.clock.now(), f"{case_id}: risk review due")])
        item_id = conn.exec_driver_sql("select id from worklist where key = 't:1'").scalar()
    people = [make_person(app, login, role) for login, role, _ in PEOPLE]
    for login in ("lin", "somchai", "hana"):
        accounts.assign(app, ADMIN, login, add_cases=[case_id])
    ids = {"{case}": case_id, "{item}": str(item_id), **desk_records(app, case_id)}
    wrong = []
    # amara last: her "done" clears the item the others must not reach.
    for person in sorted(people, key=lambda p: p.login == "amara"):
        client = signed_in_client(app, person)
        token = csrf_of(client.get("/account").text)
        for route in ROUTES:
            method, path = route.split(" ")
            url, form = path, dict(DESK_FORMS.get(route, {}) or CARE_FORMS.get(route, {}))
            for key, value in ids.items():
                url = url.replace(key, value)
                form = {k: v.replace(key, value) for k, v in form.items()}
            data = {"csrf": token, "target": "decision", "reason": "test", **form} if method == "POST" else None
            answer = client.request(method, url, data=data)
            want = expected(person.login, person.role.value, route)
            if answer.status_code != want:
                wrong.append(f"{person.login} ({person.role.value}) {route}: {answer.status_code}, expected {want}")
            if answer.status_code == 404:
                assert case_id not in answer.text and "Aung" not in answer.text
        client.close()
    assert wrong == []


def test_a_refusal_looks_exactly_like_a_missing_case(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    dewi = make_person(app, "dewi", "coordinator")
    client = signed_in_client(app, dewi)
    refused, missing = client.get(f"/cases/{case_id}"), client.get("/cases/W-ZZZZZZ")
    assert refused.status_code == missing.status_code == 404
    assert refused.text == missing.text


def test_the_matrix_covers_every_route_of_the_application():
    """Enumerated from the application's own routes: a new route fails here until the matrix says
    who may reach it (or NOT_IN_MATRIX says where it is tested)."""
    import re

    from starlette.routing import Route

    from witness.web.app import routes

    samples = {"{case}": "W-AAAAAA", "{item}": "1", "{hearing}": "H-AAAAAAAA", "{measure}": "M-AAAAAAAA",
               "{claim}": "CL-AAAAAAA"}
    in_matrix = []
    for route in ROUTES:
        method, path = route.split(" ")
        for key, value in samples.items():
            path = path.replace(key, value)
        in_matrix.append((method, path.split("?", 1)[0]))
    missing = []
    for r in routes():
        if r.path in NOT_IN_MATRIX or r.path.startswith("/static"):
            continue
        pattern = re.compile("^" + re.sub(r"\\\{\w+(?::\w+)?\\\}", "[^/]+", re.escape(r.path)) + "$")
        for method in sorted((r.methods or set()) - {"HEAD"}) if isinstance(r, Route) else []:
            if not any(m == method and pattern.match(p) for m, p in in_matrix):
                missing.append(f"{method} {r.path}")
    assert missing == []
