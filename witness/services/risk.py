"""Risk assessments with history, and the follow-ups that keep them current (R-40…R-42)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.proceeding import FREE_AGAIN, Custody, Relationship
from witness.domain.risk import AssessmentForm, CaseRiskFacts, RiskResult, assess
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import InputProblems, NotFound
from witness.forms import validate
from witness.services.access import need_to_know
from witness.services.custody import mark_reassessment_due
from witness.services.sweep import FollowUp
from witness.services.worklist import add_items, item
from witness.store.records import case_row
from witness.store.risk_tables import case_flags, risk_assessments, risk_reviews_due
from witness.store.tables import accused, cases, relationships, worklist
from witness.store.dialects import among


def risk_facts(conn, case_id: str) -> CaseRiskFacts:
    row = case_row(conn, case_id)
    links = conn.execute(select(accused.c.custody, relationships.c.relationship)
                         .join(relationships, relationships.c.accused_id == accused.c.id)
                         .where(relationships.c.case_id == case_id)).all()
    return CaseRiskFacts(child=presumed_child(AgeStatus(row.age_status)),
                         foreign=row.nationality is not None and row.nationality != row.jurisdiction,
                         custody=tuple(Custody(r.custody) for r in links),
                         relationships=tuple(Relationship(r.relationship) for r in links))


@ungated("records the victim's risk: it protects, and no rule may delay it")
def record(app, actor: Actor, case_id: str, data: Any) -> RiskResult:
    """Validate the answers, score them, keep the assessment (answers encrypted) and clear what was due."""
    need_to_know(app, actor, "risk.assess", case=case_id)
    form = validate(AssessmentForm, data)
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        result = assess(form, risk_facts(conn, case_id), app.risk_policy)
        aid = str(uuid.uuid4())
        # A case's assessments are ordered by `at` alone (the latest is the one in force): two
        # recorded at the same instant (a fixed clock, a clock stepped back) would leave no defined
        # latest, so a new one comes at least a microsecond after the last.
        last = conn.execute(select(risk_assessments.c.at).where(risk_assessments.c.case_id == case_id)
                            .order_by(risk_assessments.c.at.desc()).limit(1)).scalar()
        at = now if last is None or last < now else last + timedelta(microseconds=1)
        conn.execute(insert(risk_assessments).values(
            id=aid, case_id=case_id, at=at, assessor=actor.user, trigger=form.trigger, level=result.level.value,
            score=result.score, victim_scale=form.victim.fear_scale,
            factors=json.dumps([{"factor": f.factor, "weight": f.weight} for f in result.factors]),
            recommended=json.dumps([m.value for m in result.recommended]),
            answers=uow.cipher.encrypt("risk_assessments", "answers", aid, form.model_dump_json(), owner=case_id),
            next_review_at=result.next_review(now)))
        conn.execute(delete(risk_reviews_due).where(risk_reviews_due.c.case_id == case_id))
        conn.execute(update(worklist).where(worklist.c.case_id == case_id, worklist.c.done_at.is_(None),
                                            worklist.c.kind.in_(("reassess_risk", "risk_review", "initial_risk")))
                     .values(done_at=now, done_by=actor.user))
        if form.case.informal_settlement_pressure:
            # The same fact as `witness report ... settlement_pressure`, so the same handler.
            _reported(uow, case_row(conn, case_id), "settlement_pressure")
        uow.audit("risk.assess", case_id, f"{form.trigger}: {result.level.value} (score {result.score})")
        uow.commit()
    return result


@ungated("records a reported fact (threat, move, pressure): it protects, and no rule may delay it")
def report(app, actor: Actor, case_id: str, flag: str) -> None:
    """Record a reported fact. Threats and a change of residence make a reassessment due at once;
    settlement pressure gets a follow-up (Guide: advise against informal settlement)."""
    need_to_know(app, actor, "risk.assess", case=case_id)
    allowed = {"threat_reported", "residence_changed", "settlement_pressure", "settlement_followed_up",
               "stay_until_resolved"}
    if flag not in allowed:
        raise InputProblems([("flag", f"use one of {', '.join(sorted(allowed))}")])
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        _reported(uow, row, flag)
        uow.audit("case.flag", case_id, flag)
        uow.commit()


def _reported(uow, row, flag: str) -> None:
    """One reported fact, one handler, whichever path records it (a report or an assessment)."""
    case_id = row.id
    if flag == "settlement_pressure" and uow.conn.execute(select(case_flags.c.id).where(
            case_flags.c.case_id == case_id, case_flags.c.flag == flag, case_flags.c.resolved_at.is_(None))).first():
        return  # still open and on the worklist: a second report adds nothing
    _flag(uow, case_id, flag)
    if flag in ("threat_reported", "residence_changed"):
        mark_reassessment_due(uow, [case_id], flag, uow.now)
    if flag == "settlement_pressure":
        add_items(uow.conn, [item(f"{case_id}:settlement:{uow.now.isoformat()}", case_id, "settlement_pressure",
                                  row.coordinator, uow.now, uow.now,
                                  f"{case_id}: pressure to settle informally reported. Explain why informal "
                                  "settlements are compromised, and follow up on who applies the pressure.")])


def _flag(uow, case_id: str, flag: str) -> None:
    if flag == "settlement_followed_up":
        uow.conn.execute(update(case_flags).where(case_flags.c.case_id == case_id, case_flags.c.flag == "settlement_pressure",
                                                  case_flags.c.resolved_at.is_(None)).values(resolved_at=uow.now))
        return
    uow.conn.execute(insert(case_flags).values(case_id=case_id, flag=flag, at=uow.now, by=uow.actor.user))


@ungated("a read (audited)")
def history(app, actor: Actor, case_id: str) -> dict:
    """The latest result with its explanation, and every earlier assessment (who, when, why)."""
    need_to_know(app, actor, "risk.read", case=case_id)
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id)
        tz = app.profile(row.jurisdiction).tz
        rows = uow.conn.execute(select(risk_assessments).where(risk_assessments.c.case_id == case_id)
                                .order_by(risk_assessments.c.at.desc())).all()
        due = uow.conn.execute(select(risk_reviews_due).where(risk_reviews_due.c.case_id == case_id)).first()
        uow.audit("risk.read", case_id, f"{len(rows)} assessments")
        uow.commit()
    if not rows:
        raise NotFound(f"case: no risk assessment yet for {case_id}")
    entries = [{"at": r.at.astimezone(tz).isoformat(), "assessor": r.assessor, "trigger": r.trigger, "level": r.level,
                "score": r.score, "victim_fear_scale": r.victim_scale, "factors": json.loads(r.factors),
                "recommended": json.loads(r.recommended), "next_review_at": r.next_review_at.astimezone(tz).isoformat()}
               for r in rows]
    return {"case": case_id, "latest": entries[0], "history": entries[1:],
            "reassessment_due": ({"since": due.due_at.astimezone(tz).isoformat(), "trigger": due.trigger} if due else None)}


# --- sweep follow-ups -------------------------------------------------------------------------

def _latest(*where):
    """Each case's latest assessment: no later one exists for the case. Answered row by row from the
    (case_id, at) index, so a condition on the review date or the case ids narrows it first — a
    GROUP BY over every assessment ran whole for each chunk of the sweep."""
    later = risk_assessments.alias("later")
    newer = exists().where(later.c.case_id == risk_assessments.c.case_id, later.c.at > risk_assessments.c.at)
    return select(risk_assessments.c.case_id, risk_assessments.c.next_review_at).where(~newer, *where)


def _select_review(conn, now: datetime, profiles) -> list[str]:
    lat = _latest(risk_assessments.c.next_review_at <= now).subquery()
    done = exists().where(worklist.c.case_id == lat.c.case_id, worklist.c.kind == "risk_review",
                          worklist.c.due_at == lat.c.next_review_at)
    q = (select(lat.c.case_id).join(cases, cases.c.id == lat.c.case_id)
         .where(cases.c.stage != "closed", ~done).order_by(lat.c.case_id))
    return list(conn.execute(q).scalars())


def _latest_of(conn, case_ids):
    """`_latest` for these cases only, said as "at the case's last instant" (the same rows): each
    case's last instant is one backward step on the (case_id, at, next_review_at) index. PostgreSQL
    planned the NOT EXISTS of `_latest` as a hash anti-join over every assessment for a chunk of
    2,000 cases (0.14 s against 0.07 s); over the whole table, as in `_select_review`, the
    anti-join is the faster (one step per assessment due would be ~125,000 steps)."""
    later = risk_assessments.alias("later")
    last = select(func.max(later.c.at)).where(later.c.case_id == risk_assessments.c.case_id).scalar_subquery()
    return select(risk_assessments.c.case_id, risk_assessments.c.next_review_at).where(
        among(conn, risk_assessments.c.case_id, case_ids), risk_assessments.c.at == last)


@ungated("adds worklist items only")
def _process_review(uow, ids, profiles) -> int:
    lat = _latest_of(uow.conn, ids).subquery()
    rows = uow.conn.execute(select(lat.c.case_id, lat.c.next_review_at, cases.c.coordinator)
                            .join(cases, cases.c.id == lat.c.case_id)).all()
    return add_items(uow.conn, [item(f"{r.case_id}:risk_review:{r.next_review_at.isoformat()}", r.case_id, "risk_review",
                                     r.coordinator, r.next_review_at, uow.now,
                                     f"{r.case_id}: scheduled risk review is due; ask the victim how safe they feel.")
                                for r in rows])


def _select_initial(conn, now: datetime, profiles) -> list[str]:
    if conn.dialect.name == "sqlite":
        # SQLite answers NOT IN from one pass over each index into a set, where NOT EXISTS probed both
        # indexes once per case: 0.18 -> 0.05 s at 100,000 cases. PostgreSQL keeps NOT EXISTS, its
        # anti-join (its NOT IN over a subquery is no anti-join). An item about no case is left out:
        # one NULL in a NOT IN list would make it select nothing.
        none_yet = cases.c.id.not_in(select(risk_assessments.c.case_id))
        done = cases.c.id.in_(select(worklist.c.case_id).where(worklist.c.kind == "initial_risk",
                                                               worklist.c.case_id.is_not(None)))
    else:
        none_yet = ~exists().where(risk_assessments.c.case_id == cases.c.id)
        done = exists().where(worklist.c.case_id == cases.c.id, worklist.c.kind == "initial_risk")
    q = select(cases.c.id).where(cases.c.stage != "closed", cases.c.opened_at <= now, none_yet, ~done).order_by(cases.c.id)
    return list(conn.execute(q).scalars())


@ungated("adds worklist items only")
def _process_initial(uow, ids, profiles) -> int:
    rows = uow.conn.execute(select(cases.c.id, cases.c.coordinator, cases.c.opened_at)
                            .where(among(uow.conn, cases.c.id, ids))).all()
    return add_items(uow.conn, [item(f"{r.id}:initial_risk", r.id, "initial_risk", r.coordinator, r.opened_at, uow.now,
                                     f"{r.id}: no risk assessment yet; assess with the victim (their own view counts).")
                                for r in rows])


REVIEW_DUE = FollowUp("risk_review_due", _select_review, _process_review)
INITIAL_DUE = FollowUp("risk_initial_due", _select_initial, _process_initial)


# --- release follow-up: escalate when a freed accused's victims are not yet told and reassessed (DNH-07) ---

def _select_release_escalation(conn, now: datetime, profiles) -> list[str]:
    from witness.store.tables import case_proceedings, proceeding_accused

    windows = [and_(cases.c.jurisdiction == code,
                    accused.c.custody_changed_at <= now - timedelta(minutes=p.notices.urgent_delivery_deadline_minutes))
               for code, p in profiles.items()]
    done = exists().where(worklist.c.case_id == cases.c.id, worklist.c.kind == "release_escalation",
                          worklist.c.due_at == accused.c.custody_changed_at)
    q = (select(cases.c.id).distinct()
         .join(case_proceedings, case_proceedings.c.case_id == cases.c.id)
         .join(proceeding_accused, proceeding_accused.c.proceeding_id == case_proceedings.c.proceeding_id)
         .join(accused, accused.c.id == proceeding_accused.c.accused_id)
         .where(accused.c.custody.in_(tuple(c.value for c in FREE_AGAIN)), cases.c.stage != "closed",
                accused.c.custody_changed_at > now - timedelta(days=2), or_(*windows), ~done)
         .order_by(cases.c.id))
    return list(conn.execute(q).scalars())


@gated(ActionKind.custody_followup)
def _process_release_escalation(uow, ids, profiles) -> int:
    from witness.domain.guardrails import ActionKind, Severity
    from witness.services.guardrails import case_facts_many, check

    items = []
    coordinators = {r.id: (r.coordinator, r.jurisdiction) for r in uow.conn.execute(
        select(cases.c.id, cases.c.coordinator, cases.c.jurisdiction).where(cases.c.id.in_(ids)))}
    # The chunk's facts and release times read at once, not case by case.
    known = case_facts_many(uow.conn, ids, uow.now)
    freed = _freed(uow.conn, ids)
    for case_id in ids:
        if case_id not in coordinators:
            continue
        coordinator, code = coordinators[case_id]
        deadline = profiles[code].notices.urgent_delivery_deadline_minutes
        for f in check(uow, ActionKind.custody_followup, case_id, known=known.get(case_id), deadline_minutes=deadline):
            if f.severity is Severity.escalate:
                at = freed[case_id]
                items.append(item(f"{case_id}:release_escalation:{at.isoformat()}", case_id, "release_escalation",
                                  coordinator, at, uow.now, f"URGENT {case_id}: {f.explanation}. Contact the victim now."))
    return add_items(uow.conn, items)


def _freed(conn, case_ids: list[str]) -> dict[str, datetime]:
    """When an accused in each case's proceedings was last freed."""
    from witness.store.tables import case_proceedings, proceeding_accused

    last: dict[str, datetime] = {}
    for case_id, at in conn.execute(
            select(case_proceedings.c.case_id, accused.c.custody_changed_at)
            .join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
            .join(case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
            .where(case_proceedings.c.case_id.in_(case_ids), accused.c.custody.in_(tuple(c.value for c in FREE_AGAIN)))):
        last[case_id] = max(last.get(case_id, at), at)
    return last


RELEASE_ESCALATION = FollowUp("release_escalation", _select_release_escalation, _process_release_escalation)
