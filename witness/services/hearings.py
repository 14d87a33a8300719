"""Hearings (R-11, R-61): set, moved (adjourned), cancelled, held; who appears and how.

A victim appears only with their recorded consent to testify. Setting, moving or cancelling a
hearing is one transaction that also publishes the case event (so the victim is told, R-24) and
prepares the hearing (witness/services/preparation.py): measures recommended, the Do No Harm rules
checked, resources planned and booked, calendars refreshed, gaps put on the coordinator's worklist.
Withdrawing consent to testify cancels what depends on it (`cancel_for_withdrawn_consent`, R-22).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import insert, select, update

from witness.domain.access import Actor, may_act_on
from witness.domain.fields import RoomName, problem
from witness.domain.guardrails import ActionKind
from witness.domain.hearing import (HEARING_KINDS, ACTIVE, AppearanceIn, AppearanceMode, AppearanceStatus, HearingStatus,
                                    check_transition, new_hearing_id, new_pickup_ref, time_problems)
from witness.domain.protection import GRANTED, PENDING, MeasureStatus
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness.services import calendar_feeds, recommendations, resource_pool
from witness.domain.events import HearingCancelled, HearingMoved, HearingSet
from witness.services.events import publish
from witness.services.access import need_to_know
from witness.services.guardrails import enforce, gated, ungated
from witness.services.interpreters import check_assignment
from witness.services.preparation import (ACTIVE_VALUES, PrepResult, close_gaps, hearing_row, mark_prepared, prepare_in)
from witness.services.worklist import add_items, item
from witness.store.hearing_tables import appearances, bookings, hearing_changes, hearings, measures
from witness.store.records import case_row, hearings_access
from witness.store.tables import case_proceedings, cases, proceedings, worklist

# --- reading ---------------------------------------------------------------------------------

def _proceeding(conn, docket: str, jurisdiction: str | None):
    q = select(proceedings).where(proceedings.c.docket == docket)
    if jurisdiction:
        q = q.where(proceedings.c.jurisdiction == jurisdiction)
    rows = conn.execute(q).all()
    if not rows:
        raise NotFound(f"proceeding: no proceeding with docket {docket!r}")
    if len(rows) > 1:
        raise InputProblems([("jurisdiction", f"docket {docket!r} exists in {', '.join(r.jurisdiction for r in rows)}; "
                                              "say which")])
    return rows[0]


def _parse_witnesses(raw: list) -> list[AppearanceIn]:
    out, problems = [], []
    for i, w in enumerate(raw or []):
        try:
            out.append(w if isinstance(w, AppearanceIn) else AppearanceIn.model_validate(w))
        except ValidationError as exc:
            problems += [(f"witnesses.{i}." + ".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, "))
                         for e in exc.errors()]
    cases_ = [w.case for w in out]
    problems += [(f"witnesses.{i}.case", "listed twice") for i, c in enumerate(cases_) if cases_.index(c) != i]
    if problems:
        raise InputProblems(problems)
    return out


# --- commands --------------------------------------------------------------------------------

@gated(ActionKind.schedule_appearance, ActionKind.assign_interpreter)
def add(app, actor: Actor, docket: str, starts_at: datetime, ends_at: datetime, kind: str = "trial",
        jurisdiction: str | None = None, room: str | None = None, witnesses: list | None = None,
        overrides: dict[str, str] | None = None) -> dict:
    """Set a hearing in a proceeding, with the witnesses who appear; prepared in the same transaction."""
    need_to_know(app, actor, "hearing.schedule", docket=docket, jurisdiction=jurisdiction)
    ws = _parse_witnesses(witnesses or [])
    for w in ws:  # each victim who is to appear: an act on their case
        need_to_know(app, actor, "hearing.schedule", case=w.case)
    problems = [] if kind in HEARING_KINDS else [("kind", f"use one of {', '.join(HEARING_KINDS)}")]
    if room is not None and problem(RoomName, room):
        problems.append(("room", problem(RoomName, room)))
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        problems += time_problems(starts_at, ends_at, now)
        if problems:
            raise InputProblems(problems)
        p = _proceeding(conn, docket, jurisdiction)
        hid = new_hearing_id()
        while conn.execute(select(hearings.c.id).where(hearings.c.id == hid)).first():
            hid = new_hearing_id()
        conn.execute(insert(hearings).values(
            id=hid, proceeding_id=p.id, kind=kind, starts_at=starts_at, ends_at=ends_at, room=room,
            status=HearingStatus.scheduled.value, version=1, created_at=now, created_by=actor.user, updated_at=now))
        conn.execute(insert(hearing_changes).values(hearing_id=hid, at=now, actor=actor.user, role=actor.role.value,
                                                    change="set", to_starts_at=starts_at))
        h = hearing_row(conn, hid)
        for i, w in enumerate(ws):
            _appear_in(uow, h, w, overrides, f"witnesses.{i}", app.settings.blocked_interpreters)
        publish(uow, HearingSet(case_ids=[w.case for w in ws], event_id=f"hearing:{hid}:set", at=starts_at, hearing=hid))
        result = prepare_in(uow, [hid], overrides)
        uow.audit("hearing.add", hid, f"{p.docket}: {kind}, {len(ws)} witness(es)")
        uow.commit()
    return _summary(app, hid, starts_at, p.jurisdiction, result)


@gated(ActionKind.schedule_appearance, ActionKind.assign_interpreter)
def appear(app, actor: Actor, hearing_id: str, witness, overrides: dict[str, str] | None = None) -> dict:
    """Add (or update, or bring back after a new consent) one witness's appearance."""
    need_to_know(app, actor, "hearing.schedule", hearing=hearing_id)
    w = _parse_witnesses([witness])[0]
    need_to_know(app, actor, "hearing.schedule", case=w.case)
    with app.uow(actor) as uow:
        h = hearing_row(uow.conn, hearing_id, lock=True)
        if HearingStatus(h.status) not in ACTIVE:
            raise ActionBlocked(f"hearing: {hearing_id} is {h.status}")
        _appear_in(uow, h, w, overrides, "witness", app.settings.blocked_interpreters)
        _bump(uow, hearing_id)
        publish(uow, HearingSet(case_ids=[w.case], event_id=f"hearing:{hearing_id}:appear:{w.case}:{uow.now.isoformat()}",
                                at=h.starts_at, hearing=hearing_id))
        result = prepare_in(uow, [hearing_id], overrides)
        uow.audit("hearing.appear", w.case, f"{hearing_id}: {w.mode.value}")
        uow.commit()
    return _summary(app, hearing_id, h.starts_at, h.jurisdiction, result)


