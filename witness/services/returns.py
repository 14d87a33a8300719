"""Return plans (issue 12, item 1; Guide: Return and Reintegration §1, §2).

A return is planned only with the victim's written `return` consent (DNH-13), never with their data
sent to the country of origin without written permission (DNH-32), never with their stay tied to
testifying (DNH-33); a pending restitution claim and no stay-until-resolved note is shown first
(DNH-11, a warning: `witness return check` says it, `witness return plan` stops on it unless a
coordinator overrides it with a recorded reason). The plan keeps how the victim's lawyer reaches
them after return (required while a claim is pending).
"""
from __future__ import annotations

import uuid

from pydantic import ValidationError
from sqlalchemy import insert, select

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.return_plan import ReturnPlanIn, plan_problems
from witness.errors import InputProblems
from witness.services.access import need_to_know
from witness.services.guardrails import case_facts, enforce
from witness.store.records import case_row
from witness.store.return_tables import return_plans

_SECRET = ("helpline", "receiving_contact", "accompanied_by", "restitution_contact")


def parse(raw) -> ReturnPlanIn:
    if isinstance(raw, ReturnPlanIn):
        return raw
    try:
        return ReturnPlanIn.model_validate(raw)
    except ValidationError as exc:
        raise InputProblems([(".".join(str(p) for p in e["loc"]) or "plan", e["msg"].removeprefix("Value error, "))
                             for e in exc.errors()]) from None


@gated(ActionKind.plan_return)
def plan(app, actor: Actor, case_id: str, raw, overrides: dict[str, str] | None = None) -> dict:
    """Record a return plan after the gate. Returns the plan id and the findings that were overridden."""
    need_to_know(app, actor, "return.plan", case=case_id)
    p = parse(raw)
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        facts = case_facts(uow.conn, case_id, uow.now)
        problems = plan_problems(p, uow.now.date(), facts.pending_claim)
        if problems:
            raise InputProblems(problems)
        findings = enforce(uow, ActionKind.plan_return, case_id, overrides, data_to_origin=p.data_to_origin,
                           stay_tied_to_testimony=p.stay_tied_to_testimony)
        pid = str(uuid.uuid4())
        # Under the victim's own data key: erasing the victim shreds their return plan too.
        secret = {k: uow.cipher.encrypt("return_plans", k, pid, getattr(p, k), owner=case_id) for k in _SECRET}
        uow.conn.execute(insert(return_plans).values(
            id=pid, case_id=case_id, destination=p.destination, travel_on=p.travel_on,
            family_assessed=p.family_assessed, data_to_origin=p.data_to_origin, status="planned",
            planned_at=uow.now, planned_by=actor.user, **secret))
        uow.audit("return.plan", case_id, f"to {p.destination} on {p.travel_on.isoformat()}")
        uow.commit()
    return {"plan": pid, "case": case_id, "destination": p.destination, "travel_on": p.travel_on,
            "findings": [f.line() for f in findings]}


@ungated("a read (audited)")
def plans(app, actor: Actor, case_id: str) -> list[dict]:
    need_to_know(app, actor, "return.plan", case=case_id)
    with app.uow(actor) as uow:
        rows = uow.conn.execute(select(return_plans).where(return_plans.c.case_id == case_id)
                                .order_by(return_plans.c.planned_at)).all()
        out = [{"plan": r.id, "destination": r.destination, "travel_on": r.travel_on, "status": r.status,
                "family_assessed": r.family_assessed, "data_to_origin": r.data_to_origin,
                **{k: uow.cipher.decrypt("return_plans", k, r.id, getattr(r, k)) for k in _SECRET}} for r in rows]
        uow.audit("return.read", case_id, f"{len(out)} plans")
        uow.commit()
    return out
