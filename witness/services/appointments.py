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
from witness.store.records import case_row
from witness.store.tables import appointments


@gated(ActionKind.schedule_appearance)
def schedule(app, actor: Actor, case_id: str, kind: str, at: datetime, overrides: dict[str, str] | None = None,
             interviewer_gender: str | None = None) -> str:
    need_to_know(app, actor, "appointment.schedule", case=case_id)
    try:
        what = AppointmentKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in AppointmentKind)}")]) from None
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        enforce(uow, ActionKind.schedule_appearance, case_id, overrides, act=what.value, at=at,
                interviewer_gender=interviewer_gender)
        check_can_schedule(at, uow.now)
        aid = str(uuid.uuid4())
        uow.conn.execute(insert(appointments).values(id=aid, case_id=case_id, kind=what.value, at=at,
                                                     status="scheduled", created_by=actor.user))
        uow.audit("appointment.schedule", case_id, what.value)
        uow.commit()
    return aid
