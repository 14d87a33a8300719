"""Restitution and compensation claims (R-90…R-94): one function per action, each one transaction
with its audit row; the portfolio and caseload reports; the facts the guardrails read
(a pending claim, DNH-11; no closing with a claim unresolved, DNH-14). The sweep's follow-ups are in
claim_follow_ups.py.

The legal-aid lawyer owns a claim: only they change it (the prosecutor may record the demand).
Free text is encrypted and shown only to the owner and the case's coordinator.
"""
from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, insert, select, update

from witness.domain.access import Actor, CaseAccess, Role, may_act_on
from witness.domain.claim import (ENFORCING, LABELS, RESOLUTIONS, UNRESOLVED, Award, Category, Claim, ClaimFigures,
                                  Computation, EvidenceRef, Instalment, Item, Note, Payer, Payment, PaymentReference,
                                  RatePer, Reason, Situation, Status, advice, basis_of, check_transition, date_given,
                                  filing_deadline, local_today, lost_earnings, make_award, new_claim_id, next_due_minor,
                                  overdue_minor, parse_category, parse_status, shortfall_report, text_given,
                                  unpaid_wages)
from witness.domain.fields import UserId, problem
from witness.domain.money import Currency, Money
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import IllegalTransition, InputProblems, NotFound
from witness.domain.guardrails import ActionKind
from witness.domain.events import RestitutionAwarded, RestitutionPaid
from witness.services.events import publish
from witness.services.access import need_to_know
from witness.services.guardrails import enforce, gated, ungated
from witness.store.claim_tables import claim_instalments, claim_items, claim_payments, claims
from witness.store.records import case_row
from witness.store.risk_tables import case_flags
from witness.store.tables import worklist
from witness.store.dialects import select_for

def _date(value, field: str) -> date | None:
    return date_given(value, field)  # YYYY-MM-DD only (not 20260115), 1900-2199


def _not_future(d: date | None, today: date, field: str) -> None:
    if d is not None and d > today:
        raise InputProblems([(field, f"{d.isoformat()} is in the future (today is {today.isoformat()} in the jurisdiction)")])


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- reading claims back ------------------------------------------------------------------------


def _claim_row(conn, claim_id: str, lock: bool = False):
    q = select(claims).where(claims.c.id == claim_id)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFound(f"claim: no claim {claim_id!r}")
    return row


def _currency(row) -> Currency:
    return Currency(row.currency, row.minor_units)


def _load(conn, cipher, row, decrypt: bool) -> Claim:
    cur = _currency(row)
    dec = (lambda table, col, rid, v: cipher.decrypt(table, col, rid, v)) if decrypt else (lambda *a: None)
    items = tuple(
        Item(Category(r.category), Money.from_minor(r.amount_minor, cur), dec("claim_items", "evidence", r.id, r.evidence),
             dec("claim_items", "note", r.id, r.note), tuple(json.loads(r.working)))
        for r in conn.execute(select(claim_items).where(claim_items.c.claim_id == row.id).order_by(claim_items.c.seq)))
    award = None
    if row.awarded_minor is not None:
        schedule = tuple(Instalment(r.due_on, Money.from_minor(r.amount_minor, cur)) for r in conn.execute(
            select(claim_instalments).where(claim_instalments.c.claim_id == row.id).order_by(claim_instalments.c.seq)))
        award = Award(Money.from_minor(row.awarded_minor, cur), row.order_date,
                      dec("claims", "payer", row.id, row.payer), schedule)
    payments = tuple(
        Payment(r.paid_on, Money.from_minor(r.amount_minor, cur), dec("claim_payments", "reference", r.id, r.reference))
        for r in conn.execute(select(claim_payments).where(claim_payments.c.claim_id == row.id)
                              .order_by(claim_payments.c.paid_on, claim_payments.c.recorded_at)))
    demanded = Money.from_minor(row.demanded_minor, cur) if row.demanded_minor is not None else None
    return Claim(row.id, row.case_id, row.jurisdiction, cur, Status(row.status), row.lawyer, items, demanded, award,
                 payments, row.judgment_date, row.filed_on)


