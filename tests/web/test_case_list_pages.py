"""The Cases page reads one page of 50 at a time (services.cases.page_of_cases), with the total."""
import re

from tests.conftest import COORDINATOR, adult_form
from tests.web.conftest import make_person, signed_in_client
from witness.services.intake import open_case


def test_the_cases_page_shows_fifty_a_page_the_total_and_the_last_page_for_a_number_past_it(app):
    made = []
    for _ in range(53):
        made.append(open_case(app, COORDINATOR, adult_form()))
        app.clock.advance(minutes=1)
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))

    def shown(url):
        page = client.get(url)
        assert page.status_code == 200
        return re.findall(r'<td><a href="/cases/(W-[A-Z0-9]{6})">', page.text), page.text

    first, text = shown("/cases")
    assert first == made[:50] and "53 cases, by pseudonym." in text and "Page 1 of 2" in text
    second, text = shown("/cases?page=2")
    assert second == made[50:] and 'rel="prev"' in text and 'rel="next"' not in text
    assert shown("/cases?page=99")[0] == made[50:]  # past the end: the last page
    for odd in ("²", "0", "-1", "9" * 5000, "x"):
        assert shown(f"/cases?page={odd}")[0] == made[:50]


def test_the_cases_page_filters_by_stage_and_names_an_unknown_stage_beside_the_filter(app):
    from sqlalchemy import update

    from witness.store.tables import cases

    made = [open_case(app, COORDINATOR, adult_form()) for _ in range(3)]
    with app.engine.begin() as conn:  # set-up: one case further on (the stage rules are tested elsewhere)
        conn.execute(update(cases).where(cases.c.id == made[1]).values(stage="trial"))
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    trial = client.get("/cases", params={"stage": "trial"})
    assert re.findall(r'<td><a href="/cases/(W-[A-Z0-9]{6})">', trial.text) == [made[1]]
    assert '<option value="trial" selected>' in trial.text and "1 case, by pseudonym." in trial.text
    wrong = client.get("/cases", params={"stage": "nowhere"})
    assert wrong.status_code == 422 and 'id="stage-error">stage: ' in wrong.text
    assert len(re.findall(r'<td><a href="/cases/', client.get("/cases").text)) == 3


def test_the_cases_page_filters_by_risk_level_and_jurisdiction_and_names_an_unknown_code_beside_its_filter(app):
    import yaml

    from tests.conftest import PROJECT_ROOT
    from witness.services import risk

    made = [open_case(app, COORDINATOR, adult_form()) for _ in range(2)]
    jakarta = open_case(app, COORDINATOR, adult_form(jurisdiction="ID", proceedings=[]))
    answers = yaml.safe_load((PROJECT_ROOT / "examples" / "risk-answers.yaml").read_text())
    level = risk.record(app, COORDINATOR, made[1], answers).level.value
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))

    def listed(**params):
        page = client.get("/cases", params=params)
        return page.status_code, re.findall(r'<td><a href="/cases/(W-[A-Z0-9]{6})">', page.text), page.text

    status, rows, text = listed(risk=level)
    assert (status, rows) == (200, [made[1]]) and f'<option value="{level}" selected>' in text
    assert sorted(listed(risk="unassessed")[1]) == sorted([made[0], jakarta])
    assert listed(jurisdiction="ID")[1] == [jakarta]
    assert listed(jurisdiction="TH", risk="unassessed")[1] == [made[0]]
    for name, bad in (("risk", "dire"), ("jurisdiction", "XX")):
        status, rows, text = listed(**{name: bad})
        assert status == 422 and rows == [] and f'id="{name}-error">{name}: use one of' in text


def test_the_pager_keeps_the_filters(app):
    for _ in range(51):
        open_case(app, COORDINATOR, adult_form())
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    text = client.get("/cases", params={"jurisdiction": "TH", "risk": "unassessed"}).text
    assert 'href="/cases?page=2&amp;risk=unassessed&amp;jurisdiction=TH" rel="next"' in text


def test_risk_levels_are_listed_and_filtered_only_for_the_roles_that_read_risk(app):
    """The case page shows the risk level only to coordinators and prosecutors (risk.read); the
    list must not show it, or let it be guessed with the filter, to anyone else."""
    import pytest
    import yaml

    from tests.conftest import ADMIN, PROJECT_ROOT
    from witness.domain.access import Actor, Role
    from witness.errors import InputProblems
    from witness.services import accounts, cases, risk

    case_id = open_case(app, COORDINATOR, adult_form())
    answers = yaml.safe_load((PROJECT_ROOT / "examples" / "risk-answers.yaml").read_text())
    level = risk.record(app, COORDINATOR, case_id, answers).level.value
    people = {login: make_person(app, login, role) for login, role in
              (("amara", "coordinator"), ("hana", "legal_aid"), ("audit-1", "auditor"))}
    accounts.assign(app, ADMIN, "hana", add_cases=[case_id])
    for login, person in people.items():
        client = signed_in_client(app, person)
        page = client.get("/cases")
        assert page.status_code == 200 and f'<a href="/cases/{case_id}">' in page.text
        label = level.replace("_", " ")
        shows = ">Risk level<" in page.text, f"<td>{label}</td>" in page.text, 'id="risk"' in page.text
        assert shows == ((True, True, True) if login == "amara" else (False, False, False)), login
        # A hand-typed filter is ignored for them: the same list, not an answer about the level.
        filtered = client.get("/cases", params={"risk": "unassessed"})
        listed = f'<a href="/cases/{case_id}">' in filtered.text
        assert listed == (login != "amara"), login
    assert "risk_level" in cases.page_of_cases(app, COORDINATOR).rows[0]
    lawyer, auditor = Actor("hana", Role.legal_aid), Actor("audit-1", Role.auditor)
    assert all("risk_level" not in r for r in cases.page_of_cases(app, lawyer).rows)
    assert all("risk_level" not in r for r in cases.page_of_cases(app, auditor).rows)
    for who in (lawyer, auditor):
        with pytest.raises(InputProblems) as refused:
            cases.page_of_cases(app, who, risk=level)
        assert refused.value.problems == [("risk", f"a {who.role.value} does not read risk levels")]