def _appear_in(uow, h, w: AppearanceIn, overrides, path: str, blocked_interpreters: frozenset[str] = frozenset()) -> None:
    conn, now = uow.conn, uow.now
    row = case_row(conn, w.case, lock=True)
    if conn.execute(select(case_proceedings).where(case_proceedings.c.case_id == w.case,
                                                   case_proceedings.c.proceeding_id == h.proceeding_id)).first() is None:
        raise InputProblems([(f"{path}.case", f"{w.case} is not a victim in proceeding {h.docket}")])
    # Consent to testify (DNH-13), the reflection period (DNH-01), a child's cross-examination (DNH-08)...
    enforce(uow, ActionKind.schedule_appearance, w.case, overrides, act="hearing", at=h.starts_at,
            in_person_cross_examination_by_defendant=w.defendant_cross_examines and w.mode is AppearanceMode.in_person)
    if w.interpreter:
        # The interpreter named for the appearance, checked against the registry: blocklist, declared
        # conflict, community or accused tie (DNH-06), vetting (DNH-30).
        check_assignment(uow, w.case, w.interpreter, overrides, blocked_interpreters,
                         language=w.language or row.preferred_language)
    policy = resource_pool.policy(conn)
    existing = conn.execute(select(appearances).where(appearances.c.hearing_id == h.id,
                                                      appearances.c.case_id == w.case)).first()
    aid = existing.id if existing else str(uuid.uuid4())
    values = dict(mode=w.mode.value, status=AppearanceStatus.planned.value,
                  travel_minutes=w.travel_minutes if w.travel_minutes is not None else policy.escort.travel_minutes,
                  interpreter=w.interpreter, language=w.language or row.preferred_language,
                  escort_pins=",".join(w.escorts), defendant_cross_examines=w.defendant_cross_examines,
                  gender_override_at=None, updated_at=now)
    if w.pickup_address:
        values["pickup_address"] = uow.cipher.encrypt("appearances", "pickup_address", aid, w.pickup_address,
                                                       owner=w.case)
    if existing:
        conn.execute(update(appearances).where(appearances.c.id == aid).values(**values))
    else:
        conn.execute(insert(appearances).values(id=aid, hearing_id=h.id, case_id=w.case, pickup_ref=new_pickup_ref(),
                                                created_at=now, **values))


