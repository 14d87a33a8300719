"""The sweep's follow-ups for restitution claims (R-94, issue 7 §4): post-judgment filing deadlines
approaching, instalments overdue, awards with nothing paid. Each becomes a worklist item for the
legal-aid lawyer who owns the claim, on the right calendar day in the jurisdiction's time zone, once:
keys are deterministic and every selection leaves out the keys already on the worklist.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select

from witness.domain.guardrails import ungated
from witness.domain.claim import (DEADLINE_WARNING_DAYS, ENFORCING, NO_PAYMENT_FOLLOW_UP_DAYS, Status, filing_deadline,
                                  local_day_start, local_today)
from witness.domain.money import Currency, Money
from witness.services.sweep import FollowUp
from witness.services.worklist import add_items, item
from witness.store.claim_tables import claim_instalments, claim_payments, claims
from witness.store.dialects import among, parts
from witness.store.tables import worklist


def _existing(conn, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for part in parts(conn, keys, 2000):
        found |= set(conn.execute(select(worklist.c.key).where(among(conn, worklist.c.key, part))).scalars())
    return found


def _unhandled(conn, due: list[dict]) -> list[dict]:
    existing = _existing(conn, [d["key"] for d in due])
    return [d for d in due if d["key"] not in existing]


def _only(q, case_ids):
    return q.where(claims.c.case_id.in_(case_ids)) if case_ids is not None else q


def _deadline_items(conn, now: datetime, profiles, case_ids=None) -> list[dict]:
    """Unfiled claims whose post-judgment deadline is DEADLINE_WARNING_DAYS away or less — judged
    by the calendar day in the jurisdiction, so the item appears on the right local day."""
    windows = []
    for code, p in profiles.items():
        days = p.restitution.post_judgment_deadline_days
        if days:
            last_judgment = local_today(now, p.tz) + timedelta(days=DEADLINE_WARNING_DAYS - days)
            windows.append(and_(claims.c.jurisdiction == code, claims.c.judgment_date <= last_judgment))
    if not windows:
        return []
    q = _only(select(claims.c.id, claims.c.case_id, claims.c.jurisdiction, claims.c.lawyer, claims.c.judgment_date)
              .where(claims.c.status == Status.drafting.value, claims.c.judgment_date.is_not(None), or_(*windows)),
              case_ids)
    out = []
    for r in conn.execute(q.order_by(claims.c.judgment_date, claims.c.id)):
        p = profiles[r.jurisdiction]
        deadline = filing_deadline(r.judgment_date, p.restitution.post_judgment_deadline_days)
        left = (deadline - local_today(now, p.tz)).days
        when = f"in {left} day(s)" if left > 0 else "today" if left == 0 else f"{-left} day(s) ago"
        out.append(item(f"{r.id}:claim_filing_deadline:{deadline.isoformat()}", r.case_id, "claim_filing_deadline",
                        r.lawyer, local_day_start(deadline, p.tz), now,
                        f"{r.case_id}: claim {r.id} is not filed; the post-judgment deadline is {deadline.isoformat()} "
                        f"({when}; {p.restitution.post_judgment_deadline_days} days after the judgment of "
                        f"{r.judgment_date.isoformat()}, {p.time_zone}). File it, with the rationale for intangible harm."))
    return _unhandled(conn, out)


def _overdue_instalments(now: datetime, profiles, case_ids=None):
    """Every overdue instalment not yet on the worklist, in one statement (the rule of
    domain.claim.overdue_minor in SQL): payments cover the earliest instalments first, so instalment
    n is overdue when it fell due before today (the jurisdiction's calendar day) and the running
    total of the schedule up to n exceeds what was paid. The worklist key is built in SQL too, so a
    handled instalment is left out by the unique index instead of by loading every key."""
    paid = (select(claim_payments.c.claim_id, func.sum(claim_payments.c.amount_minor).label("paid"))
            .group_by(claim_payments.c.claim_id).subquery())
    sched = _only(select(claims.c.id.label("claim_id"), claims.c.case_id, claims.c.jurisdiction, claims.c.lawyer,
                         claims.c.currency, claims.c.minor_units, claim_instalments.c.due_on,
                         claim_instalments.c.amount_minor,
                         func.row_number().over(partition_by=claim_instalments.c.claim_id,
                                                order_by=claim_instalments.c.seq).label("n"),
                         func.sum(claim_instalments.c.amount_minor).over(
                             partition_by=claim_instalments.c.claim_id, order_by=claim_instalments.c.seq,
                             rows=(None, 0)).label("cumulative"))
                  .join(claim_instalments, claim_instalments.c.claim_id == claims.c.id)
                  .where(claims.c.status.in_([s.value for s in ENFORCING])), case_ids).subquery()
    windows = [and_(sched.c.jurisdiction == code, sched.c.due_on < local_today(now, p.tz)) for code, p in profiles.items()]
    key = (sched.c.claim_id + literal(":claim_instalment_overdue:") + cast(sched.c.n, String) + literal(":")
           + cast(sched.c.due_on, String))
    handled = exists().where(worklist.c.key == key)
    covered = func.coalesce(paid.c.paid, 0)
    return (select(sched, covered.label("paid"), key.label("key"))
            .outerjoin(paid, paid.c.claim_id == sched.c.claim_id)
            .where(or_(*windows), sched.c.cumulative > covered, ~handled)
            .order_by(sched.c.claim_id, sched.c.n))


def _instalment_items(conn, now: datetime, profiles, case_ids=None) -> list[dict]:
    """Instalments past their due date (local calendar) and not covered by the payments."""
    out = []
    for r in conn.execute(_overdue_instalments(now, profiles, case_ids)):
        p = profiles[r.jurisdiction]
        cur = Currency(r.currency, r.minor_units)
        unpaid = min(int(r.amount_minor), int(r.cumulative) - int(r.paid))
        due_on = r.due_on if isinstance(r.due_on, date) else date.fromisoformat(r.due_on)
        out.append(item(f"{r.claim_id}:claim_instalment_overdue:{r.n}:{due_on.isoformat()}", r.case_id,
                        "claim_instalment_overdue", r.lawyer, local_day_start(due_on + timedelta(days=1), p.tz), now,
                        f"{r.case_id}: claim {r.claim_id}, instalment {r.n} due {due_on.isoformat()} is overdue: "
                        f"{Money.from_minor(unpaid, cur)} unpaid. Ask the prosecutor about enforcement and tell "
                        "the victim what it means; record payments as they arrive."))
    return out


def _select_overdue(conn, now: datetime, profiles) -> list[str]:
    q = _overdue_instalments(now, profiles).subquery()
    return list(conn.execute(select(q.c.case_id).distinct().order_by(q.c.case_id)).scalars())


def _no_payment_days(profile) -> int:
    return getattr(profile.restitution, "no_payment_follow_up_days", None) or NO_PAYMENT_FOLLOW_UP_DAYS


def _unpaid_award_items(conn, now: datetime, profiles, case_ids=None) -> list[dict]:
    """Awards with no payment at all, the profile's period (default 30 days) after the order."""
    windows = [and_(claims.c.jurisdiction == code,
                    claims.c.order_date <= local_today(now, p.tz) - timedelta(days=_no_payment_days(p)))
               for code, p in profiles.items()]
    q = _only(select(claims.c.id, claims.c.case_id, claims.c.jurisdiction, claims.c.lawyer, claims.c.order_date,
                     claims.c.awarded_minor, claims.c.currency, claims.c.minor_units)
              .where(claims.c.status == Status.awarded.value, or_(*windows)), case_ids)
    out = []
    for r in conn.execute(q.order_by(claims.c.order_date, claims.c.id)):
        p = profiles[r.jurisdiction]
        days = _no_payment_days(p)
        fund = f" or the {p.restitution.state_fund.name}" if p.restitution.state_fund else ""
        out.append(item(f"{r.id}:claim_award_unpaid:{r.order_date.isoformat()}", r.case_id, "claim_award_unpaid",
                        r.lawyer, local_day_start(r.order_date + timedelta(days=days), p.tz), now,
                        f"{r.case_id}: claim {r.id} was awarded {Money.from_minor(r.awarded_minor, Currency(r.currency, r.minor_units))} "
                        f"on {r.order_date.isoformat()} and nothing has been paid in {days} days. Consider enforcement, "
                        f"substitution{fund}; keep the victim informed."))
    return _unhandled(conn, out)


def _follow_up(name: str, due, select_ids=None):
    def select_(conn, now, profiles) -> list[str]:
        if select_ids is not None:
            return select_ids(conn, now, profiles)
        return sorted({d["case_id"] for d in due(conn, now, profiles)})

    @ungated("adds worklist items only")
    def process(uow, ids, profiles) -> int:
        return add_items(uow.conn, due(uow.conn, uow.now, profiles, ids))

    return FollowUp(name, select_, process)


FILING_DEADLINE = _follow_up("claim_filing_deadline", _deadline_items)
INSTALMENT_OVERDUE = _follow_up("claim_instalment_overdue", _instalment_items, _select_overdue)
AWARD_UNPAID = _follow_up("claim_award_unpaid", _unpaid_award_items)
