"""Protective measures per witness and hearing (R-60, R-61): recommended from the latest risk
assessment and the jurisdiction profile, requested, decided by the court, booked, delivered.

Every change is a history row and an audit row. A denied or failed measure makes a risk review
due and goes on the coordinator's worklist; a court decision is published as `MeasureDecided`
so the victim is told (R-24); a grant is booked at once (the hearing is re-planned). What keeps a
hearing's measures current inside a unit of work is in recommendations.py, shared with the planner.
"""
from __future__ import annotations

from sqlalchemy import insert, select

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.hearing import ACTIVE, HearingStatus
from witness.domain.measure import MeasureKind
from witness.domain.protection import DECISIONS, OUTCOMES, MeasureStatus, deadlines, eligibility, file_request
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness.domain.events import MeasureDecided
from witness.services.events import publish
from witness.services.access import allowed_cases, need_to_know
from witness.services.guardrails import enforce
from witness.services.recommendations import conditions_on_record, new_measure_id, set_status
from witness.services.worklist import add_items, item
from witness.store.hearing_tables import hearings, measure_history, measures
from witness.store.records import case_row
from witness.store.risk_tables import case_flags
from witness.store.tables import proceedings

CONDITIONS = {"traumatised_witness": "traumatised witness"}  # flag -> the profiles' wording


# --- commands --------------------------------------------------------------------------------

def _measure(conn, measure_id: str, lock: bool = False):
    q = select(measures).where(measures.c.id == measure_id)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFound(f"measure: no measure {measure_id!r}")
    return row


def _hearing(conn, hearing_id: str):
    row = conn.execute(select(hearings.c.id, hearings.c.status, hearings.c.starts_at, proceedings.c.jurisdiction,
                              proceedings.c.docket)
                       .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
                       .where(hearings.c.id == hearing_id)).first()
    if row is None:
        raise NotFound(f"hearing: no hearing {hearing_id!r}")
    return row


def _active(h) -> None:
    if HearingStatus(h.status) not in ACTIVE:
        raise ActionBlocked(f"hearing: {h.id} is {h.status}; its measures can no longer change this way")


@ungated("a read (audited)")
def list_measures(app, actor: Actor, ident: str) -> list[dict]:
    """Every measure of a case (W-...) or of a hearing (H-...), with status, deadlines and conditions."""
    need_to_know(app, actor, "measure.read", **({"hearing": ident} if ident.startswith("H-") else {"case": ident}))
    with app.uow(actor) as uow:
        col = measures.c.hearing_id if ident.startswith("H-") else measures.c.case_id
        rows = uow.conn.execute(
            select(measures, hearings.c.starts_at, hearings.c.status.label("hearing_status"), proceedings.c.jurisdiction,
                   proceedings.c.docket)
            .join(hearings, hearings.c.id == measures.c.hearing_id)
            .join(proceedings, proceedings.c.id == hearings.c.proceeding_id)
            .where(col == ident).order_by(hearings.c.starts_at, measures.c.hearing_id, measures.c.case_id)).all()
        mine = allowed_cases(uow.conn, actor, "measure.read", {r.case_id for r in rows})
        rows = [r for r in rows if r.case_id in mine]  # a shared hearing: only the victims the reader is on
        if not rows:
            (_hearing(uow.conn, ident) if ident.startswith("H-") else case_row(uow.conn, ident))
        order = {k.value: i for i, k in enumerate(MeasureKind)}
        out = []
        for r in sorted(rows, key=lambda r: (r.starts_at, r.hearing_id, r.case_id, order[r.kind])):
            tz = app.profile(r.jurisdiction).tz
            local = lambda t: t.astimezone(tz).isoformat() if t else None  # noqa: E731
            out.append({"id": r.id, "case": r.case_id, "hearing": r.hearing_id, "docket": r.docket,
                        "hearing_at": local(r.starts_at), "hearing_status": r.hearing_status, "kind": r.kind,
                        "status": r.status, "source": r.source, "eligibility": r.eligibility,
                        "condition": r.condition_note or None, "request_by": local(r.request_by),
                        "requested_at": local(r.requested_at), "response_due_at": local(r.response_due_at),
                        "late": r.late, "decided_at": local(r.decided_at)})
        uow.audit("measure.read", ident, f"{len(out)} measures")
        uow.commit()
    return out


