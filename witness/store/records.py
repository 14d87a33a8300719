"""Reading rows back into domain objects. Writes happen in the services, inside their unit of work."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from witness.domain.consent import Consent, Method
from witness.domain.reflection import ReflectionPeriod, VictimDecision
from witness.errors import NotFound
from witness.store.tables import cases, consents


def case_row(conn: Connection, case_id: str, lock: bool = False):
    q = select(cases).where(cases.c.id == case_id)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        # The id is a pseudonym, so naming it in the message reveals nothing.
        raise NotFound(f"case: no case {case_id!r}")
    return row


def reflection_of(row) -> ReflectionPeriod:
    return ReflectionPeriod(row.reflection_started_at, row.reflection_ends_at, row.reflection_max_ends_at,
                            VictimDecision(row.decision) if row.decision else None, row.decided_at)


def consents_of(conn: Connection, case_id: str) -> list[Consent]:
    rows = conn.execute(select(consents).where(consents.c.case_id == case_id).order_by(consents.c.given_at))
    return [Consent(r.scope, r.given_at, Method(r.method), r.language, r.recorded_by, r.interpreter,
                    r.guardian_agreed, r.withdrawn_at) for r in rows]
