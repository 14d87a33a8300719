"""Protection resources (R-62): loaded from a YAML file, listed, and read by the planner.

The file is the whole truth: a resource missing from the next load is marked inactive (its past
bookings stay for the record), and its leave is replaced. Loading re-plans at once the hearings of
the next 14 days and every later one that holds bookings, so new leave shows up as a changed team
or a conflict on the worklist today.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.hearing import require
from witness.domain.resource import Hours, Leave, ResourceFile, ResourceKind, SchedulingPolicy
from witness.domain.schedule import Resource
from witness.errors import InputProblems
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
    require(actor, "resource.manage")
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
    require(actor, "resource.read")
    if kind is not None and kind not in {k.value for k in ResourceKind}:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in ResourceKind)}")])
    with app.uow(actor) as uow:
        q = select(resources).order_by(resources.c.jurisdiction, resources.c.kind, resources.c.id)
        if kind:
            q = q.where(resources.c.kind == kind)
        if jurisdiction:
            q = q.where(resources.c.jurisdiction == jurisdiction)
        rows = uow.conn.execute(q).all()
        leave = _leave(uow.conn, [r.id for r in rows])
        out = [{"id": r.id, "kind": r.kind, "jurisdiction": r.jurisdiction, "unit": r.unit, "gender": r.gender,
                "trained": r.trained, "sites": json.loads(r.sites), "capacity": r.capacity,
                "hours": json.loads(r.hours), "active": r.active,
                "leave": [{"from": lv.from_.isoformat(), "to": lv.to.isoformat(), "reason": lv.reason}
                          for lv in leave.get(r.id, [])]} for r in rows]
        uow.audit("resources.read", "resources", f"{len(out)} listed")
        uow.commit()
    return out


def policy(conn) -> SchedulingPolicy:
    row = conn.execute(select(scheduling_policy.c.data).where(scheduling_policy.c.id == 1)).first()
    return SchedulingPolicy.model_validate_json(row.data) if row else SchedulingPolicy()


def snapshot(conn, jurisdictions: set[str], profiles: dict) -> list[Resource]:
    """The planner's view of every resource in these jurisdictions (inactive ones too: a booking
    that points at one shows up as a conflict instead of silently vanishing)."""
    if not jurisdictions:
        return []
    rows = conn.execute(select(resources).where(resources.c.jurisdiction.in_(sorted(jurisdictions)))
                        .order_by(resources.c.id)).all()
    leave = _leave(conn, [r.id for r in rows])
    return [Resource(id=r.id, kind=ResourceKind(r.kind), jurisdiction=r.jurisdiction,
                     tz=profiles[r.jurisdiction].time_zone, unit=r.unit, gender=r.gender, trained=r.trained,
                     sites=tuple(json.loads(r.sites)), capacity=r.capacity,
                     hours=tuple(Hours.model_validate(h) for h in json.loads(r.hours)),
                     leave=tuple(leave.get(r.id, [])), active=r.active) for r in rows]


def _leave(conn, ids: list[str]) -> dict[str, list[Leave]]:
    out: dict[str, list[Leave]] = {}
    for i in range(0, len(ids), 500):
        for lv in conn.execute(select(resource_leave).where(resource_leave.c.resource_id.in_(ids[i:i + 500]))
                               .order_by(resource_leave.c.resource_id, resource_leave.c.from_day)):
            out.setdefault(lv.resource_id, []).append(Leave.model_validate(
                {"from": date.fromisoformat(lv.from_day), "to": date.fromisoformat(lv.to_day), "reason": lv.reason}))
    return out
