"""Preparing hearings (R-61, R-62, R-63): recommend measures, check the Do No Harm rules, plan,
book, refresh the calendars and put every gap on the coordinator's worklist — inside the caller's
transaction (`prepare_in`), for a chunk of hearings in its own transaction (`prepare`, the flow's
task), or as a dry run (`plan_hearing`, `witness plan`).

The sweep (`HEARING_PREP`, registered in witness/wiring.py) prepares a hearing of the next 14 days
again when its last preparation may no longer hold, and only then (`select_prep`):
- the hearing or who appears changed (`version`), or it was never prepared since it came within 14 days
  (a hearing prepared earlier has `recheck_at` set to the day it does);
- a fact its preparation read about a witness changed: database triggers note it
  (`hearing_inputs_changed`, witness/store/prep_triggers.py), whoever wrote it;
- its `recheck_at` has come: a rule that reads the clock may answer differently (a consent or a
  reflection period ending, the deadline after a release), or the plan left a gap that another
  hearing holds (its bookings, or the witness due there at the same time) and may free;
- its jurisdiction's profile changed since (`prepared_profile`, `profile_marks`): a court now grants
  a measure, an escort policy changed.
A gap no other hearing holds is not looked at again each day: what can fill it is a roster (loading
one plans every hearing it can touch at once, services/resources.py), a decision on a measure
(plans at once, services/measures.py), a fact about the witness (noted by the triggers) or the
profile (above). Re-checking the ~100 such hearings of a 100,000-case store each day cost 0.3 s.
A measure's application deadline coming near is no reason: `MEASURE_DEADLINE` (recommendations)
finds those measures by SQL.
Preparing every such hearing every day instead cost the 100,000-case sweep some 6 s (issue 16).
"""
from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, delete, exists, literal, null, or_, select, text, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, changes_after, gated, unresolved
from witness.domain.hearing import ACTIVE, AppearanceMode, AppearanceStatus
from witness.domain.measure import MeasureKind
from witness.domain.protection import GRANTED, Eligibility, EligibilityResult, MeasureStatus
from witness.domain.schedule import (Busy, Conflict, ConflictKind, Hearing, Plan, Presence, Slot, Witness, local_span,
                                    plan, presence_window)
from witness.errors import NotFound
from witness.services import calendar_feeds, recommendations, resource_pool
from witness.services.access import need_to_know
from witness.services.guardrails import case_facts_many, check, enforce
from witness.services.sweep import FollowUp
from witness.services.worklist import add_items, item
from witness.store.dialects import among, insert_rows, parts
from witness.store.hearing_tables import appearances, bookings, hearing_inputs_changed, hearings, measures
from witness.store.tables import cases, proceedings, worklist

HORIZON = timedelta(days=14)  # hearings this close are prepared daily (R-42 uses the same window)
GENDER_RULE = "DNH-05-gender-preference"
PLANNING_LOCK = 46042026  # pg_advisory_xact_lock key: one planner at a time
ACTIVE_VALUES = [s.value for s in ACTIVE]


@dataclass
class PrepResult:
    hearings: list[str] = field(default_factory=list)
    plan: Plan | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    recommended: int = 0
    booked: int = 0
    released: int = 0
    events_changed: int = 0


# --- reading ---------------------------------------------------------------------------------

def hearing_row(conn, hearing_id: str, lock: bool = False):
    q = (select(hearings, proceedings.c.docket, proceedings.c.court, proceedings.c.jurisdiction, proceedings.c.prosecutor)
         .join(proceedings, proceedings.c.id == hearings.c.proceeding_id).where(hearings.c.id == hearing_id))
    row = conn.execute(q.with_for_update(of=hearings) if lock else q).first()
    if row is None:
        raise NotFound(f"hearing: no hearing {hearing_id!r}")
    return row


