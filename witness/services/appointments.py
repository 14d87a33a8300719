"""Scheduling consent-dependent acts (interview, testimony, medical examination)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert

from witness.domain.access import Actor, require
from witness.domain.appointment import AppointmentKind, check_can_schedule
from witness.domain.victim import AgeStatus, presumed_child
from witness.domain.guardrails import ActionKind
from witness.errors import InputProblems
from witness.services.guardrails import enforce
from witness.store.records import case_row, consents_of, reflection_of
from witness.store.tables import appointments


def schedule(app, actor: Actor, case_id: str, kind: str, at: datetime, overrides: dict[str, str] | None = None,
             interviewer_gender: str | None = None) -> str:
    require(actor, "appointment.schedule")
    try:
        what = AppointmentKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in AppointmentKind)}")]) from None
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        enforce(uow, ActionKind.schedule_appearance, case_id, overrides, act=what.value, at=at,
                interviewer_gender=interviewer_gender)
        check_can_schedule(what, at, consents_of(uow.conn, case_id), reflection_of(row),
                           presumed_child(AgeStatus(row.age_status)), uow.now)
        aid = str(uuid.uuid4())
        uow.conn.execute(insert(appointments).values(id=aid, case_id=case_id, kind=what.value, at=at,
                                                     status="scheduled", created_by=actor.user))
        uow.audit("appointment.schedule", case_id, what.value)
        uow.commit()
    return aid
