"""A victim held in detention (issue 12, item 5).

Guide: Recovery, Reflection and Shelter §2 ("If victims have to be placed in detention facilities,
ensure it is for the shortest period possible and arrange for alternative accommodation in the
meantime"); Victim Identification §2 (avoid placing child victims in prisons, police cells or
immigration detention; if there is no alternative, the shortest possible period, regularly
reviewed). Recording a detention puts it on the coordinator's worklist at once (URGENT for a
child); past the profile's limit (`care.detention_limit_hours`, `child_detention_limit_hours`) the
sweep escalates it every day until it ends.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update

from witness.domain.access import Actor
from witness.domain.care import DetentionKind, period_due
from witness.domain.guardrails import ungated
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import InputProblems, NotFound
from witness.services.access import need_to_know
from witness.services.sweep import worklist_follow_up
from witness.services.worklist import add_items, item
from witness.store.care_tables import detentions
from witness.store.records import case_row
from witness.store.tables import cases, worklist

KIND = "detention_limit"
_CHILD = (AgeStatus.child.value, AgeStatus.uncertain.value)


def _kind(kind: str) -> DetentionKind:
    try:
        return DetentionKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in DetentionKind)}")]) from None


def _limit_hours(profile, child: bool) -> int:
    return profile.care.child_detention_limit_hours if child else profile.care.detention_limit_hours


@ungated("records a fact about the victim's liberty: the escalation that follows must never wait for a rule")
def record(app, actor: Actor, case_id: str, kind: str, started_at: datetime | None = None,
           place: str | None = None) -> str:
    need_to_know(app, actor, "service.change", case=case_id)
    k = _kind(kind)
    if place is not None and (not place.strip() or len(place) > 300):
        raise InputProblems([("place", "1 to 300 characters")])
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        start = started_at or uow.now
        if start > uow.now:
            raise InputProblems([("started_at", "is in the future")])
        if uow.conn.execute(select(detentions.c.id).where(detentions.c.case_id == case_id,
                                                          detentions.c.ended_at.is_(None))).first():
            raise InputProblems([("case", f"{case_id} is already recorded as detained; end that first")])
        did = str(uuid.uuid4())
        uow.conn.execute(detentions.insert().values(
            id=did, case_id=case_id, kind=k.value, started_at=start, recorded_by=actor.user,
            place=uow.cipher.encrypt("detentions", "place", did, place.strip(), owner=case_id) if place else None))
        child = presumed_child(AgeStatus(row.age_status))
        hours = _limit_hours(app.profile(row.jurisdiction), child)
        what = k.value.replace("_", " ")
        detail = (f"URGENT {case_id}: a (presumed) child is held in {what}. Children should not be detained: find "
                  f"alternative care now; if there is none, the shortest possible period (limit {hours} h), "
                  "reviewed by an independent authority (Guide: Victim Identification §2)." if child else
                  f"{case_id}: held in {what}. Arrange alternative accommodation now; detention for the shortest "
                  f"period possible (limit {hours} h, then escalated; Guide: Recovery §2).")
        add_items(uow.conn, [item(f"{did}:detention_recorded", case_id, "child_detention" if child else "detention",
                                  row.coordinator, uow.now, uow.now, detail)])
        uow.audit("detention.record", case_id, f"{k.value} since {start.isoformat()}")
        uow.commit()
    return did


@ungated("records that the victim is free again: nobody may delay it")
def end(app, actor: Actor, case_id: str, ended_at: datetime | None = None) -> None:
    need_to_know(app, actor, "service.change", case=case_id)
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        at = ended_at or uow.now
        if at > uow.now:
            raise InputProblems([("ended_at", "is in the future")])
        open_row = uow.conn.execute(select(detentions.c.id, detentions.c.started_at).where(
            detentions.c.case_id == case_id, detentions.c.ended_at.is_(None))).first()
        if open_row is None:
            raise NotFound(f"case: {case_id} is not recorded as detained")
        if at < open_row.started_at:
            raise InputProblems([("ended_at", "is before the detention started")])
        uow.conn.execute(update(detentions).where(detentions.c.id == open_row.id).values(ended_at=at))
        # The reminders about this detention are moot once it has ended.
        uow.conn.execute(update(worklist).where(worklist.c.case_id == case_id, worklist.c.done_at.is_(None),
                                                worklist.c.kind.in_(("detention", "child_detention", KIND)))
                         .values(done_at=uow.now, done_by=actor.user))
        uow.audit("detention.end", case_id, f"ended {at.isoformat()}")
        uow.commit()


# --- the sweep: detention past the profile's limit ---------------------------------------------

def _due_over_limit(now: datetime, profiles):
    """Open detentions past their limit, not escalated in the last day."""
    windows = []
    recent = exists().where(worklist.c.case_id == detentions.c.case_id, worklist.c.kind == KIND,
                            worklist.c.due_at > now - timedelta(days=1))
    for code, p in profiles.items():
        adult = timedelta(hours=p.care.detention_limit_hours)
        child = timedelta(hours=p.care.child_detention_limit_hours)
        windows.append(and_(cases.c.jurisdiction == code, or_(
            detentions.c.started_at <= now - adult,
            and_(cases.c.age_status.in_(_CHILD), detentions.c.started_at <= now - child))))
    return (select(detentions.c.case_id).distinct().join(cases, cases.c.id == detentions.c.case_id)
            .where(detentions.c.ended_at.is_(None), or_(*windows), ~recent).order_by(detentions.c.case_id))


def _held(ids):
    return (select(detentions.c.id, detentions.c.case_id, detentions.c.kind, detentions.c.started_at,
                   cases.c.jurisdiction, cases.c.coordinator, cases.c.age_status)
            .join(cases, cases.c.id == detentions.c.case_id)
            .where(detentions.c.case_id.in_(ids), detentions.c.ended_at.is_(None)))


def _escalation(r, now: datetime, profiles) -> dict | None:
    child = r.age_status in _CHILD
    hours = _limit_hours(profiles[r.jurisdiction], child)
    limit_at = r.started_at + timedelta(hours=hours)
    if now < limit_at:
        return None
    n, _ = period_due(limit_at - timedelta(days=1), timedelta(days=1), now)  # day 1 is the limit itself
    at = limit_at + (n - 1) * timedelta(days=1)
    held = int((now - r.started_at).total_seconds() // 3600)
    return item(f"{r.id}:{KIND}:{n}", r.case_id, KIND, r.coordinator, at, now,
                f"URGENT {r.case_id}: {'a (presumed) child ' if child else ''}held in "
                f"{r.kind.replace('_', ' ')} for {held} h, past the {hours} h limit. Detention must be for "
                "the shortest period possible: arrange alternative accommodation and release now, "
                "then `witness detention end`.")


DETENTION_LIMIT = worklist_follow_up(KIND, _due_over_limit, _held, _escalation)