def upcoming(conn, now: datetime) -> list[str]:
    """Active hearings starting within the next 14 days, earliest first."""
    return list(conn.execute(select(hearings.c.id).where(
        hearings.c.status.in_(ACTIVE_VALUES), hearings.c.starts_at > now, hearings.c.starts_at <= now + HORIZON)
        .order_by(hearings.c.starts_at, hearings.c.id)).scalars())


def booked_ahead(conn, now: datetime) -> list[str]:
    """Upcoming hearings (14 days) and every later active hearing that holds bookings: what a new
    roster can invalidate."""
    later = select(bookings.c.hearing_id).where(bookings.c.status == "booked", bookings.c.starts_at > now)
    return list(conn.execute(select(hearings.c.id).where(
        hearings.c.status.in_(ACTIVE_VALUES), hearings.c.starts_at > now,
        or_(hearings.c.starts_at <= now + HORIZON, hearings.c.id.in_(later)))
        .order_by(hearings.c.starts_at, hearings.c.id)).scalars())


# --- preparation -----------------------------------------------------------------------------

def prepare_in(uow, hearing_ids: list[str], overrides: dict[str, str] | None = None, book: bool = True) -> PrepResult:
    """Recommend, check the rules, plan, book, publish calendars and list the gaps for these
    hearings, inside the caller's transaction. With book=False nothing is written (`witness plan`)."""
    conn, profiles = uow.conn, uow.profiles
    overrides = overrides or {}
    ids = sorted(set(hearing_ids))
    if not ids:
        return PrepResult()
    if book and conn.dialect.name == "postgresql":
        # One planner at a time: two transactions planning at once would each see the other's
        # officers as free and book them twice. (SQLite already serialises writers: BEGIN IMMEDIATE.)
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PLANNING_LOCK})
    if book:
        # Forget the changes noted for these hearings BEFORE reading anything: a write committed
        # before this statement is read below; one committed after it leaves its own row, and the
        # next sweep prepares the hearing again. (Deleting after the reads would lose a write made
        # in between.)
        for part in parts(conn, ids):
            conn.execute(delete(hearing_inputs_changed).where(among(conn, hearing_inputs_changed.c.hearing_id, part)))
    hs = conn.execute(select(hearings, proceedings.c.docket, proceedings.c.court, proceedings.c.jurisdiction)
                      .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
                      .where(among(conn, hearings.c.id, ids), hearings.c.status.in_(ACTIVE_VALUES))
                      .order_by(hearings.c.starts_at, hearings.c.id)).all()
    if not hs:
        return PrepResult()
    ids = [h.id for h in hs]
    apps = conn.execute(select(appearances).where(among(conn, appearances.c.hearing_id, ids),
                                                  appearances.c.status == AppearanceStatus.planned.value)
                        .order_by(appearances.c.hearing_id, appearances.c.case_id)).all()
    result = PrepResult(hearings=ids)
    if book:
        result.recommended = recommendations.recommend_in(uow, hs, apps)
        recommendations.deadline_items(uow, ids)
    policy = resource_pool.policy(conn)
    case_rows = {r.id: r for r in conn.execute(select(cases.c.id, cases.c.coordinator, cases.c.escort_gender_preference)
                                               .where(among(conn, cases.c.id, sorted({a.case_id for a in apps}))))}
    mrows = conn.execute(select(measures).where(among(conn, measures.c.hearing_id, ids))).all()
    previous = conn.execute(select(bookings).where(among(conn, bookings.c.hearing_id, ids), bookings.c.status == "booked")).all()
    start = min(h.starts_at for h in hs) - timedelta(days=2)
    end = max(h.ends_at for h in hs) + timedelta(days=2)
    busy, presence = _surroundings(conn, ids, sorted({a.case_id for a in apps}), start, end, policy)
    jurisdictions = {h.jurisdiction for h in hs}
    resources = resource_pool.snapshot(conn, jurisdictions, profiles)

    fresh_override = bool((overrides.get(GENDER_RULE) or "").strip())
    kept_override = {(a.hearing_id, a.case_id) for a in apps if a.gender_override_at is not None}
    by_hearing, by_witness, before = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in apps:
        by_hearing[a.hearing_id].append(a)
    for m in mrows:
        by_witness[(m.hearing_id, m.case_id)].append(m)
    for b in previous:
        before[(b.hearing_id, b.case_id)].append((MeasureKind(b.measure), b.resource_id))
    inputs = []
    # The witnesses' Do No Harm facts read once for all of them (case by case it was ~9 queries per
    # witness, twice); nothing the planner writes before the checks is a fact the rules read.
    known = case_facts_many(conn, sorted({a.case_id for a in apps}), uow.now)
    for h in hs:
        ws = []
        for a in by_hearing[h.id]:
            ms = by_witness[(h.id, a.case_id)]
            findings = check(uow, ActionKind.schedule_appearance, a.case_id, known=known.get(a.case_id), act="hearing",
                             at=h.starts_at, in_person_cross_examination_by_defendant=bool(a.defendant_cross_examines)
                             and a.mode == AppearanceMode.in_person.value)
            stop = unresolved(findings, overrides)
            ws.append(Witness(
                case_id=a.case_id, mode=AppearanceMode(a.mode), travel_minutes=a.travel_minutes,
                granted=tuple(MeasureKind(m.kind) for m in ms if MeasureStatus(m.status) in GRANTED),
                eligibility=tuple((MeasureKind(m.kind), EligibilityResult(Eligibility(m.eligibility), m.condition_note))
                                  for m in sorted(ms, key=lambda m: m.kind)),
                gender_preference=case_rows[a.case_id].escort_gender_preference,
                gender_override=fresh_override or (h.id, a.case_id) in kept_override,
                pinned_escorts=tuple(p for p in (a.escort_pins or "").split(",") if p),
                previous=tuple(sorted(before[(h.id, a.case_id)])),
                blocked="; ".join(f.line() for f in stop) or None))
        inputs.append(Hearing(h.id, h.docket, h.jurisdiction, profiles[h.jurisdiction].time_zone, h.court,
                              h.starts_at, h.ends_at, tuple(ws)))
    p = plan(inputs, resources, policy, busy, presence)
    p = _escort_rules(uow, p, resources, overrides, kept_override, record=book, known=known)
    result.plan, result.conflicts = p, list(p.conflicts)
    if not book:
        return result
    result.booked, result.released = _apply(uow, p, previous)
    _update_statuses(uow, p, mrows, {(a.hearing_id, a.case_id): a for a in apps})
    _gaps(uow, p, hs, case_rows)
    result.events_changed = calendar_feeds.refresh_in(uow, ids)
    marks = profile_marks(profiles)
    mark_prepared(uow, ids, _recheck_at(uow.now, hs, by_hearing, known, p), {h.id: marks.get(h.jurisdiction) for h in hs})
    return result