def _bump(uow, hearing_id: str, **values) -> None:
    uow.conn.execute(update(hearings).where(hearings.c.id == hearing_id)
                     .values(version=hearings.c.version + 1, updated_at=uow.now, **values))


@gated(ActionKind.schedule_appearance)  # prepare_in checks every appearance again
def move(app, actor: Actor, hearing_id: str, starts_at: datetime, ends_at: datetime | None = None,
         reason: str = "", overrides: dict[str, str] | None = None) -> dict:
    """The court adjourned or moved the hearing: record it, tell the victims, re-plan every measure."""
    need_to_know(app, actor, "hearing.schedule", hearing=hearing_id)
    if not reason.strip():
        raise InputProblems([("reason", "say why the hearing moved (e.g. adjourned by the court)")])
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        h = hearing_row(conn, hearing_id, lock=True)
        check_transition(HearingStatus(h.status), HearingStatus.moved)
        ends_at = ends_at or starts_at + (h.ends_at - h.starts_at)
        problems = time_problems(starts_at, ends_at, now)
        if problems:
            raise InputProblems(problems)
        _bump(uow, hearing_id, starts_at=starts_at, ends_at=ends_at, status=HearingStatus.moved.value)
        conn.execute(insert(hearing_changes).values(
            hearing_id=hearing_id, at=now, actor=actor.user, role=actor.role.value, change="moved",
            from_starts_at=h.starts_at, to_starts_at=starts_at,
            reason=uow.cipher.encrypt("hearing_changes", "reason", hearing_id, reason.strip())))
        victims = _appearing(conn, hearing_id)
        publish(uow, HearingMoved(case_ids=victims, event_id=f"hearing:{hearing_id}:moved:{starts_at.isoformat()}",
                                  at=starts_at, previous=h.starts_at.isoformat(), hearing=hearing_id))
        result = prepare_in(uow, [hearing_id], overrides)
        uow.audit("hearing.move", hearing_id, f"{h.starts_at.isoformat()} -> {starts_at.isoformat()}")
        uow.commit()
    return _summary(app, hearing_id, starts_at, h.jurisdiction, result)


@ungated("cancelling takes away nothing a rule protects: bookings are released, measures cancelled, the victim told")
def cancel(app, actor: Actor, hearing_id: str, reason: str) -> dict:
    """Cancel: release every booking, cancel pending measures, publish the cancellation in every feed."""
    need_to_know(app, actor, "hearing.schedule", hearing=hearing_id)
    if not reason.strip():
        raise InputProblems([("reason", "say why the hearing was cancelled")])
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        h = hearing_row(conn, hearing_id, lock=True)
        check_transition(HearingStatus(h.status), HearingStatus.cancelled)
        _bump(uow, hearing_id, status=HearingStatus.cancelled.value)
        conn.execute(insert(hearing_changes).values(
            hearing_id=hearing_id, at=now, actor=actor.user, role=actor.role.value, change="cancelled",
            from_starts_at=h.starts_at, reason=uow.cipher.encrypt("hearing_changes", "reason", hearing_id, reason.strip())))
        released = _release(uow, bookings.c.hearing_id == hearing_id)
        cancelled = _cancel_measures(uow, measures.c.hearing_id == hearing_id)
        close_gaps(uow, [hearing_id], keep=set())
        publish(uow, HearingCancelled(case_ids=_appearing(conn, hearing_id), event_id=f"hearing:{hearing_id}:cancelled",
                                      at=h.starts_at, hearing=hearing_id))
        changed = calendar_feeds.refresh_in(uow, [hearing_id])
        uow.audit("hearing.cancel", hearing_id, f"{released} bookings released, {cancelled} measures cancelled")
        uow.commit()
    return {"hearing": hearing_id, "released": released, "measures_cancelled": cancelled, "events_cancelled": changed}