def _open_flags(conn, case_id: str) -> set[str]:
    """Facts reported on the case (risk area): settlement pressure, a stay-until-resolved note..."""
    return set(conn.execute(select(case_flags.c.flag).where(case_flags.c.case_id == case_id,
                                                            case_flags.c.resolved_at.is_(None))).scalars())


def _touch(uow, claim_id: str, **values) -> None:
    uow.conn.execute(update(claims).where(claims.c.id == claim_id).values(updated_at=uow.now, **values))


def _close_items(uow, prefix: str) -> None:
    """The lawyer acted: open follow-ups of this occasion are done."""
    uow.conn.execute(update(worklist).where(worklist.c.key.startswith(prefix, autoescape=True), worklist.c.done_at.is_(None))
                     .values(done_at=uow.now, done_by=uow.actor.user))


# --- use cases ----------------------------------------------------------------------------------


@gated(ActionKind.open_claim)
def new(app, actor: Actor, case_id: str, judgment_date=None, note: str | None = None) -> dict:
    """Start a claim for a case, in the jurisdiction's currency, owned by the acting lawyer.

    A (presumed) child's claim needs the guardian recorded on the case: the guardian acts for the
    child (R-15). Returns the claim id and the legal basis (R-93)."""
    need_to_know(app, actor, "claim.write", case=case_id)  # a lawyer assigned to the case
    note = text_given(note, Note, "note")
    with app.uow(actor) as uow:
        conn = uow.conn
        case = case_row(conn, case_id, lock=True)
        profile = app.profile(case.jurisdiction)
        today = local_today(uow.now, profile.tz)
        judgment = _date(judgment_date, "judgment_date")
        _not_future(judgment, today, "judgment_date")
        child = presumed_child(AgeStatus(case.age_status))
        enforce(uow, ActionKind.open_claim, case_id)  # a child's claim needs a guardian to act for them (DNH-04)
        claim_id = new_claim_id()
        while conn.execute(select(claims.c.id).where(claims.c.id == claim_id)).first():
            claim_id = new_claim_id()
        cur = Currency.of(profile.currency)
        conn.execute(insert(claims).values(
            id=claim_id, case_id=case_id, jurisdiction=case.jurisdiction, currency=cur.code, minor_units=cur.minor_units,
            lawyer=actor.user, status=Status.drafting.value, guardian_acts=child, judgment_date=judgment,
            note=uow.cipher.encrypt("claims", "note", claim_id, _text(note), owner=case_id),
            created_at=uow.now, created_by=actor.user, updated_at=uow.now))
        uow.audit("claim.new", claim_id, f"claim for {case_id} in {case.jurisdiction} ({cur.code})")
        uow.commit()
    basis = basis_of(profile)
    return {"claim": claim_id, "case": case_id, "jurisdiction": case.jurisdiction, "currency": cur.code,
            "guardian_acts": child, "basis": basis.__dict__ | {"covers": list(basis.covers),
                                                              "alternatives": list(basis.alternatives)}}