@ungated("adds a recommendation: nothing is asked of anyone until it is requested (request is gated)")
def propose(app, actor: Actor, hearing_id: str, case_id: str, kind: str) -> str:
    """Add a measure by hand (a coordinator or prosecutor sees a need the assessment did not)."""
    need_to_know(app, actor, "measure.request", case=case_id)
    try:
        what = MeasureKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(k.value for k in MeasureKind)}")]) from None
    from witness.store.hearing_tables import appearances

    with app.uow(actor) as uow:
        conn = uow.conn
        h = _hearing(conn, hearing_id)
        _active(h)
        if conn.execute(select(appearances.c.id).where(appearances.c.hearing_id == hearing_id,
                                                       appearances.c.case_id == case_id,
                                                       appearances.c.status == "planned")).first() is None:
            raise InputProblems([("case", f"{case_id} does not appear at hearing {hearing_id}")])
        if conn.execute(select(measures.c.id).where(measures.c.hearing_id == hearing_id, measures.c.case_id == case_id,
                                                    measures.c.kind == what.value)).first():
            raise ActionBlocked(f"kind: {what.value} is already on record for {case_id} at {hearing_id}")
        profile = uow.profiles[h.jurisdiction]
        wc = conditions_on_record(conn, [case_id])[case_id]
        e = eligibility(what, profile.measures.get(what), profile.name, wc)
        mid = new_measure_id()
        conn.execute(insert(measures).values(
            id=mid, case_id=case_id, hearing_id=hearing_id, kind=what.value, status=MeasureStatus.recommended.value,
            source="manual", eligibility=e.status.value, condition_note=e.note[:400], recommended_at=uow.now,
            request_by=deadlines(h.starts_at, profile.measure_application).request_by, late=False, updated_at=uow.now))
        conn.execute(insert(measure_history).values(measure_id=mid, at=uow.now, actor=actor.user, role=actor.role.value,
                                                    from_status=None, to_status=MeasureStatus.recommended.value))
        uow.audit("measure.propose", case_id, f"{what.value} for {hearing_id}")
        uow.commit()
    return mid


@gated(ActionKind.request_measure)
def request(app, actor: Actor, measure_ids: list[str], overrides: dict[str, str] | None = None) -> list[dict]:
    """File the applications. A request after the profile's deadline is made and flagged LATE."""
    if not measure_ids:
        raise InputProblems([("measures", "name at least one measure id")])
    for mid in measure_ids:
        need_to_know(app, actor, "measure.request", measure=mid)
    out = []
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        for mid in measure_ids:
            m = _measure(conn, mid, lock=True)
            h = _hearing(conn, m.hearing_id)
            _active(h)
            enforce(uow, ActionKind.request_measure, m.case_id, overrides, measure=m.kind)
            profile = uow.profiles[h.jurisdiction]
            filing = file_request(now, h.starts_at, m.request_by, profile.measure_application.response_days)
            set_status(uow, m, MeasureStatus.requested, requested_at=now, response_due_at=filing.response_due_at,
                       late=filing.late)
            tz = profile.tz
            note = filing.note()
            if filing.late:
                coordinator = case_row(conn, m.case_id).coordinator
                add_items(conn, [item(f"measure_late:{mid}:{now.isoformat()}", m.case_id, "measure_late", coordinator,
                                      now, now, f"{m.case_id}: {m.kind} for hearing {h.id} ({h.docket}) was requested "
                                                f"after the deadline ({m.request_by.astimezone(tz).strftime('%Y-%m-%d')}); "
                                                "make sure the court hears why.")])
            out.append({"id": mid, "case": m.case_id, "hearing": h.id, "kind": m.kind, "late": filing.late,
                        "response_due_at": filing.response_due_at.astimezone(tz).isoformat(), "note": note or None,
                        "condition": m.condition_note or None, "eligibility": m.eligibility})
            uow.audit("measure.request", m.case_id, f"{m.kind} for {h.id}{' (late)' if filing.late else ''}")
        uow.commit()
    return out


