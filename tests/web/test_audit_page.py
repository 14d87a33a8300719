"""The auditor's page (R-112): verification run from the browser says intact, or which check failed
at which row — in words, with no personal data. On SQLite and PostgreSQL."""
from sqlalchemy import update

from tests.conftest import COORDINATOR, adult_form
from tests.integration.test_audit_chain import _Tampering
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.services.intake import open_case
from witness.store.tables import audit_log

NAME = "Canaryname Zyxwvut"


def _verify(client):
    page = client.get("/audit")
    assert page.status_code == 200
    return client.post("/audit/verify", data={"csrf": csrf_of(page.text)})


def test_the_auditor_verifies_an_intact_log(app):
    open_case(app, COORDINATOR, adult_form())
    answer = _verify(signed_in_client(app, make_person(app, "audit-1", "auditor")))
    assert answer.status_code == 200
    assert '<p class="ok" id="verdict"><strong>Intact.</strong>' in answer.text
    assert "rows checked: chain, MACs, time order and head all hold." in answer.text


def test_an_edited_row_is_reported_by_its_sequence_number_and_the_check_that_failed(app):
    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name=NAME)
    case_id = open_case(app, COORDINATOR, form)
    auditor = make_person(app, "audit-1", "auditor")  # its account rows come after the edited one
    with _Tampering(app) as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(purpose="nothing happened here"))
    answer = _verify(signed_in_client(app, auditor))
    assert answer.status_code == 200
    assert "<strong>FAILED.</strong>" in answer.text
    assert "<li>seq 2: content does not match its MAC (row edited)</li>" in answer.text
    assert NAME not in answer.text and "Zyxwvut" not in answer.text and case_id not in answer.text


def test_the_admin_may_verify_and_no_one_else_reaches_the_page(app):
    root = signed_in_client(app, make_person(app, "root-2", "admin"))
    assert _verify(root).status_code == 200
    for login, role in (("amara", "coordinator"), ("somchai", "prosecutor"), ("hana", "legal_aid"),
                        ("officer-9", "escort")):
        client = signed_in_client(app, make_person(app, login, role))
        token = csrf_of(client.get("/account").text)
        assert client.get("/audit").status_code == 404
        assert client.post("/audit/verify", data={"csrf": token}).status_code == 404


def test_the_access_log_is_searched_by_person_record_action_and_date(app):
    from tests.conftest import T0

    case_id = open_case(app, COORDINATOR, adult_form())
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    amara.post(f"/cases/{case_id}/identity", data={"csrf": csrf_of(amara.get(f"/cases/{case_id}").text)})
    auditor = signed_in_client(app, make_person(app, "audit-1", "auditor"))
    page = auditor.get("/audit", params={"person": "amara", "record": case_id, "action": "identity"})
    assert page.status_code == 200
    table = page.text[page.text.index('<table id="found">'):page.text.index("</table>")]
    assert table.count("<tr><th scope=\"row\">") == 1 and "identity.read" in table and "amara (coordinator)" in table
    day = app.clock.now().date().isoformat()
    everything = auditor.get("/audit", params={"record": case_id, "since": day, "until": day}).text
    assert "case.intake" in everything and "identity.read" in everything
    before = auditor.get("/audit", params={"record": case_id, "until": (T0.date().replace(year=2020)).isoformat()})
    assert 'id="found">No row matches.' in before.text
    wrong = auditor.get("/audit", params={"since": "yesterday"})
    assert wrong.status_code == 422 and 'id="search-since-error">since: use a date as YYYY-MM-DD' in wrong.text
    searched = auditor.get("/audit", params={"action": "audit.search", "person": "audit-1"}).text
    assert "audit.search" in searched  # the searches are themselves in the log
    assert "Aung" not in everything
    assert signed_in_client(app, make_person(app, "dewi", "coordinator")).get(
        "/audit", params={"person": "amara"}).status_code == 404