def profile_marks(profiles) -> dict[str, str]:
    """Each jurisdiction's profile as a short fingerprint of everything in it (0.4 ms for all ten):
    a hearing prepared under another fingerprint is prepared again (select_prep)."""
    return {code: hashlib.sha256(p.model_dump_json().encode()).hexdigest()[:16] for code, p in profiles.items()}


def _recheck_at(now: datetime, hs, by_hearing, known: dict, p: Plan) -> dict[str, datetime | None]:
    """For each hearing, when this preparation may stop holding though nothing it read is written
    again (see the module's docstring); None when only a change can make it stale."""
    # Prepared before it comes within 14 days (when it was added, say): again once it is that near.
    soonest: dict[str, datetime | None] = {h.id: (h.starts_at - HORIZON if h.starts_at - HORIZON > now else None)
                                           for h in hs}

    def sooner(hid: str, at: datetime | None) -> None:
        if at is not None and (soonest[hid] is None or at < soonest[hid]):
            soonest[hid] = at

    for h in hs:
        for a in by_hearing[h.id]:
            facts = known.get(a.case_id)
            if facts is not None:
                sooner(h.id, changes_after(facts, now))
    # A gap another hearing holds (its bookings, the witness due there): that hearing may let go of it
    # with nothing of this one written, so look again at the next sweep. A gap nobody holds (no
    # resource serves the site, off duty, on leave, a measure the court does not grant the witness)
    # is filled only by a write that plans this hearing again itself (module docstring).
    for c in p.conflicts:
        if c.kind is not ConflictKind.blocked_by_rule and c.other_hearing and c.hearing_id in soonest:
            sooner(c.hearing_id, now)
    return soonest


