"""A case's notices and documents page, and the resources page (R-112): what the services give the
reader, pseudonymous, with a failed notice's reason; 404 for those without need to know."""
from tests.conftest import COORDINATOR, T0, adult_form
from tests.web.conftest import make_person, signed_in_client
from tests.web.test_assignments_page import RESOURCES
from witness.services import resources
from witness.services.custody import change_custody, find_accused
from witness.services.intake import open_case


def test_a_release_notice_is_listed_with_its_channel_and_state_and_a_stranger_gets_404(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    change_custody(app, COORDINATOR, "EV-1", find_accused(app, "TH-SSK-2026-0141", "Accused A"), "released", T0)
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = amara.get(f"/cases/{case_id}/records")
    assert page.status_code == 200
    table = page.text[page.text.index('id="notices"'):page.text.index("</table>")]
    assert "sms" in table and "queued" in table and "urgent" in table  # told at once, on a safe channel
    assert "No document yet." in page.text
    assert "Aung" not in page.text
    dewi = signed_in_client(app, make_person(app, "dewi", "coordinator"))
    assert dewi.get(f"/cases/{case_id}/records").status_code == 404


def test_resources_show_availability_and_leave_to_admins_and_not_to_escorts(app):
    resources.load(app, COORDINATOR, RESOURCES)
    admin = signed_in_client(app, make_person(app, "root-2", "admin"))
    page = admin.get("/resources")
    assert page.status_code == 200 and 'href="/resources"' in page.text
    listed = resources.list_resources(app, COORDINATOR)
    assert listed and all(r["id"] in page.text for r in listed)
    on_leave = [r for r in listed if r["leave"]]
    for r in on_leave:
        assert f"away {r['leave'][0]['from'][:10]}" in page.text
    officers = admin.get("/resources?kind=escort_officer").text
    assert all((r["id"] in officers) == (r["kind"] == "escort_officer") for r in listed)
    escort = signed_in_client(app, make_person(app, "officer-9", "escort"))
    assert escort.get("/resources").status_code == 404


def test_the_cases_hearings_link_to_their_measures_board(app):
    from datetime import timedelta

    from witness.services import consent, hearings

    case_id = open_case(app, COORDINATOR, adult_form())
    consent.give(app, COORDINATOR, case_id, "testimony", "written", "my", explained=True)
    hearing = hearings.add(app, COORDINATOR, "TH-SSK-2026-0141", T0 + timedelta(days=30),
                           T0 + timedelta(days=30, hours=3), witnesses=[{"case": case_id}])["hearing"]
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = amara.get(f"/cases/{case_id}/records").text
    listed = page[page.index('id="hearings"'):page.index("</ul>", page.index('id="hearings"'))]
    assert f'href="/hearings/{hearing}"' in listed and "TH-SSK-2026-0141" in listed and "2026-12-02 10:00" in listed
    assert amara.get(f"/hearings/{hearing}").status_code == 200
