"""Recording a child's guardian on the web (R-15): the form that clears a "guardian pending" item,
with `field.path: message` beside each field and nothing written on error; a link to an accused is
escalated at once; an adult's case has no guardian. Identity never in the page or the URL."""
import re

from sqlalchemy import func, select

from tests.conftest import COORDINATOR, adult_form, child_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.services import worklist
from witness.services.intake import open_case
from witness.store.care_tables import guardian_records

PROCEEDING = [{"court": "Pengadilan Negeri Indramayu", "docket": "ID-IDM-2026-077",
               "accused": [{"label": "Accused C", "custody": "arrested", "relationship": "family"}]}]


def _kinds(app, case_id):
    return sorted(i["kind"] for i in worklist.open_items(app, COORDINATOR) if i["case_id"] == case_id)


def _records(app, case_id):
    with app.engine.connect() as c:
        n = c.execute(select(func.count()).select_from(guardian_records).where(guardian_records.c.case_id == case_id)).scalar()
        c.rollback()
    return n


def test_a_pending_guardian_is_recorded_from_today_with_problems_beside_the_fields(app):
    form = child_form(proceedings=PROCEEDING)
    del form["guardian"]  # found before a guardian was appointed
    case_id = open_case(app, COORDINATOR, form)
    assert "guardian_pending" in _kinds(app, case_id)
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    today = client.get("/today").text
    assert f'href="/cases/{case_id}/guardian"' in today  # the one form that clears the item
    page = client.get(f"/cases/{case_id}/guardian")
    assert page.status_code == 200 and '<option value="Accused C">' in page.text
    token = csrf_of(page.text)
    wrong = client.post(f"/cases/{case_id}/guardian", data={"csrf": token, "name": "", "relationship": "aunt",
                                                           "phone": "call me"})
    assert wrong.status_code == 422
    beside = re.findall(r'<p class="field-error" id="g-([^"]+)-error">([^:]+):', wrong.text)
    assert beside == [("name", "name"), ("phone", "phone")]
    assert 'value="aunt"' in wrong.text and _records(app, case_id) == 0  # kept as typed; nothing written
    done = client.post(f"/cases/{case_id}/guardian", data={"csrf": token, "name": "Nur Hasanah",
                                                          "relationship": "mother", "accused_link": "Accused C"})
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{case_id}"
    assert "Nur Hasanah" not in done.headers["location"]
    assert _records(app, case_id) == 1
    kinds = _kinds(app, case_id)
    assert "guardian_pending" not in kinds and "guardian_complicity" in kinds  # cleared; the link escalated
    assert f'href="/cases/{case_id}/guardian"' in client.get(f"/cases/{case_id}").text


def test_an_adults_case_has_no_guardian_form_and_others_get_404(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = amara.get(f"/cases/{case_id}/guardian")
    assert page.status_code == 200 and 'id="adult"' in page.text and 'id="guardian"' not in page.text
    assert 'id="guardian-link"' not in amara.get(f"/cases/{case_id}").text
    refused = amara.post(f"/cases/{case_id}/guardian", data={"csrf": csrf_of(page.text), "name": "Daw Khin",
                                                             "relationship": "mother"})
    assert refused.status_code == 409 and _records(app, case_id) == 0
    dewi = signed_in_client(app, make_person(app, "dewi", "coordinator"))
    assert dewi.get(f"/cases/{case_id}/guardian").status_code == 404