def _surroundings(conn, ids: list[str], ours: list[str], start: datetime, end: datetime,
                  policy) -> tuple[list[Busy], list[Presence]]:
    """Other hearings' bookings and witnesses around these hearings: what the plan must work around."""
    busy = [Busy(b.resource_id, b.starts_at, b.ends_at, b.hearing_id, b.docket, b.case_id) for b in conn.execute(
        select(bookings.c.resource_id, bookings.c.starts_at, bookings.c.ends_at, bookings.c.hearing_id, bookings.c.case_id,
               proceedings.c.docket)
        .join(hearings, hearings.c.id == bookings.c.hearing_id).join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
        .where(bookings.c.status == "booked", bookings.c.hearing_id.not_in(ids), bookings.c.starts_at < end,
               bookings.c.ends_at > start))]
    presence = []
    # Only these hearings' own witnesses (`ours`, the planned appearances prepare_in read): the planner
    # asks where each of them is elsewhere (by case), never anyone else. Read from their appearances
    # (case index) and then those few hearings by id: starting from every active hearing before the
    # window's end made each chunk's read grow with the whole calendar.
    elsewhere = []
    for part in parts(conn, ours):
        elsewhere += conn.execute(
            select(appearances.c.case_id, appearances.c.mode, appearances.c.travel_minutes, appearances.c.hearing_id)
            .where(among(conn, appearances.c.case_id, part), appearances.c.status == AppearanceStatus.planned.value,
                   appearances.c.hearing_id.not_in(ids))).all()
    others = sorted({a.hearing_id for a in elsewhere})
    when = {}
    for part in parts(conn, others):
        when.update((h.id, h) for h in conn.execute(
            select(hearings.c.id, hearings.c.starts_at, hearings.c.ends_at, proceedings.c.docket)
            .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
            .where(among(conn, hearings.c.id, part), hearings.c.status.in_(ACTIVE_VALUES),
                   hearings.c.starts_at < end, hearings.c.ends_at > start)))
    for a in elsewhere:
        h = when.get(a.hearing_id)
        if h is None:
            continue
        slot = presence_window(AppearanceMode(a.mode), h.starts_at, h.ends_at, a.travel_minutes, policy)
        if slot is not None:
            presence.append(Presence(a.case_id, slot.start, slot.end, h.id, h.docket))
    return busy, presence


