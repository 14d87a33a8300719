"""Reading a case (with need-to-know) and moving it between stages (R-20, R-21, R-70)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import exists, func, insert, select, update

from witness.domain.access import NOT_BOUND_TO_CASES, PERMISSIONS, Actor, CaseAccess, identity_fields, may_act_on
from witness.domain.risk_level import Level
from witness.domain.stage import Stage, check_transition, parse_stage
from witness.domain.guardrails import ActionKind
from witness.errors import ActionBlocked, InputProblems
from witness.services.events import publish
from witness.services.access import allowed_cases, need_to_know
from witness.services.guardrails import enforce, gated, ungated
from witness.store.records import case_row, consents_of, named_case_ids, reflection_of
from witness.store.risk_tables import risk_assessments
from witness.store.tables import (accused, appointments, case_proceedings, cases, identities, proceeding_accused,
                                  proceedings, relationships, services, stage_history)


@ungated("a read (audited)")
def show(app, actor: Actor, case_id: str, with_identity: bool = True) -> dict:
    """The case as this actor may see it. Identity fields appear only for need-to-know roles, and
    reading them is audited in the same transaction. `with_identity=False` leaves them out (the web
    page shows identity only when asked, so only then is a reading recorded)."""
    on_case = need_to_know(app, actor, "case.read", case=case_id) or CaseAccess(case_id)
    with app.uow(actor).reading() as uow:  # the reading is audited before the view is returned
        conn, cipher, now = uow.conn, uow.cipher, uow.now
        row = case_row(conn, case_id)
        tz = app.zone(row.jurisdiction)
        local = lambda t: t.astimezone(tz).isoformat() if t else None  # noqa: E731 — people read local time (R-14)
        period = reflection_of(row)
        view: dict = {
            "case": row.id, "jurisdiction": row.jurisdiction, "time_zone": tz.key,
            "coordinator": row.coordinator, "stage": row.stage, "opened_at": local(row.opened_at),
            "age_status": row.age_status, "gender": row.gender, "nationality": row.nationality,
            "preferred_language": row.preferred_language, "escort_gender_preference": row.escort_gender_preference,
            "safe_channels": [c for c in row.safe_channels.split(",") if c],
            "reflection": {"ends_at": local(period.ends_at), "running": period.is_running(now),
                           "max_ends_at": local(period.max_ends_at), "decision": row.decision,
                           "decided_at": local(row.decided_at)},
        }
        view["proceedings"] = [
            {"docket": p.docket, "court": p.court, "prosecutor": p.prosecutor, "accused": [
                {"label": a.label, "custody": a.custody, "relationship": a.relationship}
                for a in conn.execute(select(accused.c.label, accused.c.custody, relationships.c.relationship)
                                      .join(relationships, relationships.c.accused_id == accused.c.id)
                                      .join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
                                      .where(relationships.c.case_id == case_id, proceeding_accused.c.proceeding_id == p.id)
                                      .order_by(accused.c.label))]}
            for p in conn.execute(select(proceedings).join(case_proceedings)
                                  .where(case_proceedings.c.case_id == case_id).order_by(proceedings.c.docket))]
        view["consents"] = [{"scope": c.scope, "active": c.active_at(now), "given_at": local(c.given_at),
                             "withdrawn_at": local(c.withdrawn_at), "method": c.method.value,
                             "language": c.language, "interpreter": c.interpreter,
                             "guardian_agreed": c.guardian_agreed}
                            for c in consents_of(conn, case_id)]
        view["services"] = [{"kind": s.kind, "status": s.status, "since": local(s.started_at),
                             "ended_at": local(s.ended_at), "end_reason": s.end_reason}
                            for s in conn.execute(select(services).where(services.c.case_id == case_id)
                                                  .order_by(services.c.started_at, services.c.kind))]
        view["appointments"] = [{"id": a.id, "kind": a.kind, "at": local(a.at), "status": a.status,
                                 "cancel_reason": a.cancel_reason}
                                for a in conn.execute(select(appointments).where(appointments.c.case_id == case_id)
                                                      .order_by(appointments.c.at))]
        fields = identity_fields(actor, on_case)
        history = conn.execute(select(stage_history).where(stage_history.c.case_id == case_id)
                               .order_by(stage_history.c.id)).all()
        view["stage_history"] = [
            {"from": h.from_stage, "to": h.to_stage, "at": local(h.at), "by": f"{h.actor}:{h.role}",
             # Reasons are free text and may name people: only need-to-know roles read them.
             **({"reason": cipher.decrypt("stage_history", "reason", case_id, h.reason)} if fields else {})}
            for h in history]
        if fields and with_identity:
            ident = conn.execute(select(identities).where(identities.c.case_id == case_id)).first()
            identity = {}
            for f in sorted(fields):
                value = cipher.decrypt("identities", f, case_id, getattr(ident, f))
                identity[f] = json.loads(value) if f == "aliases" and value else value
            view["identity"] = identity
            uow.audit("identity.read", case_id, "fields: " + ",".join(sorted(fields)))
        else:
            uow.audit("case.read", case_id, "pseudonymised view")
        uow.commit()
    return view


@ungated("a read (audited)")
def list_cases(app, actor: Actor, stage: str | None = None, offset: int = 0, limit: int | None = None, *,
               risk: str | None = None, jurisdiction: str | None = None) -> list[dict]:
    return page_of_cases(app, actor, stage, offset, limit, risk=risk, jurisdiction=jurisdiction).rows


@dataclass(frozen=True)
class CasePage:
    rows: list[dict]  # pseudonyms and case facts only
    total: int  # every case this actor may see (with the filters), not only this page's


# A case's risk level is its latest assessment's; a case not assessed yet has none.
UNASSESSED = "unassessed"
RISK_FILTERS = [lv.value for lv in Level] + [UNASSESSED]


def _latest_assessment():
    """The case's latest assessment row (no later one for the case), answered from the (case_id, at)
    index case by case."""
    later = risk_assessments.alias("later")
    return ~exists().where(later.c.case_id == risk_assessments.c.case_id, later.c.at > risk_assessments.c.at)


_RISK_LEVEL = (select(risk_assessments.c.level).where(risk_assessments.c.case_id == cases.c.id)
               .order_by(risk_assessments.c.at.desc(), risk_assessments.c.id.desc()).limit(1)
               .correlate(cases).scalar_subquery().label("risk_level"))
_LIST_COLUMNS = (cases.c.id, cases.c.jurisdiction, cases.c.stage, cases.c.coordinator, cases.c.age_status,
                 cases.c.reflection_ends_at)


def reads_risk(actor: Actor) -> bool:
    """Whether the list shows (and filters by) risk levels for this person: only for the roles that
    read risk assessments (risk.read), as on the case page. A risk level says how much danger the
    victim is in; a legal-aid lawyer or an auditor has no need to know it."""
    return actor.role in PERMISSIONS["risk.read"]


def _filters(app, actor: Actor, stage: str | None, risk: str | None, jurisdiction: str | None) -> list:
    """The WHERE clauses of the list's filters; codes only, never a name. An unknown code is refused
    (InputProblems, field by field) rather than answered with an empty list that looks like no case."""
    where = [cases.c.stage == parse_stage(stage).value] if stage else []
    problems = []
    if jurisdiction:
        if jurisdiction not in app.profiles:
            problems.append(("jurisdiction", "use one of " + ", ".join(sorted(app.profiles))))
        where.append(cases.c.jurisdiction == jurisdiction)
    if risk and not reads_risk(actor):
        problems.append(("risk", f"a {actor.role.value} does not read risk levels"))
    elif risk:
        if risk not in RISK_FILTERS:
            problems.append(("risk", "use one of " + ", ".join(RISK_FILTERS)))
        assessed = exists().where(risk_assessments.c.case_id == cases.c.id)
        where.append(~assessed if risk == UNASSESSED else
                     assessed.where(risk_assessments.c.level == risk, _latest_assessment()))
    if problems:
        raise InputProblems(problems)
    return where


@ungated("a read (audited)")
def page_of_cases(app, actor: Actor, stage: str | None = None, offset: int = 0, limit: int | None = None, *,
                  risk: str | None = None, jurisdiction: str | None = None) -> CasePage:
    """The cases `actor` may see in opening order, `limit` of them from `offset`, and their total.
    Filters (each optional, all codes): `stage`, `risk` (the latest assessment's level, or
    "unassessed") and `jurisdiction`. For the roles that read risk (`reads_risk`) each row has the
    case's `risk_level` (None before the first assessment); for the others the key is absent and the
    risk filter refused. Paged in SQL: a role that sees every case reads one page and a count; a role bound
    to its cases reads the ids of the cases it is named on (records.named_case_ids), keeps those the
    one need-to-know rule allows, and reads the rows of one page only."""
    need_to_know(app, actor, "case.list")
    offset = max(0, offset)
    where = _filters(app, actor, stage, risk, jurisdiction)
    columns = _LIST_COLUMNS + ((_RISK_LEVEL,) if reads_risk(actor) else ())
    with app.uow(actor).reading() as uow:
        conn = uow.conn
        order = (cases.c.opened_at, cases.c.id)
        if actor.role in NOT_BOUND_TO_CASES:
            sees = may_act_on(actor, None, "case.read")
            total = conn.execute(select(func.count()).select_from(cases).where(*where)).scalar() if sees else 0
            q = select(*columns).where(*where).order_by(*order).offset(offset).limit(limit)
            rows = [dict(r._mapping) for r in conn.execute(q)] if sees else []
        else:
            ids = list(conn.execute(select(cases.c.id).where(cases.c.id.in_(named_case_ids(actor.user, actor.role)), *where)
                                    .order_by(*order)).scalars())
            mine = allowed_cases(conn, actor, "case.read", ids)
            ids = [i for i in ids if i in mine]
            total, page = len(ids), ids[offset:None if limit is None else offset + limit]
            found = {}
            for i in range(0, len(page), 500):  # bounded IN lists (a page is 50; the command line reads all)
                found.update((r.id, dict(r._mapping)) for r in conn.execute(
                    select(*columns).where(cases.c.id.in_(page[i:i + 500]))))
            rows = [found[i] for i in page]
        uow.audit("case.list", "*", f"{len(rows)} of {total} cases listed (pseudonyms only)")
        uow.commit()
    return CasePage(rows, total)


@gated(ActionKind.stage_change)
def change_stage(app, actor: Actor, case_id: str, target_name: str, reason: str,
                 overrides: dict[str, str] | None = None) -> dict:
    from witness.domain.events import StageChanged  # here: reading a case need not build the event classes

    need_to_know(app, actor, "case.stage", case=case_id)
    target = parse_stage(target_name)
    if not reason or not reason.strip():
        raise ActionBlocked("reason: every stage change needs a reason (R-20)")
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        row = case_row(conn, case_id, lock=True)
        # The transition is the stage machine's; the reflection period, the victim's decision,
        # consent and unresolved claims are the Do No Harm engine's (DNH-01, DNH-13, DNH-14), so
        # `witness check` says the same.
        check_transition(Stage(row.stage), target)
        enforce(uow, ActionKind.stage_change, case_id, overrides, target=target.value)
        record_stage(uow, case_id, row.stage, target, reason.strip())
        publish(uow, StageChanged(case_ids=[case_id], from_stage=row.stage, to_stage=target.value))
        uow.audit("case.stage", case_id, f"{row.stage} -> {target.value}")
        uow.commit()
    return {"case": case_id, "from": row.stage, "to": target.value}


def record_stage(uow, case_id: str, from_stage: str, target: Stage, reason: str) -> None:
    """A transition is a new history row plus the current stage; withdrawal never touches services (R-23)."""
    uow.conn.execute(update(cases).where(cases.c.id == case_id).values(stage=target.value, updated_at=uow.now))
    uow.conn.execute(insert(stage_history).values(
        case_id=case_id, from_stage=from_stage, to_stage=target.value, at=uow.now, actor=uow.actor.user,
        role=uow.actor.role.value, reason=uow.cipher.encrypt("stage_history", "reason", case_id, reason)))
