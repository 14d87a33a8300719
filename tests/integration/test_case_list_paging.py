"""The case list paged in SQL (R-112): each page and the total are exactly what the one
need-to-know rule allows, in opening order, whatever the role and however a person is on a case."""
from datetime import timedelta

from tests.conftest import ADMIN, COORDINATOR, adult_form
from witness.domain.access import Actor, Role, may_act_on
from witness.services import accounts, cases, claims
from witness.services.intake import open_case
from witness.store.records import cases_access

LAWYER = Actor("hana", Role.legal_aid)


def _store(app) -> list[str]:
    """Nine cases over six days: amara's own, dewi's (one assigned to amara through her account,
    one with another prosecutor), and a lawyer's claim on one."""
    made = []
    for n in range(9):
        coordinator = "amara" if n % 3 == 0 else "dewi"
        form = adult_form(coordinator=coordinator)
        if n == 4:
            form["proceedings"][0].update(prosecutor="preecha", docket="TH-SSK-2026-0999")  # its own proceeding
        made.append(open_case(app, Actor(coordinator, Role.coordinator), form))
        app.clock.advance(hours=16)
    for login, role in (("amara", "coordinator"), ("dewi", "coordinator"), ("hana", "legal_aid"),
                        ("somchai", "prosecutor"), ("preecha", "prosecutor"), ("audit-1", "auditor")):
        accounts.add(app, ADMIN, login, role)
    accounts.assign(app, ADMIN, "amara", add_cases=[made[1]])
    accounts.assign(app, ADMIN, "hana", add_cases=[made[5]])
    claims.new(app, LAWYER, made[5])
    return made


def _allowed(app, actor: Actor, in_order: list[str]) -> list[str]:
    """The reference: every case checked one by one with the rule itself."""
    with app.engine.connect() as conn:
        teams = cases_access(conn, in_order)
    return [c for c in in_order if may_act_on(actor, teams[c], "case.read")]


def test_every_page_and_the_total_are_what_the_rule_allows_in_opening_order(app):
    made = _store(app)
    people = [COORDINATOR, Actor("dewi", Role.coordinator), Actor("somchai", Role.prosecutor),
              Actor("preecha", Role.prosecutor), LAWYER, Actor("audit-1", Role.auditor)]
    for actor in people:
        want = _allowed(app, actor, made)
        got, offset = [], 0
        while True:
            page = cases.page_of_cases(app, actor, offset=offset, limit=2)
            assert page.total == len(want), actor
            if not page.rows:
                break
            assert len(page.rows) <= 2
            got += [r["id"] for r in page.rows]
            offset += 2
        assert got == want, actor
        assert [r["id"] for r in cases.list_cases(app, actor)] == want
    assert _allowed(app, COORDINATOR, made) == [made[0], made[1], made[3], made[6]]  # own three + the assigned one
    assert _allowed(app, LAWYER, made) == [made[5]]
    assert len(_allowed(app, Actor("somchai", Role.prosecutor), made)) == 8  # not the case preecha prosecutes


def test_a_page_past_the_end_is_empty_and_the_stage_filter_counts_too(app):
    made = _store(app)
    auditor = Actor("audit-1", Role.auditor)
    assert cases.page_of_cases(app, auditor, offset=50, limit=50).rows == []
    assert cases.page_of_cases(app, auditor, offset=50, limit=50).total == 9
    page = cases.page_of_cases(app, auditor, offset=7, limit=5)
    assert [r["id"] for r in page.rows] == made[7:]
    assert cases.page_of_cases(app, COORDINATOR, stage="trial").total == 0
    assert cases.page_of_cases(app, COORDINATOR, stage="reflection").total == 4



def test_the_list_filters_by_jurisdiction_and_by_the_latest_risk_level_and_counts_what_it_filters(app):
    from witness.services import risk

    made = _store(app)
    indonesian = open_case(app, COORDINATOR, adult_form(jurisdiction="ID"))
    auditor = Actor("audit-1", Role.auditor)
    # One case assessed twice: the later assessment's level is the case's, not the earlier one's.
    calm = {"trigger": "initial", "victim": {"own_words": "calm now", "fear_scale": 0}}
    afraid = {"trigger": "initial", "case": {"threats_to_victim": True, "threats_to_family": True},
              "victim": {"own_words": "he knows my village", "fear_scale": 10}}
    first = risk.record(app, COORDINATOR, made[0], afraid).level
    app.clock.advance(hours=1)
    latest = risk.record(app, COORDINATOR, made[0], calm).level
    other = risk.record(app, COORDINATOR, made[3], afraid).level
    assert first != latest and other == first  # the test means something only if the levels differ
    # The auditor lists every case but not their risk levels (risk.read: coordinator, prosecutor).
    assert [r["id"] for r in cases.list_cases(app, auditor, jurisdiction="ID")] == [indonesian]
    assert all("risk_level" not in r for r in cases.list_cases(app, auditor))
    for actor in (COORDINATOR,):
        visible = [r["id"] for r in cases.list_cases(app, actor)]
        by_level = {r["id"]: r["risk_level"] for r in cases.list_cases(app, actor)}
        assert by_level[made[0]] == latest and by_level[made[3]] == first and by_level[made[6]] is None
        for level in (latest, first):
            page = cases.page_of_cases(app, actor, risk=level.value, limit=50)
            assert [r["id"] for r in page.rows] == [c for c in visible if by_level[c] == level], (actor, level)
            assert page.total == len(page.rows)
        unassessed = cases.page_of_cases(app, actor, risk="unassessed")
        assert [r["id"] for r in unassessed.rows] == [c for c in visible if by_level[c] is None]
        assert [r["id"] for r in cases.list_cases(app, actor, jurisdiction="ID")] == [indonesian]
        both = cases.page_of_cases(app, actor, jurisdiction="TH", risk=first.value, stage="reflection")
        assert [r["id"] for r in both.rows] == [made[3]] and both.total == 1
    assert cases.page_of_cases(app, Actor("dewi", Role.coordinator), jurisdiction="ID").total == 0


def test_an_unknown_filter_code_is_refused_by_field_not_answered_with_an_empty_list(app):
    import pytest

    from witness.errors import InputProblems

    _store(app)
    with pytest.raises(InputProblems) as refused:
        cases.page_of_cases(app, COORDINATOR, risk="extreme", jurisdiction="XX")
    assert [p for p, _ in refused.value.problems] == ["jurisdiction", "risk"]