def _escort_rules(uow, p: Plan, resources, overrides: dict[str, str], kept: set[tuple[str, str]], record: bool,
                  known: dict | None = None) -> Plan:
    """The guardrail engine checks every escort team before it is booked (DNH-05 and the rest);
    a team it stops is not booked and becomes a conflict. An override given now is recorded (with
    its reason) and remembered on the appearance; one remembered from before still holds."""
    gender = {r.id: r.gender for r in resources}
    teams: dict[tuple[str, str], list] = {}
    for b in p.bookings:
        if b.measure is MeasureKind.escort:
            teams.setdefault((b.hearing_id, b.case_id), []).append(b)
    dropped, extra = set(), []
    for (hid, case_id), team in sorted(teams.items()):
        genders = sorted({gender.get(b.resource_id) or "unknown" for b in team})
        findings = check(uow, ActionKind.assign_escort, case_id, known=(known or {}).get(case_id), genders=genders)
        given = dict(overrides)
        if (hid, case_id) in kept and not (given.get(GENDER_RULE) or "").strip():
            given[GENDER_RULE] = "override recorded earlier for this appearance"
        stop = unresolved(findings, given)
        if stop:
            dropped.add((hid, case_id))
            extra.append(Conflict(ConflictKind.blocked_by_rule, hid, case_id, MeasureKind.escort,
                                  "escort team not booked: " + "; ".join(f.line() for f in stop)))
        elif record and findings and given == overrides:  # a new override: record who and why
            enforce(uow, ActionKind.assign_escort, case_id, overrides, genders=genders)
            if any(f.rule == GENDER_RULE for f in findings):
                uow.conn.execute(update(appearances).where(appearances.c.hearing_id == hid,
                                                           appearances.c.case_id == case_id)
                                 .values(gender_override_at=uow.now))
    if not dropped:
        return p
    kept = tuple(b for b in p.bookings if not (b.measure is MeasureKind.escort and (b.hearing_id, b.case_id) in dropped))
    return Plan(kept, p.conflicts + tuple(extra), p.arranged)


def _apply(uow, p: Plan, previous) -> tuple[int, int]:
    """Keep identical bookings, release the rest, add the new ones."""
    conn, now = uow.conn, uow.now
    key = lambda hid, cid, m, rid, s, e: (hid, cid, m, rid, s, e)  # noqa: E731
    wanted = {key(b.hearing_id, b.case_id, b.measure.value, b.resource_id, b.start, b.end) for b in p.bookings}
    have = {key(b.hearing_id, b.case_id, b.measure, b.resource_id, b.starts_at, b.ends_at): b.id for b in previous}
    gone = [bid for k, bid in have.items() if k not in wanted]
    if gone:
        conn.execute(update(bookings).where(among(conn, bookings.c.id, gone)).values(status="released", released_at=now))
    new = [dict(id=str(uuid.uuid4()), hearing_id=k[0], case_id=k[1], measure=k[2], resource_id=k[3], starts_at=k[4],
                ends_at=k[5], status="booked", created_at=now) for k in sorted(wanted - set(have))]
    if new:
        insert_rows(conn, bookings, new)
    return len(new), len(gone)


def _update_statuses(uow, p: Plan, mrows, apps: dict) -> None:
    met = {(b.hearing_id, b.case_id, b.measure) for b in p.bookings} | {(a.hearing_id, a.case_id, a.measure)
                                                                         for a in p.arranged}
    # A team needs every seat: the planner books all officers of a team or none.
    for m in mrows:
        status = MeasureStatus(m.status)
        if status not in GRANTED or (m.hearing_id, m.case_id) not in apps:
            continue
        done = (m.hearing_id, m.case_id, MeasureKind(m.kind)) in met
        if done and status in (MeasureStatus.granted, MeasureStatus.partially_granted):
            recommendations.set_status(uow, m, MeasureStatus.scheduled)
        elif not done and status is MeasureStatus.scheduled:
            recommendations.set_status(uow, m, MeasureStatus.granted)


def _gaps(uow, p: Plan, hs, case_rows: dict) -> None:
    """Every conflict on the worklist of the coordinator of the victim concerned; gaps the new plan
    no longer has are closed, so the list shows what is open now."""
    conn, now = uow.conn, uow.now
    starts = {h.id: h.starts_at for h in hs}
    coordinators = {cid: r.coordinator for cid, r in case_rows.items()}
    missing = sorted({c.case_id for c in p.conflicts if c.case_id and c.case_id not in coordinators})
    if missing:
        coordinators.update(dict(conn.execute(select(cases.c.id, cases.c.coordinator).where(among(conn, cases.c.id, missing))).all()))
    items, keys = [], set()
    for c in p.conflicts:
        if not c.case_id:
            continue
        at = starts.get(c.hearing_id) or conn.execute(select(hearings.c.starts_at).where(
            hearings.c.id == c.hearing_id)).scalar()
        k = f"gap:{c.hearing_id}:{c.case_id}:{c.measure.value if c.measure else '-'}:{c.kind.value}:{at.isoformat()}"
        keys.add(k)
        items.append(item(k, c.case_id, "hearing_gap", coordinators[c.case_id], min(now, at), now, c.line()[:500]))
    add_items(conn, items)
    close_gaps(uow, list(starts), keep=keys)


