"""Every dated obligation a person has on their cases (R-114), for their calendar feed: read with
the person's own need to know (the cases they are named on, kept by the one rule), in one unit of
work, audited once. What each kind means and who keeps which is witness/domain/obligation.py."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, bindparam, func, select

from witness.domain.access import Actor, Role
from witness.domain.claim import ENFORCING, Status, filing_deadline, overdue_minor
from witness.domain.guardrails import ungated
from witness.domain.hearing import HearingStatus
from witness.domain.obligation import KEEP_PAST, Obligation, kinds_for
from witness.domain.protection import MeasureStatus
from witness.domain.stage import Stage
from witness.services.access import allowed_cases
from witness.services.claims import figures_query, schedules_of
from witness.store.claim_tables import claims
from witness.store.hearing_tables import hearings, measures
from witness.store.records import named_case_ids
from witness.store.risk_tables import risk_assessments, risk_reviews_due
from witness.store.tables import appointments, cases

_CHUNK = 500  # bounded IN lists


@ungated("a read (audited)")
def of(app, actor: Actor) -> list[Obligation]:
    """The person's obligations from a week ago on, in date order. Empty for a role that keeps none."""
    kinds = kinds_for(actor.role)
    if not kinds:
        return []
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        named = list(conn.execute(select(cases.c.id).where(cases.c.id.in_(named_case_ids(actor.user, actor.role)))).scalars())
        mine = sorted(allowed_cases(conn, actor, "case.read", named))
        out: list[Obligation] = []
        for i in range(0, len(mine), _CHUNK):
            out += _read(conn, app.profiles, actor.user if actor.role is Role.legal_aid else None, kinds,
                         mine[i:i + _CHUNK], now)
        out.sort(key=lambda o: (_instant(o), o.kind, o.key))
        uow.audit("calendar.obligations", actor.user, f"{len(out)} dated obligations on {len(mine)} cases")
        uow.commit()
    return out


def _instant(o: Obligation) -> datetime:
    from zoneinfo import ZoneInfo

    return o.at if o.at is not None else datetime.combine(o.on, time(0), ZoneInfo(o.tz))


# of_victim's statements, built once: a calendar app polls the victim's feed (dialects.select_for).
_AGREED_APPOINTMENTS = select(appointments.c.id, appointments.c.at, appointments.c.kind).where(
    appointments.c.case_id == bindparam("case_id"), appointments.c.status == "scheduled",
    appointments.c.at >= bindparam("since"))
_A_CLAIM_ENFORCED = select(claims.c.id).where(claims.c.case_id == bindparam("case_id"),
                                              claims.c.status.in_([s.value for s in ENFORCING])).limit(1)


def of_victim(conn, profiles, row, now: datetime) -> list[Obligation]:
    """The victim's own dated obligations besides hearings (R-114): the appointments they agreed to,
    the end of their reflection period, the instalments of their restitution. `row` is the case row
    the victim's feed has already read (calendar_feeds.export: need to know and the gate checked);
    this reads only what the row does not hold — one query, two more when a claim is being enforced
    (a victim's feed is exported often: issue 16, item 5)."""
    since, tz = now - KEEP_PAST, profiles[row.jurisdiction].time_zone
    out: list[Obligation] = []
    if row.stage == Stage.reflection.value and row.decided_at is None and row.reflection_ends_at >= since:
        out.append(Obligation("reflection_end", row.id, row.id, tz, at=row.reflection_ends_at))
    for r in conn.execute(_AGREED_APPOINTMENTS, {"case_id": row.id, "since": since}):
        out.append(Obligation("appointment", r.id, row.id, tz, at=r.at, detail=r.kind.replace("_", " ")))
    if conn.execute(_A_CLAIM_ENFORCED, {"case_id": row.id}).first() is not None:
        out += [o for o in _read(conn, profiles, None, frozenset({"instalment"}), [row.id], now)]
    out.sort(key=lambda o: (_instant(o), o.kind, o.key))
    return out