def _add(app, actor: Actor, claim_id: str, category: Category, compute, evidence: str | None, note: str | None) -> dict:
    need_to_know(app, actor, "claim.write", claim=claim_id)
    evidence, note = text_given(evidence, EvidenceRef, "evidence"), text_given(note, Note, "note")
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _claim_row(conn, claim_id, lock=True)
        if row.status != Status.drafting.value:
            raise IllegalTransition(f"status: {claim_id} is {row.status}; items are added while drafting (a filed "
                                    "claim is what the court has)")
        result: Computation = compute(_currency(row))
        seq = (conn.execute(select(func.max(claim_items.c.seq)).where(claim_items.c.claim_id == claim_id)).scalar() or 0) + 1
        iid = str(uuid.uuid4())
        enc = lambda col, v: uow.cipher.encrypt("claim_items", col, iid, _text(v), owner=row.case_id)  # noqa: E731
        conn.execute(insert(claim_items).values(
            id=iid, claim_id=claim_id, seq=seq, category=category.value, amount_minor=result.amount.minor,
            working=json.dumps(list(result.working), ensure_ascii=False), evidence=enc("evidence", evidence),
            note=enc("note", note), added_at=uow.now, added_by=actor.user))
        _touch(uow, claim_id)
        uow.audit("claim.item", claim_id, f"item {seq}: {category.value} {result.amount}")
        uow.commit()
    return {"claim": claim_id, "item": seq, "category": category.value, "amount": result.amount,
            "working": list(result.working)}


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def add_item(app, actor: Actor, claim_id: str, category: str, amount, evidence: str | None = None,
             note: str | None = None) -> dict:
    """An item whose amount the lawyer states (with the evidence reference and a note)."""
    cat = parse_category(category)
    return _add(app, actor, claim_id, cat, lambda cur: Computation(Money.parse(amount, cur), ()), evidence, note)


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def add_unpaid_wages(app, actor: Actor, claim_id: str, start, end, rate, per: str = "month", less_paid=None,
                     evidence: str | None = None, note: str | None = None) -> dict:
    """Unpaid wages from the period worked and the agreed rate; the item keeps the working."""
    try:
        period = RatePer(per)
    except ValueError:
        raise InputProblems([("per", f"use one of {', '.join(p.value for p in RatePer)}")]) from None
    s, e = _date(start, "from"), _date(end, "to")
    if s is None or e is None:
        raise InputProblems([("from" if s is None else "to", "required")])

    def compute(cur: Currency) -> Computation:
        paid = Money.parse(less_paid, cur, "less_paid", allow_zero=True) if less_paid is not None else None
        return unpaid_wages(s, e, Money.parse(rate, cur, "rate"), period, paid)

    return _add(app, actor, claim_id, Category.unpaid_wages, compute, evidence, note)


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def add_lost_earnings(app, actor: Actor, claim_id: str, days: int, daily_rate, evidence: str | None = None,
                      note: str | None = None) -> dict:
    """Earnings lost on the days spent on the proceedings; the item keeps the working."""
    return _add(app, actor, claim_id, Category.lost_earnings,
                lambda cur: lost_earnings(days, Money.parse(daily_rate, cur, "daily_rate")), evidence, note)


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def set_judgment(app, actor: Actor, claim_id: str, judgment_date) -> dict:
    """Record the judgment date: it starts the profile's post-judgment filing deadline."""
    need_to_know(app, actor, "claim.write", claim=claim_id)
    with app.uow(actor) as uow:
        row = _claim_row(uow.conn, claim_id, lock=True)
        profile = app.profile(row.jurisdiction)
        judgment = _date(judgment_date, "judgment_date")
        if judgment is None:
            raise InputProblems([("judgment_date", "required")])
        _not_future(judgment, local_today(uow.now, profile.tz), "judgment_date")
        _touch(uow, claim_id, judgment_date=judgment)
        uow.audit("claim.judgment", claim_id, f"judgment of {judgment.isoformat()}")
        uow.commit()
    days = profile.restitution.post_judgment_deadline_days
    return {"claim": claim_id, "judgment_date": judgment,
            "filing_deadline": filing_deadline(judgment, days) if days else None}


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def file(app, actor: Actor, claim_id: str, filed_on=None) -> dict:
    """drafting -> filed. Refused without items, or with intangible harm but no rationale."""
    need_to_know(app, actor, "claim.write", claim=claim_id)
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _claim_row(conn, claim_id, lock=True)
        profile = app.profile(row.jurisdiction)
        today = local_today(uow.now, profile.tz)
        on = _date(filed_on, "filed_on") or today
        _not_future(on, today, "filed_on")
        check_transition(Status(row.status), Status.filed)
        claim = _load(conn, uow.cipher, row, decrypt=True)
        problems = claim.filing_problems()
        if problems:
            raise InputProblems(problems)
        warnings = []
        days = profile.restitution.post_judgment_deadline_days
        if days and row.judgment_date and on > filing_deadline(row.judgment_date, days):
            warnings.append(f"filed after the post-judgment deadline of {filing_deadline(row.judgment_date, days).isoformat()}; "
                            "explain the delay to the court")
        _touch(uow, claim_id, status=Status.filed.value, filed_on=on)
        _close_items(uow, f"{claim_id}:claim_filing_deadline:")
        uow.audit("claim.file", claim_id, f"filed {on.isoformat()}: calculated {claim.calculated}")
        uow.commit()
    return {"claim": claim_id, "status": Status.filed.value, "filed_on": on, "calculated": claim.calculated,
            "warnings": warnings}


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def demand(app, actor: Actor, claim_id: str, amount, demanded_on=None) -> dict:
    """The amount the prosecutor demanded in court (R-94); recorded by the prosecutor or the owner."""
    need_to_know(app, actor, "claim.demand", claim=claim_id)
    with app.uow(actor) as uow:
        row = _claim_row(uow.conn, claim_id, lock=True)
        if Status(row.status) in (Status.drafting, Status.withdrawn):
            raise IllegalTransition(f"status: {claim_id} is {row.status}; a demand is recorded once the claim is filed")
        profile = app.profile(row.jurisdiction)
        today = local_today(uow.now, profile.tz)
        on = _date(demanded_on, "demanded_on") or today
        _not_future(on, today, "demanded_on")
        money = Money.parse(amount, _currency(row))
        _touch(uow, claim_id, demanded_minor=money.minor, demanded_on=on, demanded_by=actor.user)
        uow.audit("claim.demand", claim_id, f"demanded {money} on {on.isoformat()}")
        uow.commit()
    return {"claim": claim_id, "demanded": money, "demanded_on": on}


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def award(app, actor: Actor, claim_id: str, amount, order_date, payer: str | None = None, due_on=None,
          instalments: list[tuple[object, object]] | None = None) -> dict:
    """filed -> awarded: the court's amount, order date, payer and schedule — one due date for the
    whole amount, or instalments (date, amount) that add up to it exactly."""
    need_to_know(app, actor, "claim.write", claim=claim_id)
    payer = text_given(payer, Payer, "payer")
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _claim_row(conn, claim_id, lock=True)
        check_transition(Status(row.status), Status.awarded)
        cur = _currency(row)
        profile = app.profile(row.jurisdiction)
        money = Money.parse(amount, cur)
        order = _date(order_date, "order_date")
        if order is None:
            raise InputProblems([("order_date", "required: the date of the court's order")])
        if instalments and due_on is not None:
            raise InputProblems([("schedule", "give either one due date or instalments, not both")])
        if instalments:
            schedule = [Instalment(_date(d, f"instalments.{n}.due_on"), Money.parse(a, cur, f"instalments.{n}.amount"))
                        for n, (d, a) in enumerate(instalments, start=1)]
            missing = [(f"instalments.{n}.due_on", "required") for n, i in enumerate(schedule, start=1) if i.due_on is None]
            if missing:
                raise InputProblems(missing)
        elif due_on is not None:
            schedule = [Instalment(_date(due_on, "due_on"), money)]
        else:
            schedule = []
        made = make_award(money, order, _text(payer), schedule, local_today(uow.now, profile.tz))
        _touch(uow, claim_id, status=Status.awarded.value, awarded_minor=money.minor, order_date=order,
               payer=uow.cipher.encrypt("claims", "payer", claim_id, made.payer, owner=row.case_id))
        conn.execute(insert(claim_instalments), [dict(claim_id=claim_id, seq=n, due_on=i.due_on, amount_minor=i.amount.minor)
                                                 for n, i in enumerate(made.schedule, start=1)])
        publish(uow, RestitutionAwarded(case_ids=[row.case_id], event_id=f"{claim_id}:award", claim=claim_id,
                                        amount=money.plain(), currency=cur.code,
                                        order_date=order.isoformat(), instalments=len(made.schedule)))
        uow.audit("claim.award", claim_id, f"awarded {money} by order of {order.isoformat()}, "
                                           f"{len(made.schedule)} instalment(s)")
        uow.commit()
    claim = Claim(claim_id, row.case_id, row.jurisdiction, cur, Status.awarded, row.lawyer,
                  demanded=Money.from_minor(row.demanded_minor, cur) if row.demanded_minor is not None else None,
                  award=made)
    return {"claim": claim_id, "status": Status.awarded.value, "awarded": money, "order_date": order,
            "schedule": [(i.due_on, i.amount) for i in made.schedule],
            "shortfall_from_demand": claim.shortfalls()["demanded_to_awarded"]}


