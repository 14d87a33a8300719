"""What the case page summarises beside the case itself (R-112, design/web-pages.md): the latest risk
assessment (the header's level badge and the Safety section) and each claim's amounts (the
Restitution section). Each part only for a person the one need-to-know rule lets read it on this
case (risk.read, claim.read); for anyone else the part is absent, not empty, so the page does not
even say whether there is an assessment or a claim.

One audited read for both, in one transaction: the case page is the page opened all day, and the
risk and claim pages (each audited on their own) keep the full history and working.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from witness.domain.access import Actor, CaseAccess, may_act_on
from witness.domain.claim import Status, next_due_minor, overdue_minor
from witness.domain.guardrails import ungated
from witness.domain.money import Currency, Money
from witness.services.access import need_to_know
from witness.services.claims import figures_query, schedules_of
from witness.store.claim_tables import claims
from witness.store.records import case_row
from witness.store.risk_tables import risk_assessments


@ungated("a read (audited)")
def summary(app, actor: Actor, case_id: str) -> dict:
    """{"risk": latest assessment or None, "claims": [...]} — each key only where the person may read it."""
    on_case = need_to_know(app, actor, "case.read", case=case_id) or CaseAccess(case_id)
    reads_risk, reads_claims = may_act_on(actor, on_case, "risk.read"), may_act_on(actor, on_case, "claim.read")
    out: dict = {}
    if not (reads_risk or reads_claims):
        return out
    with app.uow(actor).reading() as uow:  # a read: no writer lock; audited before it is returned
        conn = uow.conn
        row = case_row(conn, case_id)
        tz = app.profile(row.jurisdiction).tz
        if reads_risk:
            r = conn.execute(select(risk_assessments).where(risk_assessments.c.case_id == case_id)
                             .order_by(risk_assessments.c.at.desc()).limit(1)).first()
            out["risk"] = None if r is None else {
                "level": r.level, "at": r.at.astimezone(tz), "next_review_at": r.next_review_at.astimezone(tz),
                "victim_fear_scale": r.victim_scale, "factors": json.loads(r.factors),
                "recommended": json.loads(r.recommended)}
        if reads_claims:
            where = claims.c.case_id == case_id
            today = uow.now.astimezone(tz).date()
            schedules = schedules_of(conn, where)
            out["claims"] = []
            for c in conn.execute(figures_query(where).order_by(claims.c.id)):
                money = _money(Currency(c.currency, c.minor_units))
                paid, sched = int(c.paid), schedules.get(c.id, [])
                late = overdue_minor(sched, paid, today)
                upcoming = next_due_minor(sched, paid, today)
                awarded = 0 if c.status == Status.rejected.value else c.awarded_minor
                out["claims"].append({
                    "claim": c.id, "status": c.status, "lawyer": c.lawyer, "calculated": money(c.calculated),
                    "demanded": money(c.demanded_minor), "awarded": money(awarded), "paid": money(paid),
                    "balance": money(int(c.awarded_minor) - paid) if c.awarded_minor is not None else None,
                    "overdue": money(sum(u for _, _, u in late)) if late else None, "next_due": upcoming and (upcoming[0], money(upcoming[1]))})
        uow.audit("case.summary", case_id, ", ".join(
            (["risk level"] if reads_risk else []) + ([f"{len(out['claims'])} claims"] if reads_claims else [])))
        uow.commit()
    return out


def _money(currency: Currency):
    return lambda minor: Money.from_minor(int(minor), currency) if minor is not None else None
