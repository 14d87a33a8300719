"""The pool the planner books from: officers, suites, screens and rooms with their hours and
leave, and the scheduling policy (reads only). The planner (preparation) and the resource
commands (resources) both read it; it sits below both so that neither imports the other.
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from witness.domain.resource import Hours, Leave, ResourceKind, SchedulingPolicy
from witness.domain.schedule import Resource
from witness.store.hearing_tables import resource_leave, resources, scheduling_policy


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
    leave = leave_by_resource(conn, [r.id for r in rows])
    return [Resource(id=r.id, kind=ResourceKind(r.kind), jurisdiction=r.jurisdiction,
                     tz=profiles[r.jurisdiction].time_zone, unit=r.unit, gender=r.gender, trained=r.trained,
                     sites=tuple(json.loads(r.sites)), capacity=r.capacity,
                     hours=tuple(Hours.model_validate(h) for h in json.loads(r.hours)),
                     leave=tuple(leave.get(r.id, [])), active=r.active) for r in rows]


def leave_by_resource(conn, ids: list[str]) -> dict[str, list[Leave]]:
    out: dict[str, list[Leave]] = {}
    for i in range(0, len(ids), 500):
        for lv in conn.execute(select(resource_leave).where(resource_leave.c.resource_id.in_(ids[i:i + 500]))
                               .order_by(resource_leave.c.resource_id, resource_leave.c.from_day)):
            out.setdefault(lv.resource_id, []).append(Leave.model_validate(
                {"from": date.fromisoformat(lv.from_day), "to": date.fromisoformat(lv.to_day), "reason": lv.reason}))
    return out