def _read(conn, profiles, lawyer: str | None, kinds: frozenset[str], ids: list[str], now: datetime) -> list[Obligation]:
    """`lawyer`: only the claims that lawyer pursues (a legal-aid feed); None: every claim of the cases."""
    since = now - KEEP_PAST
    zone = {r.id: profiles[r.jurisdiction].time_zone
            for r in conn.execute(select(cases.c.id, cases.c.jurisdiction).where(cases.c.id.in_(ids)))}
    out: list[Obligation] = []
    if "reflection_end" in kinds:
        # Only while the victim has not decided: a decision ends the period, whether or not the sweep ran.
        for r in conn.execute(select(cases.c.id, cases.c.reflection_ends_at).where(
                cases.c.id.in_(ids), cases.c.stage == Stage.reflection.value, cases.c.decided_at.is_(None),
                cases.c.reflection_ends_at >= since)):
            out.append(Obligation("reflection_end", r.id, r.id, zone[r.id], at=r.reflection_ends_at))
    if "risk_review" in kinds:
        # The next review the latest assessment set, and a reassessment an event made due at once.
        latest = (select(risk_assessments.c.case_id, func.max(risk_assessments.c.at).label("at"))
                  .where(risk_assessments.c.case_id.in_(ids)).group_by(risk_assessments.c.case_id).subquery())
        for r in conn.execute(select(risk_assessments.c.case_id, risk_assessments.c.next_review_at)
                              .join(latest, and_(latest.c.case_id == risk_assessments.c.case_id,
                                                 latest.c.at == risk_assessments.c.at))
                              .where(risk_assessments.c.next_review_at >= since)):
            out.append(Obligation("risk_review", r.case_id, r.case_id, zone[r.case_id], at=r.next_review_at))
        for r in conn.execute(select(risk_reviews_due).where(risk_reviews_due.c.case_id.in_(ids),
                                                            risk_reviews_due.c.due_at >= since)):
            out.append(Obligation("risk_review", f"{r.case_id}:{r.trigger}", r.case_id, zone[r.case_id], at=r.due_at))
    if "appointment" in kinds:
        for r in conn.execute(select(appointments).where(appointments.c.case_id.in_(ids), appointments.c.status == "scheduled",
                                                        appointments.c.at >= since)):
            out.append(Obligation("appointment", r.id, r.case_id, zone[r.case_id], at=r.at,
                                  detail=r.kind.replace("_", " ")))
    if "measure_deadline" in kinds:
        live = (HearingStatus.scheduled.value, HearingStatus.moved.value)
        for r in conn.execute(select(measures.c.id, measures.c.case_id, measures.c.kind, measures.c.hearing_id,
                                     measures.c.request_by)
                              .join(hearings, hearings.c.id == measures.c.hearing_id)
                              .where(measures.c.case_id.in_(ids), measures.c.status == MeasureStatus.recommended.value,
                                     measures.c.request_by >= since, hearings.c.status.in_(live))):
            out.append(Obligation("measure_deadline", r.id, r.case_id, zone[r.case_id], at=r.request_by,
                                  detail=f"{r.kind.replace('_', ' ')}, hearing {r.hearing_id}"))
    if kinds & {"claim_deadline", "instalment"}:
        # A lawyer keeps the claims they pursue; a coordinator follows every claim on their cases.
        where = claims.c.case_id.in_(ids)
        if lawyer is not None:
            where = where & (claims.c.lawyer == lawyer)
        if "claim_deadline" in kinds:
            for r in conn.execute(select(claims.c.id, claims.c.case_id, claims.c.jurisdiction, claims.c.judgment_date)
                                  .where(where, claims.c.status == Status.drafting.value,
                                         claims.c.judgment_date.is_not(None))):
                days = profiles[r.jurisdiction].restitution.post_judgment_deadline_days
                if days:
                    deadline = filing_deadline(r.judgment_date, days)
                    if deadline >= since.date():
                        out.append(Obligation("claim_deadline", r.id, r.case_id, zone[r.case_id], on=deadline))
        if "instalment" in kinds:
            enforcing = where & claims.c.status.in_([s.value for s in ENFORCING])
            schedules = schedules_of(conn, enforcing)
            for r in conn.execute(figures_query(enforcing)):
                # Payments go to the earliest instalment first (the claims' own rule): with no end
                # date, overdue_minor lists every instalment not yet covered.
                for n, due_on, _ in overdue_minor(schedules.get(r.id, []), int(r.paid), date.max):
                    if due_on >= since.date():
                        out.append(Obligation("instalment", f"{r.id}#{n}", r.case_id, zone[r.case_id], on=due_on))
    return out