def close_gaps(uow, hearing_ids: list[str], keep: set[str]) -> None:
    """Close the open gap items of these hearings that are not in `keep`. A gap is about a witness
    of the hearing, so its items are found through the cases that appear (or appeared) there, on
    the worklist's case index; a LIKE on the key prefix used no index and scanned the worklist
    once per 200 hearings."""
    conn = uow.conn
    ids = sorted(set(hearing_ids))
    stale: list[int] = []
    for i in range(0, len(ids), 200):
        part = ids[i:i + 200]
        prefixes = tuple(f"gap:{hid}:" for hid in part)
        witnesses = select(appearances.c.case_id).where(appearances.c.hearing_id.in_(part))
        stale += [r.id for r in conn.execute(select(worklist.c.id, worklist.c.key).where(
            worklist.c.case_id.in_(witnesses), worklist.c.kind == "hearing_gap", worklist.c.done_at.is_(None)))
            if r.key.startswith(prefixes) and r.key not in keep]
    for i in range(0, len(stale), 500):
        conn.execute(update(worklist).where(worklist.c.id.in_(stale[i:i + 500]))
                     .values(done_at=uow.now, done_by="planner: no longer a gap"))


def mark_prepared(uow, ids: list[str], recheck: dict[str, datetime | None] | None = None,
                  marks: dict[str, str | None] | None = None) -> None:
    """These hearings are prepared as of now; `recheck`: each one's `recheck_at`, `marks`: the
    fingerprint of the profile it was planned by (both left as they were when not given: the caller
    changed the hearing without planning it again)."""
    if recheck is None:
        uow.conn.execute(update(hearings).where(hearings.c.id.in_(ids))
                         .values(prepared_version=hearings.c.version, prepared_at=uow.now))
        return
    marks = marks or {}
    uow.conn.execute(update(hearings).where(hearings.c.id == bindparam("b_id"))
                     .values(prepared_version=hearings.c.version, prepared_at=uow.now,
                             recheck_at=bindparam("b_recheck"), prepared_profile=bindparam("b_profile")),
                     [dict(b_id=hid, b_recheck=recheck.get(hid), b_profile=marks.get(hid)) for hid in ids])


@gated(ActionKind.schedule_appearance, ActionKind.assign_escort)
def prepare(app, actor: Actor, hearing_ids: list[str], overrides: dict[str, str] | None = None,
            now: datetime | None = None) -> PrepResult:
    """Prepare these hearings in one transaction (the flow's chunk task calls this)."""
    need_to_know(app, actor, "plan.run")
    for hid in hearing_ids:  # the flow runs as system, not bound to cases: no reads here
        need_to_know(app, actor, "plan.run", hearing=hid)
    with app.uow(actor, now) as uow:
        result = prepare_in(uow, hearing_ids, overrides)
        if result.hearings:
            uow.audit("hearing.prepare", f"{len(result.hearings)} hearings",
                      f"{result.booked} booked, {result.released} released, {len(result.conflicts)} conflicts")
        uow.commit()
    return result


def due_for_prep(app, now: datetime) -> list[str]:
    with app.engine.connect() as conn:
        return select_prep(conn, now, app.profiles)


# --- `witness plan` ----------------------------------------------------------------------------

