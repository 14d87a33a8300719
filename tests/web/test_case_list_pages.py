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