@ungated("the lawyer's record of the claim itself: nothing the victim is asked to do, nothing shared outside the case")
def pay(app, actor: Actor, claim_id: str, amount, currency: str, paid_on, reference: str, note: str | None = None) -> dict:
    """Record a payment received. The currency must be the award's; more than the balance is refused."""
    need_to_know(app, actor, "claim.write", claim=claim_id)
    if not _text(reference):
        raise InputProblems([("reference", "required: the bank, court or receipt reference of the payment")])
    reference, note = text_given(reference, PaymentReference, "reference"), text_given(note, Note, "note")
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _claim_row(conn, claim_id, lock=True)
        claim = _load(conn, uow.cipher, row, decrypt=False)
        claim.check_payment(currency or "")
        profile = app.profile(row.jurisdiction)
        today = local_today(uow.now, profile.tz)
        on = _date(paid_on, "paid_on") or today
        _not_future(on, today, "paid_on")
        money = Money.parse(amount, claim.currency)
        status = claim.after_payment(money)
        pid = str(uuid.uuid4())
        conn.execute(insert(claim_payments).values(
            id=pid, claim_id=claim_id, paid_on=on, amount_minor=money.minor,
            reference=uow.cipher.encrypt("claim_payments", "reference", pid, _text(reference), owner=row.case_id),
            note=uow.cipher.encrypt("claim_payments", "note", pid, _text(note), owner=row.case_id),
            recorded_at=uow.now, recorded_by=actor.user))
        _touch(uow, claim_id, status=status.value)
        balance = claim.balance - money
        after = replace(claim, status=status, payments=claim.payments + (Payment(on, money),))
        still = {n for n, _, _ in after.overdue(today)}
        _close_items(uow, f"{claim_id}:claim_award_unpaid:")
        for n in range(1, len(claim.award.schedule) + 1):
            if n not in still:
                _close_items(uow, f"{claim_id}:claim_instalment_overdue:{n}:")
        publish(uow, RestitutionPaid(case_ids=[row.case_id], event_id=f"{claim_id}:payment:{pid}", claim=claim_id,
                                     amount=money.plain(), currency=claim.currency.code, balance=balance.plain(),
                                     status=status.value))
        uow.audit("claim.pay", claim_id, f"payment of {money} on {on.isoformat()}; balance {balance}")
        uow.commit()
    return {"claim": claim_id, "paid": money, "paid_on": on, "balance": balance, "status": status.value}