@gated(ActionKind.schedule_appearance, ActionKind.assign_escort)
def plan_hearing(app, actor: Actor, hearing_id: str, book: bool = False, overrides: dict[str, str] | None = None) -> dict:
    """The plan and its conflicts for one hearing. A dry run unless book=True."""
    need_to_know(app, actor, "plan.run", hearing=hearing_id)
    with app.uow(actor) as uow:
        h = hearing_row(uow.conn, hearing_id)
        result = prepare_in(uow, [hearing_id], overrides, book=book)
        tz = uow.profiles[h.jurisdiction].time_zone
        p = result.plan or Plan((), (), ())
        view = {
            "hearing": hearing_id, "docket": h.docket, "court": h.court, "status": h.status,
            "at": local_span(Slot(h.starts_at, h.ends_at), tz), "booked": book,
            "bookings": [{"case": b.case_id, "measure": b.measure.value, "resource": b.resource_id,
                          "window": local_span(Slot(b.start, b.end), tz)} for b in p.bookings if b.hearing_id == hearing_id],
            "arranged": [{"case": a.case_id, "measure": a.measure.value, "note": a.note} for a in p.arranged
                         if a.hearing_id == hearing_id],
            "conflicts": [c.line() for c in p.conflicts],
            "awaiting_decision": [
                {"case": m.case_id, "measure": m.kind, "status": m.status, "late": m.late,
                 "condition": m.condition_note or None}
                for m in uow.conn.execute(select(measures).where(
                    measures.c.hearing_id == hearing_id,
                    measures.c.status.in_([MeasureStatus.recommended.value, MeasureStatus.requested.value]))
                    .order_by(measures.c.case_id, measures.c.kind))]}
        uow.audit("hearing.plan", hearing_id, f"{'booked' if book else 'dry run'}: {len(view['conflicts'])} conflicts")
        uow.commit()
    return view


# --- the sweep's follow-up -------------------------------------------------------------------

def select_prep(conn, now: datetime, profiles) -> list[str]:
    """Hearings of the next 14 days whose last preparation may no longer hold (module docstring).
    `prepared_at < now` on the clock's reasons: a sweep run again at the same instant selects nothing."""
    changed = exists().where(hearing_inputs_changed.c.hearing_id == hearings.c.id)
    profile_now = case(*[(proceedings.c.jurisdiction == code, literal(mark)) for code, mark in
                         sorted(profile_marks(profiles).items())], else_=null())
    q = (select(hearings.c.id).join(proceedings, proceedings.c.id == hearings.c.proceeding_id).where(
        hearings.c.status.in_(ACTIVE_VALUES), hearings.c.starts_at > now, hearings.c.starts_at <= now + HORIZON,
        or_(hearings.c.prepared_version.is_(None), hearings.c.prepared_version < hearings.c.version,
            and_(hearings.c.recheck_at <= now, hearings.c.prepared_at < now),
            hearings.c.prepared_profile.is_distinct_from(profile_now),
            changed))
        .order_by(hearings.c.starts_at, hearings.c.id))
    return list(conn.execute(q).scalars())


@gated(ActionKind.schedule_appearance, ActionKind.assign_escort)
def _process_prep(uow, ids: list[str], profiles) -> int:
    done = len(prepare_in(uow, ids).hearings)
    forget_past(uow)
    return done


def forget_past(uow) -> None:
    """Changes noted for hearings that are over, cancelled or gone are of no use to any plan."""
    noted = select(hearing_inputs_changed.c.hearing_id).distinct().subquery()
    stale = (select(noted.c.hearing_id).outerjoin(hearings, hearings.c.id == noted.c.hearing_id)
             .where(or_(hearings.c.id.is_(None), hearings.c.starts_at <= uow.now, hearings.c.status.not_in(ACTIVE_VALUES))))
    uow.conn.execute(delete(hearing_inputs_changed).where(hearing_inputs_changed.c.hearing_id.in_(stale)))


# 200 hearings (some 700 witnesses) per chunk, as the hearing-prep flow does.
HEARING_PREP = FollowUp("hearing_prep", select_prep, _process_prep, chunk=200)
