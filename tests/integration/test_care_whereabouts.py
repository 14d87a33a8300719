"""Where a victim stays or is held (the accommodation provider, the kind of detention) is the
coordinator's to know: `witness care show` gives it to no other role that reads the case. SQLite
and PostgreSQL."""
import pytest

from tests.conftest import AUDITOR, COORDINATOR, PROSECUTOR, adult_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.services import accommodation, detention
from witness.services.care import summary
from witness.services.intake import open_case

LAWYER = Actor("hana", Role.legal_aid)


def _placed_and_held(app):
    form = adult_form(services=["medical"], consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    case = open_case(app, COORDINATOR, form)
    accommodation.place(app, COORDINATOR, case, "open_shelter", "th-open-shelter-men")
    detention.record(app, COORDINATOR, case, "police_cell")
    put_on_case(app, LAWYER, case)
    return case


def test_the_coordinator_sees_the_provider_and_the_detention(app):
    case = _placed_and_held(app)
    seen = summary(app, COORDINATOR, case)
    assert [(s["kind"], s["provider"]) for s in seen["accommodation"]] == [("open_shelter", "th-open-shelter-men")]
    assert seen["detention"]["kind"] == "police_cell"


@pytest.mark.parametrize("who", [PROSECUTOR, LAWYER, AUDITOR], ids=lambda a: a.role.value)
def test_no_other_role_learns_where_the_victim_stays_or_is_held(app, who):
    case = _placed_and_held(app)
    seen = summary(app, who, case)
    assert seen["accommodation"] is None and seen["detention"] is None
    assert "th-open-shelter-men" not in repr(seen) and "police_cell" not in repr(seen)
