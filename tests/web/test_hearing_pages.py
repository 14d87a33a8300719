"""The prosecutor's pages (R-112): hearings of their cases, the measures board with deadlines and
LATE, "Request" and "Record decision" through the measures service, and the protective-measures
application downloaded as a PDF without personal data in its name. On SQLite and PostgreSQL."""
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from tests.conftest import ADMIN, COORDINATOR
from tests.integration.test_hearings import NAME, WHEN, _assessed, _hearing, _victim
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.services import accounts, documents, hearings, measures


@pytest.fixture
def board(app):
    """A victim (the canary's name) at a hearing in 30 days, with measures recommended from her
    latest assessment; somchai prosecutes the proceeding."""
    case = _victim(app)
    _assessed(app, case, ["screen", "pseudonym"])
    hearing = _hearing(app, case)
    return app, case, hearing


def _measures(app, hearing):
    return {m["kind"]: m for m in measures.list_measures(app, COORDINATOR, hearing)}


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_a_prosecutor_sees_the_hearings_of_their_cases_and_no_other(board):
    app, case, hearing = board
    somchai = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    page = somchai.get("/hearings")
    assert page.status_code == 200
    assert f'href="/hearings/{hearing}"' in page.text and case in page.text
    assert "Samut Sakhon Provincial Court" in page.text and "3 waiting" in page.text  # escort, screen, pseudonym
    other = signed_in_client(app, make_person(app, "preecha", "prosecutor"))
    listed = other.get("/hearings")
    assert listed.status_code == 200 and hearing not in listed.text and case not in listed.text
    assert other.get(f"/hearings/{hearing}").status_code == 404


def test_the_board_shows_each_measure_with_its_deadline_in_the_courts_time(board):
    app, case, hearing = board
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    page = client.get(f"/hearings/{hearing}")
    assert page.status_code == 200
    assert f"Witness <a href=\"/cases/{case}\">{case}</a>" in page.text
    # Thailand: requests 7 days before the 10:00 Bangkok hearing of 2 December.
    assert page.text.count("2026-11-25 10:00 (UTC+07:00)") == 3
    assert NAME not in page.text and "Zyxwvut" not in page.text


def test_requesting_measures_files_them_and_a_late_one_says_late(board):
    app, case, hearing = board
    before = _measures(app, hearing)
    app.clock.at = WHEN - timedelta(days=2)  # past the 7-day deadline: filed all the same, flagged
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    answer = client.post(f"/hearings/{hearing}/request",
                         data={"csrf": token, "measure": [before["screen"]["id"], before["escort"]["id"]]})
    assert answer.status_code == 303 and answer.headers["location"] == f"/hearings/{hearing}"
    after = _measures(app, hearing)
    assert {k: (m["status"], m["late"]) for k, m in after.items()} == {
        "escort": ("requested", True), "screen": ("requested", True), "pseudonym": ("recommended", False)}
    page = client.get(f"/hearings/{hearing}").text
    assert re.search(rf'id="m-{before["screen"]["id"]}".*?requested <strong class="late">LATE</strong>', page, re.S)


def test_nothing_asked_for_is_refused_beside_the_form_and_nothing_changes(board):
    app, case, hearing = board
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    answer = client.post(f"/hearings/{hearing}/request", data={"csrf": token})
    assert answer.status_code == 422 and "measures: name at least one measure id" in answer.text
    assert {m["status"] for m in _measures(app, hearing).values()} == {"recommended"}


def test_a_measure_of_another_hearing_cannot_be_reached_from_this_page(board):
    app, case, hearing = board
    second = _victim(app, docket="TH-SSK-2026-0999", name="Othername Qwerty")
    elsewhere = _hearing(app, second, docket="TH-SSK-2026-0999")
    theirs = next(iter(_measures(app, elsewhere).values()))
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    assert client.post(f"/hearings/{hearing}/request", data={"csrf": token, "measure": theirs["id"]}).status_code == 404
    assert client.post(f"/hearings/{hearing}/measures/{theirs['id']}/decide",
                       data={"csrf": token, "decision": "granted"}).status_code == 404
    assert _measures(app, elsewhere)[theirs["kind"]]["status"] == "recommended"


