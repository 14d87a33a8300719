"""A hearing's protective measures kept current inside the caller's unit of work (R-60, R-61):
what each planned appearance should have (from the latest risk assessment and the profile), the
deadlines of those not yet requested, and every status change as a history row.

The planner (preparation) and the measure commands (measures) both use these; they sit below
both so that neither imports the other.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, insert, literal, select, update

from witness.domain.guardrails import ungated
from witness.domain.hearing import ACTIVE, AppearanceMode
from witness.domain.measure import MeasureKind
from witness.domain.protection import (PENDING, Eligibility, MeasureStatus, WitnessConditions, check_transition,
                                       deadlines, eligibility, recommended_kinds)
from witness.domain.victim import PSEUDONYM_ALPHABET, AgeStatus, presumed_child
from witness.services.sweep import FollowUp
from witness.services.worklist import add_items, item, listed_keys
from witness.store.hearing_tables import hearings, measure_history, measures
from witness.store.risk_tables import case_flags, risk_assessments
from witness.store.tables import cases, proceedings, worklist
from witness.store.dialects import among, insert_rows

DEADLINE_WARNING = timedelta(days=3)


def new_measure_id(rng: secrets.SystemRandom | None = None) -> str:
    if rng is not None:
        return "M-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(8))
    # One read of the system's randomness per id, not eight (a sweep makes thousands): bytes past
    # the last whole multiple of the alphabet's length are dropped, so every letter stays equally likely.
    n = len(PSEUDONYM_ALPHABET)
    limit = 256 - 256 % n
    out = ""
    while len(out) < 8:
        out += "".join(PSEUDONYM_ALPHABET[b % n] for b in secrets.token_bytes(12) if b < limit)
    return "M-" + out[:8]


def set_status(uow, row, target: MeasureStatus, **values) -> None:
    check_transition(MeasureStatus(row.status), target)
    uow.conn.execute(update(measures).where(measures.c.id == row.id)
                     .values(status=target.value, updated_at=uow.now, **values))
    uow.conn.execute(insert(measure_history).values(measure_id=row.id, at=uow.now, actor=uow.actor.user,
                                                    role=uow.actor.role.value, from_status=row.status,
                                                    to_status=target.value))


def latest_recommended(conn, case_ids: list[str]) -> dict[str, list[str]]:
    """Each case's latest risk assessment's recommended measures (read straight from the table)."""
    out: dict[str, list[str]] = {}
    if not case_ids:
        return out
    for r in conn.execute(select(risk_assessments.c.case_id, risk_assessments.c.recommended)
                          .where(among(conn, risk_assessments.c.case_id, sorted(case_ids)))
                          .order_by(risk_assessments.c.case_id, risk_assessments.c.at.desc(), risk_assessments.c.id)):
        out.setdefault(r.case_id, json.loads(r.recommended))
    return out


def conditions_on_record(conn, case_ids: list[str]) -> dict[str, WitnessConditions]:
    rows = conn.execute(select(cases.c.id, cases.c.age_status).where(among(conn, cases.c.id, sorted(case_ids)))).all()
    flagged = set(conn.execute(select(case_flags.c.case_id).where(
        among(conn, case_flags.c.case_id, sorted(case_ids)), case_flags.c.flag == "traumatised_witness",
        case_flags.c.resolved_at.is_(None))).scalars())
    return {r.id: WitnessConditions(presumed_child(AgeStatus(r.age_status)), r.id in flagged) for r in rows}


def recommend_in(uow, hearing_rows: list, appearance_rows: list) -> int:
    """Add what each planned appearance should have; refresh the deadlines of measures not yet
    requested (a moved hearing has new deadlines) and the eligibility of every pending one (a
    recorded condition changes it whether or not the application is filed: one fact, one handler).
    Returns how many measures were added or re-opened.

    The new measures, their history rows and the refreshed ones are written as one executemany
    each: a sweep prepares thousands of appearances at once, and a statement per row was most of
    its time."""
    conn, now, profiles = uow.conn, uow.now, uow.profiles
    by_hearing = {h.id: h for h in hearing_rows}
    case_ids = sorted({a.case_id for a in appearance_rows})
    assessed = latest_recommended(conn, case_ids)
    facts = conditions_on_record(conn, case_ids)
    existing: dict[tuple[str, str], dict[str, object]] = {}
    for m in conn.execute(select(measures).where(among(conn, measures.c.hearing_id, sorted(by_hearing)))):
        existing.setdefault((m.hearing_id, m.case_id), {})[m.kind] = m
    new_rows, history, fresh_rows, changed = [], [], [], 0
    for a in sorted(appearance_rows, key=lambda a: (a.hearing_id, a.case_id)):
        h = by_hearing[a.hearing_id]
        profile = profiles[h.jurisdiction]
        wc = facts[a.case_id]
        due = deadlines(h.starts_at, profile.measure_application)
        kinds = dict(recommended_kinds(assessed.get(a.case_id), AppearanceMode(a.mode), wc.child))
        have = existing.get((h.id, a.case_id), {})
        kinds.update({MeasureKind(k): m.source for k, m in have.items() if MeasureKind(k) not in kinds})
        for kind, source in kinds.items():
            e = eligibility(kind, profile.measures.get(kind), profile.name, wc)
            row = have.get(kind.value)
            if row is None:
                mid = new_measure_id()
                new_rows.append(dict(
                    id=mid, case_id=a.case_id, hearing_id=h.id, kind=kind.value, status=MeasureStatus.recommended.value,
                    source=source, eligibility=e.status.value, condition_note=e.note[:400], recommended_at=now,
                    request_by=due.request_by, late=False, updated_at=now))
                history.append(dict(measure_id=mid, at=now, actor=uow.actor.user, role=uow.actor.role.value,
                                    from_status=None, to_status=MeasureStatus.recommended.value))
                changed += 1
            elif row.status == MeasureStatus.cancelled.value:  # the victim consented again: start over
                set_status(uow, row, MeasureStatus.recommended, requested_at=None, response_due_at=None, late=False,
                           decided_at=None, decision_note=None, request_by=due.request_by, recommended_at=now,
                           eligibility=e.status.value, condition_note=e.note[:400])
                changed += 1
            elif MeasureStatus(row.status) in PENDING:
                # Once filed, the deadline it was filed against is history (the late flag reads it).
                request_by = due.request_by if row.status == MeasureStatus.recommended.value else row.request_by
                fresh = dict(eligibility=e.status.value, condition_note=e.note[:400], request_by=request_by)
                if any(getattr(row, k) != v for k, v in fresh.items()):
                    fresh_rows.append(dict(b_id=row.id, b_eligibility=fresh["eligibility"],
                                           b_condition_note=fresh["condition_note"], b_request_by=request_by))
    if new_rows:
        insert_rows(conn, measures, new_rows)
        insert_rows(conn, measure_history, history)
    if fresh_rows:
        conn.execute(update(measures).where(measures.c.id == bindparam("b_id"))
                     .values(eligibility=bindparam("b_eligibility"), condition_note=bindparam("b_condition_note"),
                             request_by=bindparam("b_request_by"), updated_at=now), fresh_rows)
    return changed


def deadline_items(uow, hearing_ids: list[str]) -> int:
    """Recommended measures whose application deadline is near or past: on the coordinator's worklist."""
    return _deadline_items(uow, among(uow.conn, measures.c.hearing_id, sorted(hearing_ids)),
                           measures.c.request_by <= uow.now + DEADLINE_WARNING)


