import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, T0, adult_form, child_form
from tests.helpers import row_counts
from witness.errors import Forbidden, InputProblems
from witness.services import cases as case_service
from witness.services.intake import open_case
from witness.store.tables import accused, proceedings


def test_intake_opens_a_case_under_a_pseudonym_in_its_reflection_period(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    assert re.fullmatch(r"W-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}", case_id)
    view = case_service.show(app, COORDINATOR, case_id)
    assert view["stage"] == "reflection"
    # Thailand's referral mechanism gives 15 days, shown in Bangkok time.
    assert view["reflection"]["ends_at"] == (T0 + timedelta(days=15)).astimezone(app.profile("TH").tz).isoformat()
    assert view["identity"]["legal_name"] == "Aung Min Thein"


def test_an_intake_file_with_three_mistakes_gets_three_lines_and_writes_nothing(app):
    before = row_counts(app.engine)
    form = adult_form()
    form["victim"]["date_of_birth"] = "1994-13-45"
    form["proceedings"][0]["accused"][0]["custody"] = "in_jail"
    form["consents"] = [{"scope": "testimonies", "method": "written", "language": "my"}]
    with pytest.raises(InputProblems) as err:
        open_case(app, COORDINATOR, form)
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert [line.split(":")[0] for line in lines] == [
        "victim.date_of_birth", "proceedings.0.accused.0.custody", "consents.0.scope"]
    assert row_counts(app.engine) == before


def test_a_victim_of_uncertain_age_is_presumed_a_child_and_opens_with_the_guardian_pending(app):
    # Issue 12: a child found before a guardian is appointed gets a case at once (tests/integration/test_care.py).
    case_id = open_case(app, COORDINATOR, child_form(guardian=None))
    view = case_service.show(app, COORDINATOR, case_id)
    assert view["age_status"] == "uncertain"


def test_a_childs_consent_without_the_guardian_is_refused_at_intake(app):
    form = child_form(consents=[{"scope": "medical_exam", "method": "written", "language": "id", "explained": True}])
    with pytest.raises(InputProblems, match=r"consents\.0\.guardian_agreed"):
        open_case(app, COORDINATOR, form)


def test_an_adult_by_date_of_birth_needs_no_guardian(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    assert case_service.show(app, COORDINATOR, case_id)["age_status"] == "adult"


def test_errors_never_echo_the_value_that_was_wrong(app):
    form = adult_form()
    form["victim"]["contact"] = {"phone": "Aung Min Thein lives at 4 Mahachai"}
    with pytest.raises(InputProblems) as err:
        open_case(app, COORDINATOR, form)
    assert "victim.contact.phone" in str(err.value)
    assert "Aung" not in str(err.value) and "Mahachai" not in str(err.value)


def test_victims_of_one_proceeding_share_it_and_its_accused(app):
    a = open_case(app, COORDINATOR, adult_form())
    second = adult_form()
    second["victim"] = dict(second["victim"], legal_name="Another Person")
    b = open_case(app, COORDINATOR, second)
    with app.engine.connect() as c:
        assert len(c.execute(select(proceedings)).all()) == 1
        assert len(c.execute(select(accused)).all()) == 1
    for case_id in (a, b):
        assert case_service.show(app, COORDINATOR, case_id)["proceedings"][0]["accused"][0]["label"] == "Accused A"


def test_reflection_days_beyond_the_jurisdiction_maximum_are_refused(app):
    with pytest.raises(InputProblems, match=r"^reflection_days: 200 exceeds TH's maximum"):
        open_case(app, COORDINATOR, adult_form(reflection_days=200))


def test_unknown_jurisdiction_is_named(app):
    with pytest.raises(InputProblems, match=r"^jurisdiction: unknown jurisdiction"):
        open_case(app, COORDINATOR, adult_form(jurisdiction="XX"))


def test_only_coordinators_open_cases(app):
    from tests.conftest import PROSECUTOR

    with pytest.raises(Forbidden):
        open_case(app, PROSECUTOR, adult_form())


@pytest.mark.parametrize("scope", ["testimony", "name_disclosure", "medical_exam", "return"])
def test_an_informed_consent_at_intake_needs_the_sheet_explained_and_nothing_is_written(app, scope):
    """DNH-31 at intake too: consent to testify (or to name disclosure, an examination, a return)
    recorded with the case needs the information sheet explained first; silence is never consent."""
    before = row_counts(app.engine)
    form = adult_form(consents=[{"scope": scope, "method": "written", "language": "my"}])
    with pytest.raises(InputProblems) as refused:
        open_case(app, COORDINATOR, form)
    assert ("consents.0.explained", f"consent to {scope} needs the information sheet explained first (DNH-31); "
            "say explained: true once it was") in refused.value.problems
    assert row_counts(app.engine) == before


def test_an_explanation_given_at_intake_is_recorded_with_its_language_and_time(app):
    from witness.store.return_tables import information_sheets
    given = T0 - timedelta(hours=2)
    form = adult_form(consents=[{"scope": "testimony", "method": "written", "language": "my", "explained": True,
                                 "given_at": given.isoformat()}])
    case_id = open_case(app, COORDINATOR, form)
    with app.engine.connect() as c:
        rows = c.execute(select(information_sheets).where(information_sheets.c.case_id == case_id)).all()
    assert [(r.scope, r.language, r.explained_at) for r in rows] == [("testimony", "my", given)]
