"""Scheduling consent-dependent acts (interview, testimony, medical examination)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert

from witness.domain.access import Actor
from witness.domain.appointment import AppointmentKind, check_can_schedule
from witness.domain.guardrails import ActionKind
from witness.errors import InputProblems
from witness.services.access import need_to_know
from witness.services.guardrails import enforce, gated
from witness.services.interpreters import check_assignment, record_assignment
from witness.store.records import case_row
from witness.store.tables import appointments


@gated(ActionKind.schedule_appearance, ActionKind.assign_interpreter)
def schedule(app, actor: Actor, case_id: str, kind: str, at: datetime, overrides: dict[str, str] | None = None,
             interviewer_gender: str | None = None, interpreter: str | None = None,
             examiner_gender: str | None = None) -> str:
    """Schedule an interview, testimony or medical examination. A medical examination needs consent to
    it (DNH-13) and an examiner of the gender the victim asked for (DNH-34); an interpreter is checked
    against the registry (DNH-06, DNH-30) and the assignment recorded for their own list."""
    need_to_know(app, actor, "appointment.schedule", case=case_id)
    try:
        what = AppointmentKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in AppointmentKind)}")]) from None
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        enforce(uow, ActionKind.schedule_appearance, case_id, overrides, act=what.value, at=at,
                interviewer_gender=interviewer_gender, examiner_gender=examiner_gender)
        if interpreter:
            check_assignment(uow, case_id, interpreter, overrides, language=row.preferred_language)
        check_can_schedule(at, uow.now)
        aid = str(uuid.uuid4())
        uow.conn.execute(insert(appointments).values(id=aid, case_id=case_id, kind=what.value, at=at,
                                                     status="scheduled", created_by=actor.user))
        if interpreter:
            record_assignment(uow, case_id, interpreter, what.value, at, ref=aid, language=row.preferred_language)
        uow.audit("appointment.schedule", case_id, what.value)
        uow.commit()
    return aid