def test_a_partial_grant_needs_a_note_beside_the_field_then_the_decision_is_recorded(board):
    app, case, hearing = board
    screen = _measures(app, hearing)["screen"]["id"]
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    client.post(f"/hearings/{hearing}/request", data={"csrf": token, "measure": screen})
    refused = client.post(f"/hearings/{hearing}/measures/{screen}/decide",
                          data={"csrf": token, "decision": "partially_granted", "note": " "})
    assert refused.status_code == 422
    assert f'<p class="field-error" id="decide-{screen}-note-error">note: say what the court granted' in refused.text
    assert _measures(app, hearing)["screen"]["status"] == "requested"
    done = client.post(f"/hearings/{hearing}/measures/{screen}/decide", data={"csrf": token, "decision": "granted"})
    assert done.status_code == 303
    assert _measures(app, hearing)["screen"]["status"] in ("granted", "scheduled")


def test_the_application_downloads_as_a_pdf_of_this_case_without_the_name(board):
    app, case, hearing = board
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    answer = client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{case}-protective_measures-th-v1.pdf"'
    assert answer.headers["cache-control"] == "no-store"
    text = _text(answer.content)
    assert case in text and "TH-SSK-2026-0141" in text
    assert NAME not in text and "Zyxwvut" not in text
    [entry] = documents.register(app, COORDINATOR, case)
    assert (entry["kind"], entry["hearing_id"], entry["includes_identity"]) == ("protective_measures", hearing, False)


def test_the_name_without_consent_to_disclose_it_is_refused_and_nothing_is_registered(board):
    app, case, hearing = board
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    answer = client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case, "with_name": "1"})
    assert answer.status_code == 409 and "DNH-03" in answer.text
    assert NAME not in answer.text
    assert documents.register(app, COORDINATOR, case) == []


def test_a_late_application_needs_its_reason_beside_the_field(board):
    app, case, hearing = board
    app.clock.at = WHEN - timedelta(days=2)
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    answer = client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case})
    assert answer.status_code == 422
    assert f'id="late-{case}-error">late_reason: the application is 5 days late' in answer.text
    assert documents.register(app, COORDINATOR, case) == []
    made = client.post(f"/hearings/{hearing}/application",
                       data={"csrf": token, "case": case, "late_reason": "the victim decided to testify only now"})
    assert made.status_code == 200 and made.content.startswith(b"%PDF")


def test_a_witness_of_another_case_at_the_same_hearing_is_left_out_for_her_coordinator(board):
    app, case, hearing = board
    lin = make_person(app, "lin", "coordinator")
    other = _victim(app, name="Othername Qwerty")  # same proceeding, same hearing, amara's case too
    hearings.appear(app, COORDINATOR, hearing, {"case": other})
    accounts.assign(app, ADMIN, "lin", add_cases=[other])
    page = signed_in_client(app, lin).get(f"/hearings/{hearing}")
    assert page.status_code == 200
    assert other in page.text and case not in page.text


def test_the_plans_open_conflicts_are_shown_in_plain_words_for_the_witnesses_of_the_reader(board):
    from witness.domain.measure import MeasureKind
    from witness.domain.schedule import Conflict, ConflictKind
    from witness.services.worklist import add_items, item

    app, case, hearing = board
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    assert "No open conflict in the plan" in client.get(f"/hearings/{hearing}").text
    # Set-up: the gap the planner leaves on the coordinator's worklist (services/preparation._gaps).
    gap = Conflict(ConflictKind.no_resource_free, hearing, case, MeasureKind.screen, "no screen free at the court")
    with app.engine.begin() as conn:
        add_items(conn, [item(f"gap:{hearing}:{case}:screen:no_resource_free:x", case, "hearing_gap", "amara",
                              app.clock.now(), app.clock.now(), gap.line())])
    page = client.get(f"/hearings/{hearing}").text
    shown = page[page.index('id="conflicts-h"'):]
    assert f"{case} screen: no resource free — no screen free at the court" in shown
    assert "[no_resource_free]" not in shown  # no internal code on screen
    with app.engine.begin() as conn:  # the planner closed it: the page follows
        conn.exec_driver_sql("update worklist set done_at = created_at where kind = 'hearing_gap'")
    assert "No open conflict in the plan" in client.get(f"/hearings/{hearing}").text


def test_the_application_can_be_previewed_as_an_image_of_its_first_page_then_downloaded(board):
    import base64

    app, case, hearing = board
    client = signed_in_client(app, make_person(app, "somchai", "prosecutor"))
    token = csrf_of(client.get(f"/hearings/{hearing}").text)
    shown = client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case, "preview": "1"})
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    image = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', shown.text)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG")
    assert "Version 1 in th" in shown.text and NAME not in shown.text
    download = client.post(f"/hearings/{hearing}/application", data={"csrf": token, "case": case})
    assert download.headers["content-disposition"].endswith('-v1.pdf"')  # the same version as the preview
