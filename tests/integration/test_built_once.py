"""Statements about one case are built once per process (witness.store.dialects.select_for): a
victim's feed, a case's page and the Do No Harm check of one action run the same statements for
one case again and again. Built once, they must still answer for the case asked about, as it is
now: never the first caller's case, never the facts as they were when the statement was built."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from tests.conftest import COORDINATOR, T0, adult_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.domain.proceeding import Custody
from witness.services.guardrails import case_facts, case_facts_many
from witness.services.intake import open_case
from witness.store import dialects
from witness.store.records import case_access, cases_access
from witness.store.tables import accused, case_proceedings, cases, proceeding_accused


def _accused_of(conn, case_id: str) -> list[str]:
    return list(conn.execute(select(proceeding_accused.c.accused_id).join(
        case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
        .where(case_proceedings.c.case_id == case_id)).scalars())


def test_one_case_at_a_time_each_gets_its_own_facts_and_people_as_they_are_now(app):
    a = open_case(app, COORDINATOR, adult_form())
    b = open_case(app, COORDINATOR, adult_form(jurisdiction="PH"))
    put_on_case(app, Actor("niran", Role.prosecutor), b)
    with app.engine.connect() as conn:
        first_a, first_b = case_facts(conn, a, T0), case_facts(conn, b, T0)
        assert (first_a.case_id, first_a.jurisdiction, first_b.case_id, first_b.jurisdiction) == (a, "TH", b, "PH")
        # The path for several cases builds its statements for them: the two must agree.
        assert case_facts_many(conn, [a, b, "W-NOCASE"], T0) == {a: first_a, b: first_b}
        access_a, access_b = case_access(conn, a), case_access(conn, b)
        assert "niran" in access_b.prosecutors and "niran" not in access_a.prosecutors
        assert cases_access(conn, [a, b]) == {a: access_a, b: access_b}
        conn.rollback()

    # b's accused is released: asked again, the statement built at the first call sees it.
    with app.engine.begin() as conn:
        conn.execute(update(accused).where(accused.c.id.in_(_accused_of(conn, b)))
                     .values(custody=Custody.released.value, custody_changed_at=T0 + timedelta(hours=1)))
    with app.engine.connect() as conn:
        now_b = case_facts(conn, b, T0 + timedelta(hours=2))
        assert [x.custody for x in now_b.accused] == [Custody.released]
        assert [x.custody for x in case_facts(conn, a, T0).accused] == [Custody.detained]
        conn.rollback()


def test_the_statement_for_one_case_is_built_once_and_run_with_the_id_bound(app):
    a = open_case(app, COORDINATOR, adult_form())
    b = open_case(app, COORDINATOR, adult_form())
    seen = []

    def watch(conn, clause, multiparams, params, execution_options):
        seen.append((clause, params or (multiparams[0] if multiparams else {})))

    with app.engine.connect() as conn:
        event.listen(conn, "before_execute", watch)
        for case_id in (a, b):
            dialects.select_for(conn, [case_id], _cases_by_id)
        conn.rollback()
    (first, first_params), (second, second_params) = seen
    assert first is second
    assert [first_params, second_params] == [{"one_id": a}, {"one_id": b}]


def _cases_by_id(match):
    return select(cases.c.id).where(match(cases.c.id))


def test_a_statement_that_would_carry_one_call_s_values_is_refused(app):
    with app.engine.connect() as conn:
        case_id = "W-ANY"
        with pytest.raises(TypeError, match="must not depend on a call's values"):
            dialects.select_for(conn, [case_id], lambda match: select(cases.c.id).where(match(cases.c.id), cases.c.id != case_id))
        with pytest.raises(TypeError, match="must not depend on a call's values"):
            dialects.select_for(conn, [case_id], lambda match, stage="x": select(cases.c.id).where(cases.c.stage == stage))
        conn.rollback()
