"""The legal-aid lawyer's pages (R-112): the portfolio with overdue flags, and a claim page with its
items and their working, the amount at every stage and the shortfall between them (calculated ->
demanded -> awarded -> paid), the schedule, the payments, and "Record payment".

Amounts are shown as the claims service gives them: exact Money, in the award's currency, never a
float. A payment form keeps what was typed and shows a refusal (overpayment, wrong currency, a date
ahead of the jurisdiction's today) beside its field; nothing is recorded then.
"""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.access import PERMISSIONS
from witness.errors import IllegalTransition, InputProblems
from witness.services import claims
from witness.web.page import Ctx, see_other, signed_in

PAYMENT_FIELDS = ("amount", "currency", "paid_on", "reference", "note")
STAGES = (("calculated", "Calculated"), ("demanded", "Demanded in court"), ("awarded", "Awarded"), ("paid", "Paid"))
SHORTFALLS = (("calculated_to_demanded", "Calculated to demanded"), ("demanded_to_awarded", "Demanded to awarded"),
              ("awarded_to_paid", "Awarded to paid (the balance)"))


@signed_in
def portfolio(ctx: Ctx) -> Response:
    rows = claims.portfolio(ctx.app, ctx.actor)
    return ctx.render("claims.html", title="Claims", rows=rows, overdue=sum(1 for r in rows if r["overdue_since"]))


def _page(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None, blocked: str | None = None) -> Response:
    view = claims.status(ctx.app, ctx.actor, ctx.path_params["claim_id"])
    may_pay = ctx.actor.role in PERMISSIONS["claim.write"] and ctx.actor.user == view["lawyer"]
    return ctx.render("claim.html", status, title=f"Claim {view['claim']}", view=view, stages=STAGES,
                      shortfalls=SHORTFALLS, may_pay=may_pay, errors=dict(problems), problems=list(problems),
                      typed=typed or {"currency": view["currency"]}, blocked=blocked)


@signed_in
def claim_page(ctx: Ctx) -> Response:
    return _page(ctx)


@signed_in
def record_payment(ctx: Ctx) -> Response:
    claim_id = ctx.path_params["claim_id"]
    typed = {k: ctx.text(k).strip() for k in PAYMENT_FIELDS}
    try:
        claims.pay(ctx.app, ctx.actor, claim_id, typed["amount"], typed["currency"], typed["paid_on"] or None,
                   typed["reference"], typed["note"] or None)
    except InputProblems as exc:
        return _page(ctx, 422, exc.problems, typed)
    except IllegalTransition as exc:  # no award yet, or the claim is closed
        return _page(ctx, 409, typed=typed, blocked=str(exc))
    return see_other(f"/claims/{claim_id}")
