"""The canary over every page (R-113, R-70): a victim's name, address, phone, aliases and date of
birth never reach a person without need to know, on any page, in any answer, or in the access log."""
import logging
import re
from datetime import timedelta

from tests.conftest import ADMIN, COORDINATOR, adult_form
from tests.web.conftest import csrf_of, make_person, signed_in_client, web_client
from tests.web.test_routes import desk_records
from witness.services import accounts
from witness.services.intake import open_case
from witness.services.worklist import add_items, item

NAME, ADDRESS, PHONE, ALIAS, BORN = "Canaryname Zyxwvut", "77 Quokkastraat Hidden Lane", "+66 80 999 1234", \
    "Snarkalias", "1990-01-01"
# The phone is stored in E.164 (+66809991234): the canary looks for both spellings.
CANARIES = [NAME, "Zyxwvut", "Quokkastraat", "80 999 1234", "809991234", ALIAS, BORN]
# Without need to know the identity of this case: a coordinator assigned to help who is not its
# coordinator, coordinators and lawyers and prosecutors not assigned, escort, interpreter, auditor, admin.
PEOPLE = [("lin", "coordinator"), ("dewi", "coordinator"), ("preecha", "prosecutor"), ("budi", "legal_aid"),
          ("officer-9", "escort"), ("interp-07", "interpreter"), ("audit-1", "auditor"), ("root-2", "admin")]
GETS = ["/", "/today", "/cases", "/cases?page=2", "/cases?stage=reflection", "/cases?risk=unassessed&jurisdiction=TH", "/cases?risk=dire", "/intake", "/assignments", "/account", "/nowhere", "/hearings",
        "/claims", "/audit", "/users"]


def test_no_page_shows_identity_to_anyone_without_need_to_know(app, caplog):
    caplog.set_level(logging.INFO, logger="witness.web.access")
    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name=NAME, address=ADDRESS, aliases=[ALIAS], date_of_birth=BORN,
                          contact={"phone": PHONE}, notes=f"{NAME} fears her uncle")
    case_id = open_case(app, COORDINATOR, form)
    with app.engine.begin() as conn:
        add_items(conn, [item(f"k:{login}", case_id, "risk_review", login, app.clock.now() - timedelta(hours=1),
                              app.clock.now(), f"{case_id}: review") for login, _ in PEOPLE])
    people = [make_person(app, login, role) for login, role in PEOPLE]
    accounts.assign(app, ADMIN, "lin", add_cases=[case_id])
    make_person(app, "hana", "legal_aid")  # the case's lawyer (she has need to know: not in PEOPLE)
    accounts.assign(app, ADMIN, "hana", add_cases=[case_id])
    desk = desk_records(app, case_id)  # a hearing with measures, hana's claim, a spare account
    hearing, measure, claim = desk["{hearing}"], desk["{measure}"], desk["{claim}"]
    shown = []
    for person in people:
        client = signed_in_client(app, person)
        token = csrf_of(client.get("/account").text)
        pages = [client.get(url) for url in GETS + [f"/cases/{case_id}"]]
        pages += [client.post(f"/cases/{case_id}/identity", data={"csrf": token}),
                  client.post(f"/cases/{case_id}/stage", data={"csrf": token, "target": "trial", "reason": "x"}),
                  client.post(f"/cases/{case_id}/contact", data={"csrf": token}),
                  client.post("/today/1/snooze", data={"csrf": token, "period": "9y", "reason": "x"}),
                  client.post("/today/1/escalate", data={"csrf": token}),
                  client.get(f"/cases/{case_id}/call-script")]
        pages += [client.get(url) for url in (f"/hearings/{hearing}", f"/claims/{claim}", "/users/spare-1",
                                              f"/cases/{case_id}/consent", f"/cases/{case_id}/risk",
                                              "/claims/report", "/claims/report.csv",
                                              f"/cases/{case_id}/records", "/resources",
                                              f"/audit?record={case_id}", "/audit?search=1")]
        pages += [client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "notification:email",
                                                                 "method": "oral", "language": "my"}),
                  client.post(f"/cases/{case_id}/consent", data={"csrf": token, "scope": "interview",
                                                                 "method": "telepathy", "language": "my"}),
                  client.post(f"/cases/{case_id}/consent/withdraw", data={"csrf": token, "scope": "interview"}),
                  client.post(f"/cases/{case_id}/risk", data={"csrf": token, "trigger": "initial",
                                                              "victim.fear_scale": "12"}),
                  client.post(f"/cases/{case_id}/services/end", data={"csrf": token, "kind": "medical",
                                                                      "reason": "completed"}),
                  client.get(f"/cases/{case_id}/guardian"),
                  client.post(f"/cases/{case_id}/guardian", data={"csrf": token, "name": "", "relationship": "x"}),
                  client.post(f"/claims/{claim}/resolve", data={"csrf": token, "status": "withdrawn", "reason": ""})]
        pages += [client.post(f"/hearings/{hearing}/request", data={"csrf": token, "measure": measure}),
                  client.post(f"/hearings/{hearing}/measures/{measure}/decide",
                              data={"csrf": token, "decision": "partially_granted"}),
                  client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case_id,
                                                                       "with_name": "1"}),
                  client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case_id,
                                                                       "with_name": "1", "preview": "1"}),
                  client.post(f"/claims/{claim}/payments", data={"csrf": token, "amount": "1", "currency": "THB",
                                                                "reference": "x"}),
                  client.post("/audit/verify", data={"csrf": token}),
                  client.post("/users", data={"csrf": token, "user": "x", "role": "escort"})]
        # The person's own calendar feed, fetched as their calendar app would.
        linked = client.post("/calendar/link", data={"csrf": token})
        feed = re.search(r'value="http://testserver(/feeds/[^"]+)"', linked.text)
        pages += [linked, client.get("/calendar")] + ([web_client(app).get(feed.group(1))] if feed else [])
        shown += [f"{person.login} {p.request.method} {p.request.url.path}: {p.status_code}\n{p.text}" for p in pages]
        client.close()
    everything = "\n".join(shown + [r.getMessage() for r in caplog.records])
    assert f"/cases/{case_id}: 200" in everything  # lin and the auditor did open the case (pseudonymised)
    assert f"/feeds/" in everything and "BEGIN:VCALENDAR" in everything  # feeds were read too
    for canary in CANARIES:
        assert canary not in everything, f"{canary!r} leaked"