@ungated("records that the hearing took place; the outcomes are asked for on the worklist")
def held(app, actor: Actor, hearing_id: str) -> dict:
    """The hearing took place: the coordinator records, per measure, whether it was delivered."""
    need_to_know(app, actor, "hearing.schedule", hearing=hearing_id)
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        h = hearing_row(conn, hearing_id, lock=True)
        check_transition(HearingStatus(h.status), HearingStatus.held)
        if h.starts_at > now:
            raise ActionBlocked(f"status: {hearing_id} has not started yet")
        _bump(uow, hearing_id, status=HearingStatus.held.value)
        conn.execute(insert(hearing_changes).values(hearing_id=hearing_id, at=now, actor=actor.user,
                                                    role=actor.role.value, change="held", from_starts_at=h.starts_at))
        open_ = conn.execute(select(measures.c.case_id, cases.c.coordinator).distinct()
                             .join(cases, cases.c.id == measures.c.case_id)
                             .where(measures.c.hearing_id == hearing_id,
                                    measures.c.status.in_([s.value for s in GRANTED]))).all()
        add_items(conn, [item(f"{r.case_id}:measure_outcome:{hearing_id}", r.case_id, "measure_outcome", r.coordinator,
                              now, now, f"{r.case_id}: hearing {hearing_id} ({h.docket}) was held; record for each "
                                        "measure whether it was delivered (`witness measure outcome`).") for r in open_])
        uow.audit("hearing.held", hearing_id, h.docket)
        uow.commit()
    return {"hearing": hearing_id, "status": "held", "outcomes_to_record": len(open_)}


def _appearing(conn, hearing_id: str) -> list[str]:
    return list(conn.execute(select(appearances.c.case_id).where(
        appearances.c.hearing_id == hearing_id, appearances.c.status == AppearanceStatus.planned.value)
        .order_by(appearances.c.case_id)).scalars())


def _release(uow, where) -> int:
    return uow.conn.execute(update(bookings).where(where, bookings.c.status == "booked")
                            .values(status="released", released_at=uow.now)).rowcount


def _cancel_measures(uow, where) -> int:
    rows = uow.conn.execute(select(measures).where(where, measures.c.status.in_([s.value for s in PENDING]))).all()
    for m in rows:
        recommendations.set_status(uow, m, MeasureStatus.cancelled)
    return len(rows)


def cancel_for_withdrawn_consent(uow, case_id: str, scope: str) -> int:
    """R-22: withdrawing consent to testimony cancels, at once, the victim's appearances at hearings
    still to come, their pending measures and their escorts (bookings released, every feed told).
    Support is untouched (R-23). Called by consent.withdraw inside its unit of work; returns how
    many appearances and measures were cancelled."""
    if scope != "testimony":
        return 0
    conn, now = uow.conn, uow.now
    ids = list(conn.execute(
        select(appearances.c.hearing_id).join(hearings, hearings.c.id == appearances.c.hearing_id)
        .where(appearances.c.case_id == case_id, appearances.c.status == AppearanceStatus.planned.value,
               hearings.c.status.in_(ACTIVE_VALUES), hearings.c.ends_at > now)
        .order_by(hearings.c.starts_at)).scalars())
    if not ids:
        return 0
    withdrawn = conn.execute(update(appearances).where(appearances.c.case_id == case_id, appearances.c.hearing_id.in_(ids))
                             .values(status=AppearanceStatus.withdrawn.value, updated_at=now)).rowcount
    cancelled = _cancel_measures(uow, (measures.c.case_id == case_id) & measures.c.hearing_id.in_(ids))
    released = _release(uow, (bookings.c.case_id == case_id) & bookings.c.hearing_id.in_(ids))
    for hid in ids:
        _bump(uow, hid)
    conn.execute(update(worklist).where(worklist.c.case_id == case_id, worklist.c.kind == "hearing_gap",
                                        worklist.c.done_at.is_(None))
                 .values(done_at=now, done_by="planner: testimony consent withdrawn"))
    calendar_feeds.refresh_in(uow, ids)
    mark_prepared(uow, ids)
    uow.audit("hearing.withdraw", case_id, f"consent to testimony withdrawn: {withdrawn} appearance(s), "
                                           f"{cancelled} measure(s) cancelled, {released} booking(s) released")
    return withdrawn + cancelled