@gated(ActionKind.resolve_claim)
def resolve(app, actor: Actor, claim_id: str, status: str, reason: str, overrides: dict[str, str] | None = None) -> dict:
    """Record how a claim ended without full payment: unenforced, substituted by imprisonment, state
    fund claimed, rejected by the court, or withdrawn by the victim — with the reason (encrypted).
    A withdrawal while settlement pressure is not followed up is the engine's DNH-12 warning: a claim
    dropped under pressure is the harm the Guide warns of; only a recorded override lets it through."""
    need_to_know(app, actor, "claim.write", claim=claim_id)
    target = parse_status(status)
    if target not in RESOLUTIONS:
        raise InputProblems([("status", f"use one of {', '.join(sorted(s.value for s in RESOLUTIONS))}; "
                                        "paid follows from the payments")])
    if not _text(reason):
        raise InputProblems([("reason", "required: why the claim ends this way")])
    reason = text_given(reason, Reason, "reason")
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _claim_row(conn, claim_id, lock=True)
        check_transition(Status(row.status), target)
        enforce(uow, ActionKind.resolve_claim, row.case_id, overrides, status=target.value)
        _touch(uow, claim_id, status=target.value, resolved_at=uow.now,
               resolution_reason=uow.cipher.encrypt("claims", "resolution_reason", claim_id, reason.strip(),
                                                   owner=row.case_id))
        _close_items(uow, f"{claim_id}:")
        uow.audit("claim.resolve", claim_id, f"{row.status} -> {target.value}")
        uow.commit()
    return {"claim": claim_id, "from": row.status, "status": target.value}


