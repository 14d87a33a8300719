"""`records.cases_access` over more ids than one SQLite part (150): every existing case is found,
with the same people as when it is asked alone, and ids of no case are simply absent."""
from __future__ import annotations

from tests.conftest import COORDINATOR, adult_form
from tests.people import put_on_case
from witness.domain.access import Actor, Role
from witness.services.intake import open_case
from witness.store.records import case_access, cases_access


def test_many_ids_in_several_parts_give_each_case_its_own_people(app):
    a, b = (open_case(app, COORDINATOR, adult_form()) for _ in range(2))
    put_on_case(app, Actor("niran", Role.prosecutor), b)
    # Ids of no case sorted before, between and after the real ones: the parts split among them.
    missing = [f"{prefix}-{i:03d}" for prefix in ("A", "W-0", "Z") for i in range(120)]
    with app.engine.connect() as conn:
        found = cases_access(conn, missing + [a, b])
        alone = {cid: case_access(conn, cid) for cid in (a, b)}
        conn.rollback()
    assert found == alone
    assert "niran" in found[b].prosecutors and "niran" not in found[a].prosecutors