def _deadline_items(uow, *where) -> int:
    conn, now = uow.conn, uow.now
    rows = conn.execute(
        select(measures.c.id, measures.c.case_id, measures.c.kind, measures.c.request_by, measures.c.eligibility,
               measures.c.condition_note, measures.c.hearing_id, cases.c.coordinator, cases.c.jurisdiction,
               proceedings.c.docket)
        .join(cases, cases.c.id == measures.c.case_id).join(hearings, hearings.c.id == measures.c.hearing_id)
        .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
        .where(measures.c.status == MeasureStatus.recommended.value, *where)).all()
    # Preparing a hearing finds the deadlines the sweep already listed: keys already listed are
    # left out here, from one read on the worklist's case index, instead of each being tried and refused.
    listed = listed_keys(conn, sorted({r.case_id for r in rows}), "measure_deadline")
    items = []
    for r in rows:
        key = f"measure_deadline:{r.id}:{r.request_by.isoformat()}"
        if key in listed:
            continue
        local = r.request_by.astimezone(uow.profiles[r.jurisdiction].tz).strftime("%Y-%m-%d %H:%M")
        what = ("the deadline has passed: request it now; it will be flagged late" if r.request_by <= now
                else f"request it by {local}")
        cond = f" Note: {r.condition_note}" if r.eligibility != Eligibility.eligible.value and r.condition_note else ""
        items.append(item(key, r.case_id, "measure_deadline",
                          r.coordinator, r.request_by, now,
                          f"{r.case_id}: {r.kind} for hearing {r.hearing_id} ({r.docket}) is recommended but not "
                          f"requested; {what}.{cond}"[:500]))
    return add_items(conn, items)


# --- the sweep's follow-up -------------------------------------------------------------------

def select_deadlines(conn, now: datetime, profiles) -> list[str]:
    """Measures still only recommended, for a hearing still to come, whose deadline is within
    DEADLINE_WARNING and which are not on the worklist yet for that deadline. The clock passing
    the warning instant is no change to the hearing: this is found here, not by preparing it again."""
    listed = exists().where(worklist.c.case_id == measures.c.case_id, worklist.c.kind == "measure_deadline",
                            worklist.c.due_at == measures.c.request_by,
                            worklist.c.key.like(literal("measure_deadline:") + measures.c.id + literal(":%")))
    q = (select(measures.c.id).join(hearings, hearings.c.id == measures.c.hearing_id)
         .where(measures.c.status == MeasureStatus.recommended.value, measures.c.request_by <= now + DEADLINE_WARNING,
                hearings.c.status.in_([s.value for s in ACTIVE]), hearings.c.starts_at > now, ~listed)
         .order_by(measures.c.request_by, measures.c.id))
    return list(conn.execute(q).scalars())


@ungated("adds worklist items only")
def _process_deadlines(uow, ids: list[str], profiles) -> int:
    return _deadline_items(uow, among(uow.conn, measures.c.id, ids))


MEASURE_DEADLINE = FollowUp("measure_deadline", select_deadlines, _process_deadlines)