@ungated("a read (audited)")
def status(app, actor: Actor, claim_id: str) -> dict:
    """The claim as this actor may see it: amounts at every stage, shortfalls, schedule, payments,
    overdue instalments, the legal basis and advice. Free text only for the owner and the case's
    coordinator (reading it is audited)."""
    on_claim = need_to_know(app, actor, "claim.read", claim=claim_id)
    with app.uow(actor) as uow:
        conn = uow.conn
        row = _claim_row(conn, claim_id)
        case = case_row(conn, row.case_id)
        notes = may_act_on(actor, on_claim, "claim.notes")
        claim = _load(conn, uow.cipher, row, decrypt=notes)
        profile = app.profile(row.jurisdiction)
        today = local_today(uow.now, profile.tz)
        basis = basis_of(profile)
        flags = _open_flags(conn, row.case_id)
        situation = Situation(child=presumed_child(AgeStatus(case.age_status)),
                              foreign=case.nationality is not None and case.nationality != case.jurisdiction,
                              stay_note="stay_until_resolved" in flags)
        view = _view(claim, basis, situation, today, row, uow.cipher if notes else None)
        uow.audit("claim.read", claim_id, "with free text" if notes else "amounts only")
        uow.commit()
    return view


def _view(claim: Claim, basis, situation: Situation, today: date, row, cipher) -> dict:
    days = basis.post_judgment_deadline_days
    text = (lambda col, v: cipher.decrypt("claims", col, row.id, v)) if cipher else None
    view = {
        "claim": claim.id, "case": claim.case_id, "jurisdiction": claim.jurisdiction, "currency": claim.currency.code,
        "status": claim.status.value, "lawyer": claim.lawyer, "guardian_acts": bool(row.guardian_acts),
        "as_of": today,
        "basis": {"statutory": basis.statutory, "statement": basis.statement, "covers": list(basis.covers),
                  "alternatives": list(basis.alternatives), "state_fund": basis.state_fund,
                  "post_judgment_deadline_days": days},
        "judgment_date": claim.judgment_date,
        "filing_deadline": filing_deadline(claim.judgment_date, days) if days and claim.judgment_date else None,
        "filed_on": claim.filed_on,
        "items": [{"n": n, "category": i.category.value, "label": LABELS[i.category], "intangible": i.intangible,
                   "amount": i.amount, "working": list(i.working),
                   **({"evidence": i.evidence, "note": i.note} if cipher else {})}
                  for n, i in enumerate(claim.items, start=1)],
        "amounts": {"calculated": claim.calculated, "intangible": claim.intangible, "demanded": claim.demanded,
                    "awarded": claim.awarded, "paid": claim.paid, "balance": claim.balance},
        "shortfalls": claim.shortfalls(),
        "award": None if claim.award is None else {
            "order_date": claim.award.order_date,
            **({"payer": claim.award.payer} if cipher else {}),
            "schedule": [{"n": n, "due_on": i.due_on, "amount": i.amount}
                         for n, i in enumerate(claim.award.schedule, start=1)]},
        "payments": [{"paid_on": p.paid_on, "amount": p.amount, **({"reference": p.reference} if cipher else {})}
                     for p in claim.payments],
        "overdue": [{"n": n, "due_on": i.due_on, "unpaid": unpaid} for n, i, unpaid in claim.overdue(today)],
        "advice": advice(claim, basis, situation, today),
    }
    if cipher:
        view["note"] = text("note", row.note)
        if row.resolution_reason is not None:
            view["resolution_reason"] = text("resolution_reason", row.resolution_reason)
    return view


# --- portfolio and caseload report --------------------------------------------------------------