# --- `witness hearing show/list` ------------------------------------------------------------

@ungated("a read (audited)")
def show(app, actor: Actor, hearing_id: str) -> dict:
    need_to_know(app, actor, "hearing.read", hearing=hearing_id)
    with app.uow(actor) as uow:
        conn = uow.conn
        h = hearing_row(conn, hearing_id)
        tz = uow.profiles[h.jurisdiction].tz
        local = lambda t: t.astimezone(tz).isoformat() if t else None  # noqa: E731
        view = {"hearing": h.id, "docket": h.docket, "court": h.court, "room": h.room, "kind": h.kind,
                "status": h.status, "starts_at": local(h.starts_at), "ends_at": local(h.ends_at),
                "appearances": [{"case": a.case_id, "mode": a.mode, "status": a.status, "travel_minutes": a.travel_minutes,
                                 "pickup_ref": a.pickup_ref, "interpreter": a.interpreter, "language": a.language,
                                 "escorts_asked_for": [p for p in a.escort_pins.split(",") if p]}
                                for a in conn.execute(select(appearances).where(appearances.c.hearing_id == hearing_id)
                                                      .order_by(appearances.c.case_id))],
                "bookings": [{"case": b.case_id, "measure": b.measure, "resource": b.resource_id,
                              "from": local(b.starts_at), "to": local(b.ends_at)}
                             for b in conn.execute(select(bookings).where(bookings.c.hearing_id == hearing_id,
                                                                          bookings.c.status == "booked")
                                                   .order_by(bookings.c.starts_at, bookings.c.resource_id))],
                "history": [{"change": c.change, "at": local(c.at), "by": f"{c.actor}:{c.role}",
                             "from": local(c.from_starts_at), "to": local(c.to_starts_at)}
                            for c in conn.execute(select(hearing_changes).where(hearing_changes.c.hearing_id == hearing_id)
                                                  .order_by(hearing_changes.c.id))]}
        uow.audit("hearing.read", hearing_id, "hearing view (pseudonyms only)")
        uow.commit()
    return view


@ungated("a read (audited)")
def list_hearings(app, actor: Actor, case_id: str | None = None, include_past: bool = False) -> list[dict]:
    need_to_know(app, actor, "hearing.read", case=case_id)
    with app.uow(actor) as uow:
        q = (select(hearings.c.id, hearings.c.starts_at, hearings.c.status, hearings.c.kind, proceedings.c.docket,
                    proceedings.c.jurisdiction)
             .join(proceedings, proceedings.c.id == hearings.c.proceeding_id).order_by(hearings.c.starts_at, hearings.c.id))
        if case_id:
            q = q.where(hearings.c.id.in_(select(appearances.c.hearing_id).where(appearances.c.case_id == case_id)))
        if not include_past:
            q = q.where(hearings.c.ends_at > uow.now)
        found = uow.conn.execute(q).all()
        on = hearings_access(uow.conn, [r.id for r in found])  # only the hearings of the reader's cases
        rows = [{"hearing": r.id, "docket": r.docket, "kind": r.kind, "status": r.status,
                 "at": r.starts_at.astimezone(uow.profiles[r.jurisdiction].tz).isoformat()}
                for r in found if may_act_on(actor, on[r.id], "hearing.read")]
        uow.audit("hearing.list", case_id or "*", f"{len(rows)} hearings")
        uow.commit()
    return rows


def _summary(app, hearing_id: str, starts_at: datetime, jurisdiction: str, result: PrepResult) -> dict:
    tz = app.profile(jurisdiction).tz
    return {"hearing": hearing_id, "at": starts_at.astimezone(tz).isoformat(), "recommended": result.recommended,
            "booked": result.booked, "released": result.released,
            "conflicts": [c.line() for c in result.conflicts if c.hearing_id == hearing_id]}
