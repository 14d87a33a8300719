"""The intake form on the web (R-112): the service's own validation, `field.path: message` beside
each field, what was typed kept, and nothing written until the form is right."""
import re

from tests.helpers import row_counts
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.web.intake_form import data_of

GOOD = {
    "jurisdiction": "TH", "coordinator": "amara", "victim.legal_name": "Aung Min Thein",
    "victim.date_of_birth": "1994-03-12", "victim.gender": "male", "victim.preferred_language": "my",
    "victim.contact.phone": "+66 81 234 5678", "victim.safe_channels": ["sms", "call"],
    "proceedings.0.court": "Samut Sakhon Provincial Court", "proceedings.0.docket": "TH-SSK-2026-0141",
    "proceedings.0.accused.0.label": "Accused A", "proceedings.0.accused.0.custody": "detained",
    "proceedings.0.accused.0.relationship": "employer", "consents.0.scope": "interview",
    "consents.0.method": "written", "consents.0.language": "my", "services": ["shelter", "medical"],
}


def test_the_form_becomes_the_same_document_a_yaml_intake_file_holds():
    doc = data_of({**GOOD, "victim.aliases": "Min\n\nAung M.\n", "guardian.name": "", "consents.1.scope": "",
                   "consents.1.guardian_agreed": "1"})
    assert doc["victim"]["contact"] == {"phone": "+66 81 234 5678"}
    assert doc["victim"]["aliases"] == ["Min", "Aung M."]
    assert doc["proceedings"] == [{"court": "Samut Sakhon Provincial Court", "docket": "TH-SSK-2026-0141",
                                   "accused": [{"label": "Accused A", "custody": "detained", "relationship": "employer"}]}]
    assert doc["consents"] == [{"scope": "interview", "method": "written", "language": "my"}]
    assert "guardian" not in doc


def test_two_mistakes_are_shown_beside_their_fields_nothing_is_written_then_the_corrected_form_opens_the_case(app):
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get("/intake").text)
    before = row_counts(app.engine)
    bad = {**GOOD, "csrf": token, "victim.date_of_birth": "1994-13-12", "proceedings.0.accused.0.custody": "free"}
    answer = client.post("/intake", data=bad)
    assert answer.status_code == 422
    beside = re.findall(r'<p class="field-error" id="([^"]+)-error">([^:]+):', answer.text)
    assert beside == [("victim-date_of_birth", "victim.date_of_birth"),
                      ("proceedings-0-accused-0-custody", "proceedings.0.accused.0.custody")]
    assert 'value="Samut Sakhon Provincial Court"' in answer.text  # what was typed is kept
    assert row_counts(app.engine) == before
    fixed = client.post("/intake", data={**bad, "victim.date_of_birth": "1994-03-12",
                                         "proceedings.0.accused.0.custody": "detained"})
    assert fixed.status_code == 303
    case_id = fixed.headers["location"].removeprefix("/cases/")
    assert re.fullmatch(r"W-[A-Z0-9]{6}", case_id)  # the URL holds the pseudonym only
    assert client.get(fixed.headers["location"]).status_code == 200


def test_the_newer_intake_facts_have_fields_and_their_problems_are_shown_beside_them(app):
    """Circumstances (exploitation, pregnancy, children with the victim, a media breach) and the
    guardian's link to an accused: on the form, refused beside their fields, kept when refused."""
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = client.get("/intake").text
    for name in ("circumstances.exploitation", "circumstances.pregnancy", "circumstances.accompanying_children",
                 "circumstances.media_breach", "guardian.accused_link"):
        assert f'name="{name}"' in page
    child = {**GOOD, "csrf": csrf_of(page), "victim.date_of_birth": "", "victim.age_estimate": "15",
             "guardian.name": "Daw Khin", "guardian.relationship": "mother", "guardian.accused_link": "Accused Z",
             "consents.0.guardian_agreed": "1", "circumstances.exploitation": ["labour", "domestic_servitude"],
             "circumstances.pregnancy": "no", "circumstances.accompanying_children": "25",
             "circumstances.media_breach": "1"}
    before = row_counts(app.engine)
    answer = client.post("/intake", data=child)
    assert answer.status_code == 422
    assert _beside(answer.text) == [("circumstances-accompanying_children", "circumstances.accompanying_children")]
    assert 'value="domestic_servitude" checked' in answer.text and 'value="Accused Z"' in answer.text
    # The link is checked against the form's accused once the form itself is valid.
    linked = client.post("/intake", data={**child, "circumstances.accompanying_children": "2"})
    assert linked.status_code == 422
    assert _beside(linked.text) == [("guardian-accused_link", "guardian.accused_link")]
    assert "not an accused in this form&#39;s proceedings" in linked.text
    assert row_counts(app.engine) == before  # nothing written
    opened = client.post("/intake", data={**child, "guardian.accused_link": "Accused A",
                                          "circumstances.accompanying_children": "2"})
    assert opened.status_code == 303
    case_id = opened.headers["location"].removeprefix("/cases/")
    from tests.conftest import COORDINATOR
    from witness.services import worklist
    kinds = {i["kind"] for i in worklist.open_items(app, COORDINATOR) if i["case_id"] == case_id}
    assert {"guardian_complicity", "media_breach"} <= kinds  # both facts reached the service


def _beside(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="field-error" id="([^"]+)-error">([^:]+):', html)
