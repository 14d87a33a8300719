"""Support services: started on need, ended only for reasons that have nothing to do with
cooperation in the criminal process (R-23)."""
from __future__ import annotations

import uuid

from sqlalchemy import insert, update

from witness.domain.access import Actor
from witness.domain.support import ServiceKind, end_reason_problem
from witness.domain.guardrails import ActionKind
from witness.errors import InputProblems, NotFound
from witness.services.access import need_to_know
from witness.services.guardrails import enforce, gated
from witness.store.records import case_row
from witness.store.tables import services


def _kind(kind: str) -> ServiceKind:
    try:
        return ServiceKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in ServiceKind)}")]) from None


@gated(ActionKind.start_service)
def start(app, actor: Actor, case_id: str, kind: str) -> None:
    need_to_know(app, actor, "service.change", case=case_id)
    k = _kind(kind)
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id)
        enforce(uow, ActionKind.start_service, case_id, None, service=k.value)  # a shelter needs shelter_stay consent
        uow.conn.execute(insert(services).values(id=str(uuid.uuid4()), case_id=case_id, kind=k.value,
                                                 status="active", started_at=uow.now))
        uow.audit("service.start", case_id, k.value)
        uow.commit()


@gated(ActionKind.end_service)
def end(app, actor: Actor, case_id: str, kind: str, reason: str, overrides: dict[str, str] | None = None) -> None:
    need_to_know(app, actor, "service.change", case=case_id)
    k = _kind(kind)
    if end_reason_problem(reason):
        raise InputProblems([("reason", end_reason_problem(reason))])
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        # returned_home needs the victim's consent to return (DNH-13): nobody is sent home by a record;
        # a cooperation reason is refused by DNH-02, the one copy of that rule.
        enforce(uow, ActionKind.end_service, case_id, overrides, service=k.value, reason=reason)
        n = uow.conn.execute(update(services).where(services.c.case_id == case_id, services.c.kind == k.value,
                                                    services.c.status == "active")
                             .values(status="ended", ended_at=uow.now, end_reason=reason)).rowcount
        if not n:
            raise NotFound(f"kind: no active {k.value} service on case {case_id}")
        uow.audit("service.end", case_id, f"{k.value}: {reason}")
        uow.commit()
