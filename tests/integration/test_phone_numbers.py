"""Phone numbers at intake (issue 14 item 6, R-73): validated against the case's state and stored
in E.164; a number that is not one is refused with the field's name and without the number."""
import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, adult_form, child_form
from witness.errors import InputProblems
from witness.services.intake import open_case
from witness.store.tables import identities


def _stored(app, case_id: str, column: str) -> str:
    with app.engine.connect() as c:
        row = c.execute(select(identities).where(identities.c.case_id == case_id)).first()
    return app.cipher.decrypt("identities", column, case_id, getattr(row, column))


def test_a_number_written_the_local_way_is_stored_in_e164_for_the_cases_state(app):
    form = adult_form()
    assert form["jurisdiction"] == "TH"
    form["victim"]["contact"] = {"phone": "081-234 5678"}
    case_id = open_case(app, COORDINATOR, form)
    assert _stored(app, case_id, "phone") == "+66812345678"


def test_an_international_number_keeps_its_own_country(app):
    form = adult_form()
    form["victim"]["contact"] = {"phone": "+95 9 420 012 345"}  # a Myanmar mobile, for a case in Thailand
    case_id = open_case(app, COORDINATOR, form)
    assert _stored(app, case_id, "phone") == "+959420012345"


@pytest.mark.parametrize("number", ["+66 81 234", "+66 00 000 0000", "02 000"])
def test_a_number_the_states_plan_does_not_have_is_refused_by_field_name_without_echoing_it(app, number):
    form = adult_form()
    form["victim"]["contact"] = {"phone": number}
    with pytest.raises(InputProblems) as err:
        open_case(app, COORDINATOR, form)
    assert "victim.contact.phone: not a valid phone number in TH" in str(err.value) or \
        "victim.contact.phone: not a phone number" in str(err.value)
    assert number not in str(err.value)


def test_a_guardians_number_is_checked_and_stored_the_same_way(app):
    form = child_form(jurisdiction="ID")
    form["guardian"] = dict(form["guardian"], phone="0812 0000 1111")
    case_id = open_case(app, COORDINATOR, form)
    assert _stored(app, case_id, "guardian_phone") == "+6281200001111"
    bad = child_form(jurisdiction="ID")
    bad["guardian"] = dict(bad["guardian"], phone="0812 00")
    with pytest.raises(InputProblems, match=r"guardian\.phone: not a"):
        open_case(app, COORDINATOR, bad)