def figures_query(where=None):
    """Every stage's amount per claim, in minor units: items and payments summed in SQL, per claim
    through their claim_id indexes (a grouped subquery summed every item in the store even for one
    case's claims, and cost the 20,000-claim portfolio a third more)."""
    calculated = (select(func.coalesce(func.sum(claim_items.c.amount_minor), 0))
                  .where(claim_items.c.claim_id == claims.c.id).scalar_subquery())
    paid = (select(func.coalesce(func.sum(claim_payments.c.amount_minor), 0))
            .where(claim_payments.c.claim_id == claims.c.id).scalar_subquery())
    # portfolio() unpacks the columns in this order.
    q = select(claims.c.id, claims.c.case_id, claims.c.jurisdiction, claims.c.currency, claims.c.minor_units,
               claims.c.status, claims.c.lawyer, claims.c.demanded_minor, claims.c.awarded_minor,
               calculated.label("calculated"), paid.label("paid"))
    return q.where(where) if where is not None else q


def schedules_of(conn, where=None) -> dict[str, list[tuple[date, int]]]:
    """Instalments of the claims being enforced, by claim, in order."""
    q = (select(claim_instalments.c.claim_id, claim_instalments.c.due_on, claim_instalments.c.amount_minor)
         .join(claims, claims.c.id == claim_instalments.c.claim_id)
         .where(claims.c.status.in_([s.value for s in ENFORCING]))
         .order_by(claim_instalments.c.claim_id, claim_instalments.c.seq))
    if where is not None:
        q = q.where(where)
    out: dict[str, list] = defaultdict(list)
    # Plain tuples fetched at once: a 20,000-claim report reads some 30,000 instalments, and named
    # access on each row cost more than the query.
    for claim_id, due_on, amount in conn.execute(q).tuples().all():
        out[claim_id].append((due_on, int(amount)))
    return out


@ungated("a read (audited)")
def portfolio(app, actor: Actor, lawyer: str | None = None, overdue_only: bool = False) -> list[dict]:
    """A lawyer's claims, one line each: every stage's amount, the balance, what is overdue and the
    next instalment. A legal-aid lawyer sees their own; an admin anyone's (or all, with no lawyer)."""
    if lawyer is None and actor.role is Role.legal_aid:
        lawyer = actor.user  # "my portfolio"
    if lawyer is not None and (why := problem(UserId, lawyer)):
        raise InputProblems([("lawyer", why)])
    # A portfolio is its lawyer's record: they read it, and the admin (not bound to cases) anyone's.
    need_to_know(app, actor, "claim.portfolio", access=CaseAccess(f"portfolio:{lawyer or '*'}",
                                                                  lawyers=frozenset({lawyer} if lawyer else ())))
    with app.uow(actor) as uow:
        conn = uow.conn
        where = claims.c.lawyer == lawyer if lawyer else None
        rows = conn.execute(figures_query(where).order_by(claims.c.jurisdiction, claims.c.case_id, claims.c.id)).all()
        schedules = schedules_of(conn, where)
        todays = {code: local_today(uow.now, p.tz) for code, p in app.profiles.items()}
        rejected = Status.rejected.value
        money: dict[tuple[str, int], tuple[Currency, Money]] = {}  # a currency and its zero, shared by rows
        m = Money.from_minor
        out = []
        # Plain loops over integers, and no Money built twice for a zero (most claims owe nothing
        # overdue): 20,000 claims in well under a second (issue 16, item 6). The rules are the
        # domain's (overdue_minor, next_due_minor); Money is immutable, so rows may share one.
        for claim_id, case_id, code, currency, minor_units, status, owner, demanded, awarded, calculated, paid in rows:
            found = money.get((currency, minor_units))
            if found is None:
                cur = Currency(currency, minor_units)
                found = money[(currency, minor_units)] = (cur, m(0, cur))
            cur, zero = found
            paid = int(paid)  # a SUM: numeric (Decimal) on PostgreSQL
            sched = schedules.get(claim_id)
            if sched:
                today = todays[code]
                late = overdue_minor(sched, paid, today)
                upcoming = next_due_minor(sched, paid, today)
            else:
                late, upcoming = (), None
            if overdue_only and not late:
                continue
            out.append({
                "claim": claim_id, "case": case_id, "jurisdiction": code, "currency": currency, "status": status,
                "lawyer": owner, "calculated": m(calculated, cur) if calculated else zero,
                "demanded": m(demanded, cur) if demanded is not None else None,
                "awarded": zero if status == rejected else m(awarded, cur) if awarded is not None else None,
                "paid": m(paid, cur) if paid else zero,
                "balance": m(awarded - paid, cur) if awarded is not None else None,
                "overdue": m(sum(u for _, _, u in late), cur) if late else zero,
                "overdue_since": late[0][1] if late else None,
                "next_due": (upcoming[0], m(upcoming[1], cur)) if upcoming else None})
        uow.audit("claim.portfolio", lawyer or "*", f"{len(out)} claims{' overdue' if overdue_only else ''}")
        uow.commit()
    return out


