"""The legal-aid lawyer's pages (R-112): the portfolio with overdue flags, and a claim page with its
items and their working, the amount at every stage and the shortfall between them (calculated ->
demanded -> awarded -> paid), the schedule, the payments, and "Record payment".

Amounts are shown as the claims service gives them: exact Money, in the award's currency, never a
float. A payment form keeps what was typed and shows a refusal (overpayment, wrong currency, a date
ahead of the jurisdiction's today) beside its field; nothing is recorded then.
"""
from __future__ import annotations

from starlette.responses import Response

import csv
import io

from witness.domain.access import PERMISSIONS, require
from witness.domain.claim import RESOLUTIONS
from witness.errors import ActionBlocked, IllegalTransition, InputProblems
from witness.services import claims, guardrails
from witness.web.languages import N_
from witness.web.page import Ctx, form_answer, see_other, signed_in
from witness.web.words import Phrase

PAYMENT_FIELDS = ("amount", "currency", "paid_on", "reference", "note")
STAGES = (("calculated", N_("Calculated")), ("demanded", N_("Demanded in court")), ("awarded", N_("Awarded")),
          ("paid", N_("Paid")))
RESOLVE_STATUSES = sorted(s.value for s in RESOLUTIONS)  # "paid" follows from the payments
SHORTFALLS = (("calculated_to_demanded", N_("Calculated to demanded")),
              ("demanded_to_awarded", N_("Demanded to awarded")),
              ("awarded_to_paid", N_("Awarded to paid (the balance)")))


@signed_in
def portfolio(ctx: Ctx) -> Response:
    rows = claims.portfolio(ctx.app, ctx.actor)
    return ctx.render("claims.html", title=N_("Claims"), rows=rows, overdue=sum(1 for r in rows if r["overdue_since"]))


def _page(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None, blocked: str | None = None,
          form: str = "pay", findings=()) -> Response:
    view = claims.status(ctx.app, ctx.actor, ctx.path_params["claim_id"])
    may_pay = ctx.actor.role in PERMISSIONS["claim.write"] and ctx.actor.user == view["lawyer"]
    typed = typed or {"currency": view["currency"]}
    # Each form keeps its own answer: a refused payment does not show beside "Resolve", nor the reverse.
    pay = form_answer(problems, typed, blocked=blocked) if form == "pay" \
        else form_answer(typed={"currency": view["currency"]}, blocked=None)
    resolve = form_answer(problems, typed, blocked=blocked, findings=list(findings)) if form == "resolve" \
        else form_answer(blocked=None, findings=[])
    return ctx.render("claim.html", status, title=Phrase(N_("Claim %(claim)s"), claim=view["claim"]), view=view, stages=STAGES,
                      shortfalls=SHORTFALLS, may_pay=may_pay, resolve_statuses=RESOLVE_STATUSES,
                      resolve=resolve, **pay)


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


@signed_in
def resolve(ctx: Ctx) -> Response:
    """How a claim ended without full payment, with the reason (encrypted). Withdrawing a claim while
    settlement pressure is not followed up is the engine's DNH-12 warning: shown with its override box."""
    claim_id = ctx.path_params["claim_id"]
    typed = {"status": ctx.text("status"), "reason": ctx.text("reason")}
    overrides = {k.split(":", 1)[1]: str(v).strip() for k, v in ctx.form.multi_items()
                 if k.startswith("override:") and str(v).strip()}
    try:
        claims.resolve(ctx.app, ctx.actor, claim_id, typed["status"], typed["reason"], overrides)
    except InputProblems as exc:
        return _page(ctx, 422, exc.problems, typed, form="resolve")
    except ActionBlocked as exc:
        case_id = claims.status(ctx.app, ctx.actor, claim_id)["case"]
        findings = guardrails.dry_run(ctx.app, ctx.actor, "resolve_claim", case_id, {"status": typed["status"]})
        return _page(ctx, 409, typed=typed, blocked=str(exc).splitlines()[0], form="resolve", findings=findings)
    except IllegalTransition as exc:
        return _page(ctx, 409, typed=typed, blocked=str(exc), form="resolve")
    return see_other(f"/claims/{claim_id}")


def report_table(rows) -> list[dict]:
    """The same columns as `witness claims report --csv` (one definition: the command's)."""
    from witness.commands.claims import _report_table

    return _report_table(rows)


@signed_in
def report(ctx: Ctx) -> Response:
    """Shortfall by jurisdiction across the caseload (R-94): no personal data, no case ids."""
    require(ctx.actor, "claim.report")
    rep = claims.report(ctx.app, ctx.actor)
    return ctx.render("claims_report.html", title=N_("Restitution report"), rows=rep.rows, as_of=rep.as_of)


@signed_in
def report_csv(ctx: Ctx) -> Response:
    require(ctx.actor, "claim.report")
    rep = claims.report(ctx.app, ctx.actor)
    table = report_table(rep.rows)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(table[0]) if table else ["jurisdiction"])
    writer.writeheader()
    writer.writerows(table)
    name = f"restitution-shortfall-{rep.as_of.date().isoformat()}.csv"
    return Response(text.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