@gated(ActionKind.schedule_appearance, ActionKind.assign_escort)  # the re-plan (prepare_in) checks both
def decide(app, actor: Actor, measure_id: str, decision: str, note: str | None = None,
           overrides: dict[str, str] | None = None) -> dict:
    """Record the court's (or, for an escort, the police's) decision; a grant is booked at once."""
    need_to_know(app, actor, "measure.decide", measure=measure_id)
    try:
        target = MeasureStatus(decision)
    except ValueError:
        target = None
    if target not in DECISIONS:
        raise InputProblems([("decision", "use granted, denied or partially_granted")])
    if target is MeasureStatus.partially_granted and not (note or "").strip():
        raise InputProblems([("note", "say what the court granted and what it did not")])
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        m = _measure(conn, measure_id, lock=True)
        h = _hearing(conn, m.hearing_id)
        _active(h)
        set_status(uow, m, target, decided_at=now,
                   decision_note=uow.cipher.encrypt("measures", "decision_note", m.id, note.strip(), owner=m.case_id)
                   if note else None)
        publish(uow, MeasureDecided(case_ids=[m.case_id], event_id=f"measure:{m.id}:{target.value}:{now.isoformat()}",
                                    measure=m.kind, decision=target.value, hearing=h.id))
        if target is MeasureStatus.denied:
            _needs_review(uow, m.case_id, "measure_denied",
                          f"{m.case_id}: the court denied {m.kind} for hearing {h.id} ({h.docket}). Review the risk "
                          "with the victim and plan what protects them instead.", f"measure_denied:{m.id}")
        from witness.services.preparation import prepare_in

        result = prepare_in(uow, [h.id], overrides)
        uow.audit("measure.decide", m.case_id, f"{m.kind} for {h.id}: {target.value}")
        uow.commit()
    return {"id": measure_id, "kind": m.kind, "case": m.case_id, "hearing": h.id, "status": target.value,
            "conflicts": [c.line() for c in result.conflicts if c.hearing_id == h.id]}


@ungated("records what happened at the hearing; a failure makes a risk review due")
def outcome(app, actor: Actor, measure_id: str, result: str, note: str | None = None) -> dict:
    """After the hearing: was the measure delivered? A failure is a risk event."""
    need_to_know(app, actor, "measure.decide", measure=measure_id)
    try:
        target = MeasureStatus(result)
    except ValueError:
        target = None
    if target not in OUTCOMES:
        raise InputProblems([("result", "use delivered or failed")])
    with app.uow(actor) as uow:
        m = _measure(uow.conn, measure_id, lock=True)
        h = _hearing(uow.conn, m.hearing_id)
        set_status(uow, m, target, decision_note=(uow.cipher.encrypt("measures", "decision_note", m.id, note.strip(), owner=m.case_id)
                                                  if note else m.decision_note))
        if target is MeasureStatus.failed:
            _needs_review(uow, m.case_id, "measure_failed",
                          f"{m.case_id}: {m.kind} failed at hearing {h.id} ({h.docket}). Check on the victim's safety "
                          "and review the risk.", f"measure_failed:{m.id}")
        uow.audit("measure.outcome", m.case_id, f"{m.kind} at {h.id}: {target.value}")
        uow.commit()
    return {"id": measure_id, "kind": m.kind, "status": target.value}


@gated(ActionKind.schedule_appearance, ActionKind.assign_escort)  # re-plans through prepare_in
def record_condition(app, actor: Actor, case_id: str, condition: str) -> int:
    """Record a fact a jurisdiction's condition depends on (e.g. a traumatised witness, for
    Indonesia's video testimony). Re-evaluates the case's measures not yet requested."""
    need_to_know(app, actor, "measure.request", case=case_id)
    if condition not in CONDITIONS:
        raise InputProblems([("condition", f"use one of {', '.join(CONDITIONS)}")])
    from witness.services.preparation import prepare_in
    from witness.store.hearing_tables import appearances

    with app.uow(actor) as uow:
        conn = uow.conn
        case_row(conn, case_id, lock=True)
        if not conn.execute(select(case_flags.c.id).where(case_flags.c.case_id == case_id, case_flags.c.flag == condition,
                                                          case_flags.c.resolved_at.is_(None))).first():
            conn.execute(insert(case_flags).values(case_id=case_id, flag=condition, at=uow.now, by=actor.user))
        ids = list(conn.execute(select(appearances.c.hearing_id).join(hearings, hearings.c.id == appearances.c.hearing_id)
                                .where(appearances.c.case_id == case_id, appearances.c.status == "planned",
                                       hearings.c.status.in_([s.value for s in ACTIVE]))).scalars())
        prepare_in(uow, ids)
        uow.audit("case.flag", case_id, condition)
        uow.commit()
    return len(ids)


def _needs_review(uow, case_id: str, trigger: str, detail: str, key: str) -> None:
    from witness.services.custody import mark_reassessment_due

    mark_reassessment_due(uow, [case_id], trigger, uow.now)
    coordinator = case_row(uow.conn, case_id).coordinator
    add_items(uow.conn, [item(key, case_id, trigger, coordinator, uow.now, uow.now, detail[:500])])