@dataclass
class Report:
    as_of: datetime
    rows: list  # ShortfallRow


@ungated("a read (audited)")
def report(app, actor: Actor) -> Report:
    """Shortfall by stage and by jurisdiction across the caseload (R-94). No personal data."""
    need_to_know(app, actor, "claim.report")
    with app.uow(actor) as uow:
        conn = uow.conn
        schedules = schedules_of(conn)
        todays = {code: local_today(uow.now, p.tz) for code, p in app.profiles.items()}
        figures = []
        statuses = {s.value: s for s in Status}
        # Plain tuples in figures_query's column order, fetched at once (named access on 20,000 rows
        # was a third of the report's time).
        for (cid, _case, jurisdiction, currency, minor_units, status, _lawyer, demanded, awarded, calculated,
             paid) in conn.execute(figures_query()).tuples().all():
            paid = int(paid)
            late = overdue_minor(schedules[cid], paid, todays[jurisdiction]) if cid in schedules else []
            figures.append(ClaimFigures(
                jurisdiction, currency, minor_units, statuses[status], int(calculated),
                int(demanded) if demanded is not None else None,
                int(awarded) if awarded is not None else None, paid, sum(u for _, _, u in late)))
        rows = shortfall_report(figures)
        uow.audit("claim.report", "*", f"shortfall report over {len(figures)} claims")
        uow.commit()
    return Report(uow.now, rows)


# --- what other parts of the system read --------------------------------------------------------


def case_facts(conn, case_id: str, now: datetime) -> dict:
    """For the guardrails: a foreign victim with a pending claim should be able to stay (DNH-11),
    and a case closes only when its claims are resolved (DNH-14; R-92, the Guide's LPSK practice)."""
    open_ = conn.execute(select(claims.c.id, claims.c.status).where(
        claims.c.case_id == case_id, claims.c.status.in_([s.value for s in UNRESOLVED])).order_by(claims.c.id)).all()
    return {"pending_claim": bool(open_), "unresolved_claims": tuple(f"{r.id} ({r.status})" for r in open_)}


def _claims_of(match):
    return select(claims.c.case_id, claims.c.id, claims.c.status).where(match(claims.c.case_id)).order_by(
        claims.c.case_id, claims.c.id)


def case_facts_many(conn, case_ids: list[str], now: datetime) -> dict[str, dict]:
    """`case_facts` for many cases in one query (the relay's batches)."""
    open_: dict[str, list[str]] = defaultdict(list)
    unresolved = {s.value for s in UNRESOLVED}
    # The status is checked here, not in SQL: given `status IN (...)` too, SQLite (no statistics)
    # walked the status index over every unresolved claim in the store for each batch instead of
    # looking the batch's cases up on the case index (a case has a claim or two).
    for r in select_for(conn, case_ids, _claims_of):
        if r.status in unresolved:
            open_[r.case_id].append(f"{r.id} ({r.status})")
    return {cid: {"pending_claim": bool(open_.get(cid)), "unresolved_claims": tuple(open_.get(cid, ()))}
            for cid in case_ids}
