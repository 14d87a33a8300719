"""An escort sees only their own assignments (R-112), from the bookings the planner made."""
import re

from tests.integration.test_hearings import RESOURCES, _assessed, _grant, _hearing, _victim
from tests.conftest import COORDINATOR
from tests.web.conftest import make_person, signed_in_client
from witness.services import resources


def booked_escorts(app) -> tuple[str, str]:
    """Two witnesses at two hearings: one escorted by F1/F2 (she asked for women), one by M1/M2."""
    resources.load(app, COORDINATOR, RESOURCES)
    hers = _victim(app, name="Canaryname Zyxwvut")
    his = _victim(app, docket="TH-SSK-2026-0999", gender="male", preference="male", name="Othername Qwerty")
    for case in (hers, his):
        _assessed(app, case, ["escort"])
        _grant(app, _hearing(app, case, docket="TH-SSK-2026-0141" if case == hers else "TH-SSK-2026-0999"), case,
               ["escort"])
    return hers, his


def test_an_escort_sees_their_own_assignments_and_nobody_elses(app):
    hers, his = booked_escorts(app)
    client = signed_in_client(app, make_person(app, "F1", "escort"))
    page = client.get("/assignments")
    assert page.status_code == 200
    assert f"Witness {hers}" in page.text and "Samut Sakhon Provincial Court" in page.text
    assert his not in page.text
    # The pick-up before the 10:00 Bangkok hearing, in Bangkok time (stored in UTC).
    assert re.search(r"Wed 02 Dec 2026, 0[5-9]:\d\d</time></strong>\s*until 1\d:\d\d \+07", page.text), page.text
    for canary in ("Canaryname", "Zyxwvut", "Quokkastraat", "Pickupcanary"):
        assert canary not in page.text
    assert client.get(f"/cases/{hers}").status_code == 404
