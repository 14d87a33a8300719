"""Protection resources (R-62): loaded from a YAML file and listed; the planner reads them through
resource_pool.py.

The file is the whole truth: a resource missing from the next load is marked inactive (its past
bookings stay for the record), and its leave is replaced. Loading re-plans at once the hearings of
the next 14 days and every later one that holds bookings, so new leave shows up as a changed team
or a conflict on the worklist today.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.services.access import need_to_know
from witness.domain.resource import ResourceFile, ResourceKind
from witness.errors import InputProblems
from witness.services.resource_pool import leave_by_resource
from witness.store.hearing_tables import resource_leave, resources, scheduling_policy


def parse(data: Any) -> ResourceFile:
    try:
        return ResourceFile.model_validate(data)
    except ValidationError as exc:
        raise InputProblems([(".".join(str(p) for p in e["loc"]) or "(top level)", e["msg"])
                             for e in exc.errors()]) from None


@gated(ActionKind.schedule_appearance, ActionKind.assign_escort)  # re-plans through prepare_in
def load(app, actor: Actor, data: Any) -> dict:
    """Validate the whole file first; then store it and re-plan upcoming hearings, in one transaction."""
    need_to_know(app, actor, "resource.manage")
    file = parse(data)
    with app.uow(actor) as uow:
        counts = store(uow, file)
        from witness.services.preparation import booked_ahead, prepare_in

        result = prepare_in(uow, booked_ahead(uow.conn, uow.now))
        uow.audit("resources.load", "resources", f"{counts['active']} active, {counts['inactive']} inactive; "
                                                 f"{len(result.hearings)} upcoming hearings re-planned")
        uow.commit()
    return {**counts, "replanned": len(result.hearings), "conflicts": [c.line() for c in result.conflicts]}


def store(uow, file: ResourceFile) -> dict:
    conn, now = uow.conn, uow.now
    existing = set(conn.execute(select(resources.c.id)).scalars())
    ids = [r.id for r in file.resources]
    for r in file.resources:
        values = dict(kind=r.kind.value, jurisdiction=r.jurisdiction, unit=r.unit, gender=r.gender, trained=r.trained,
                      sites=json.dumps(r.sites, ensure_ascii=False), capacity=r.capacity,
                      hours=json.dumps([h.model_dump(mode="json", by_alias=True) for h in r.hours]),
                      active=True, loaded_at=now)
        if r.id in existing:
            conn.execute(update(resources).where(resources.c.id == r.id).values(**values))
        else:
            conn.execute(insert(resources).values(id=r.id, **values))
    if ids:
        conn.execute(delete(resource_leave).where(resource_leave.c.resource_id.in_(ids)))
        rows = [dict(resource_id=r.id, from_day=lv.from_.isoformat(), to_day=lv.to.isoformat(), reason=lv.reason)
                for r in file.resources for lv in r.leave]
        if rows:
            conn.execute(insert(resource_leave), rows)
    gone = sorted(existing - set(ids))
    if gone:
        conn.execute(update(resources).where(resources.c.id.in_(gone)).values(active=False, loaded_at=now))
    data = file.policy.model_dump_json()
    if conn.execute(select(scheduling_policy.c.id).where(scheduling_policy.c.id == 1)).first():
        conn.execute(update(scheduling_policy).where(scheduling_policy.c.id == 1).values(data=data, loaded_at=now))
    else:
        conn.execute(insert(scheduling_policy).values(id=1, data=data, loaded_at=now))
    return {"active": len(ids), "inactive": len(gone)}


@ungated("a read (audited)")
def list_resources(app, actor: Actor, kind: str | None = None, jurisdiction: str | None = None) -> list[dict]:
    need_to_know(app, actor, "resource.read")
    if kind is not None and kind not in {k.value for k in ResourceKind}:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in ResourceKind)}")])
    with app.uow(actor) as uow:
        q = select(resources).order_by(resources.c.jurisdiction, resources.c.kind, resources.c.id)
        if kind:
            q = q.where(resources.c.kind == kind)
        if jurisdiction:
            q = q.where(resources.c.jurisdiction == jurisdiction)
        rows = uow.conn.execute(q).all()
        leave = leave_by_resource(uow.conn, [r.id for r in rows])
        out = [{"id": r.id, "kind": r.kind, "jurisdiction": r.jurisdiction, "unit": r.unit, "gender": r.gender,
                "trained": r.trained, "sites": json.loads(r.sites), "capacity": r.capacity,
                "hours": json.loads(r.hours), "active": r.active,
                "leave": [{"from": lv.from_.isoformat(), "to": lv.to.isoformat(), "reason": lv.reason}
                          for lv in leave.get(r.id, [])]} for r in rows]
        uow.audit("resources.read", "resources", f"{len(out)} listed")
        uow.commit()
    return out
