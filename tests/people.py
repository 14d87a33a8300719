"""Putting people on cases in tests, as an admin does (R-110: `witness user add` and `witness user
assign`): need to know lets a legal-aid lawyer, or a prosecutor of no proceeding of the case, act
on a case only once they are assigned to it."""
from __future__ import annotations

from sqlalchemy import select

from witness.domain.access import Actor, Role
from witness.services import accounts
from witness.store.account_tables import accounts as accounts_table

ADMIN = Actor("root-1", Role.admin)


def put_on_case(app, actor: Actor, *case_ids: str) -> None:
    """`actor` assigned to these cases, with an account of their role made first if they have none."""
    with app.engine.connect() as conn:
        known = conn.execute(select(accounts_table.c.login).where(accounts_table.c.login == actor.user)).first()
    if known is None:
        accounts.add(app, ADMIN, actor.user, actor.role.value)
    accounts.assign(app, ADMIN, actor.user, add_cases=list(case_ids))