def test_the_canary_is_really_there_for_the_assigned_coordinator(app):
    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name=NAME, address=ADDRESS)
    case_id = open_case(app, COORDINATOR, form)
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get(f"/cases/{case_id}").text)
    shown = client.post(f"/cases/{case_id}/identity", data={"csrf": token}).text
    assert NAME in shown and ADDRESS in shown


def test_show_identity_gives_each_role_only_its_own_fields(app):
    """Field-level need to know (R-70) on the web: an assigned prosecutor sees who will testify
    (name, aliases, date of birth) but not where she lives or how to reach her; the case's lawyer
    sees her name and how to reach her, not her address, date of birth or aliases. Each reading is
    audited with exactly the fields shown."""
    from tests.audit_rows import audit_rows

    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name=NAME, address=ADDRESS, aliases=[ALIAS], date_of_birth=BORN,
                          contact={"phone": PHONE})
    case_id = open_case(app, COORDINATOR, form)
    wanted = {"preecha": ({NAME, ALIAS, BORN}, {"Quokkastraat", "80 999 1234", "809991234"}),
              "hana": ({NAME, "+66809991234"}, {"Quokkastraat", ALIAS, BORN})}
    for login, role in (("preecha", "prosecutor"), ("hana", "legal_aid")):
        person = make_person(app, login, role)
        accounts.assign(app, ADMIN, login, add_cases=[case_id])
        client = signed_in_client(app, person)
        token = csrf_of(client.get(f"/cases/{case_id}").text)
        shown = client.post(f"/cases/{case_id}/identity", data={"csrf": token}).text
        client.close()
        present, absent = wanted[login]
        assert all(v in shown for v in present), login
        assert not [v for v in absent if v in shown], login
        read = [r.purpose for r in audit_rows(app) if r.actor == login and r.action == "identity.read"]
        assert len(read) == 1 and "address" not in read[0], (login, read)
