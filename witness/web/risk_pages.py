"""The risk assessment page (R-40…R-42, R-112): the latest result with its explanation (level, the
factors and their weights in words, the victim's own view, recommended measures, next review), the
history, and "New assessment" — the risk policy's questions as a server-rendered form posting to
witness/services/risk.py (the same AssessmentForm as `witness assess`).

Custody, relationship, child and foreign status are read from the case by the service, not asked
again. A problem comes back beside its field as `field.path: message`, what was typed is kept, and
nothing is recorded.
"""
from __future__ import annotations

from typing import get_args

from starlette.responses import Response

from witness.domain.access import PERMISSIONS, require
from witness.domain.risk import CONTEXT_QUESTIONS, AssessmentForm
from witness.errors import InputProblems, NotFound
from witness.services import cases, risk
from witness.web.languages import N_
from witness.web.page import Ctx, form_answer, see_other, signed_in

TRIGGERS = list(get_args(AssessmentForm.model_fields["trigger"].annotation))
# The questions, in plain words (the policy's keys are the field names the service validates).
CONTEXT = {
    "trafficking_known_locally": N_("Trafficking is known to happen where the victim lives or will live"),
    "organised_crime_control": N_("Organised crime controls the area or the trade"),
    "reprisals_planned_or_carried_out": N_("Reprisals have been planned or carried out against victims or witnesses"),
    "law_enforcement_unreliable": N_("The police or other law enforcement there cannot be relied on"),
    "corruption": N_("Officials involved may be corrupt"),
}
CASE = {
    "threats_to_victim": N_("The victim has been threatened"),
    "threats_to_family": N_("The victim's family has been threatened"),
    "accused_knows_residence": N_("The accused knows where the victim lives"),
    "contact_with_network_by_phone": N_("The victim is in contact with the network by phone"),
    "disability": N_("The victim has a disability"),
    "irregular_status": N_("The victim's immigration status is irregular"),
    "media_exposure": N_("The case has been in the media"),
    "informal_settlement_pressure": N_("Someone presses the victim to settle informally"),
    "upcoming_testimony": N_("The victim is to testify soon"),
}
# Factors the service reports that are not questions on the form (read from the case).
FACTS = {
    "child": N_("The victim is (presumed) a child"),
    "foreign_or_irregular_status": N_("The victim is foreign or has an irregular status"),
}
assert set(CONTEXT) == set(CONTEXT_QUESTIONS)
FIELDS = ("trigger", "victim.own_words", "victim.fear_scale")


def factor_words(factor: str) -> tuple[str, str]:
    """A factor as the service names it -> (sentence to translate, value to add after it)."""
    kind, _, value = factor.partition(": ")
    if kind == "context" and value in CONTEXT:
        return CONTEXT[value], ""
    if kind == "accused custody":
        return N_("Custody of the accused:"), value
    if kind == "relationship to accused":
        return N_("Relationship to the accused:"), value
    return (CASE.get(factor) or FACTS.get(factor) or factor), ""


def data_of(values: dict) -> dict:
    """Form fields -> the AssessmentForm document. The fear scale stays text unless it is a whole
    number, so the model names the field when it is not."""
    scale = values.get("victim.fear_scale", "").strip()
    victim = {"own_words": values.get("victim.own_words", "").strip()}
    if scale:
        victim["fear_scale"] = int(scale) if scale.isascii() and scale.isdigit() and len(scale) < 4 else scale
    data = {"victim": victim,
            "context": {q: True for q in CONTEXT if values.get(f"context.{q}") == "1"},
            "case": {q: True for q in CASE if values.get(f"case.{q}") == "1"}}
    if values.get("trigger"):
        data["trigger"] = values["trigger"]
    return data


def _page(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None) -> Response:
    case_id = ctx.path_params["case_id"]
    require(ctx.actor, "risk.read")
    view = cases.show(ctx.app, ctx.actor, case_id, with_identity=False)  # need to know: refused or missing -> 404
    try:
        found = risk.history(ctx.app, ctx.actor, case_id)
    except NotFound:
        found = None  # the case exists (shown above): no assessment yet
    latest = found["latest"] if found else None
    if latest:
        latest = dict(latest, reasons=[(*factor_words(f["factor"]), f["weight"]) for f in latest["factors"]])
    return ctx.render("risk.html", status, title=N_("Risk assessment"), view=view, latest=latest,
                      history=found["history"] if found else [], due=found["reassessment_due"] if found else None,
                      triggers=TRIGGERS, context_questions=CONTEXT, case_questions=CASE,
                      may_assess=ctx.actor.role in PERMISSIONS["risk.assess"],
                      **form_answer(problems, typed or {"trigger": "initial" if not found else "scheduled"}))


@signed_in
def risk_page(ctx: Ctx) -> Response:
    return _page(ctx)


@signed_in
def assess(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    require(ctx.actor, "risk.assess")
    typed = {k: str(v) for k, v in ctx.form.multi_items() if k != "csrf"}
    try:
        risk.record(ctx.app, ctx.actor, case_id, data_of(typed))
    except InputProblems as exc:
        return _page(ctx, 422, exc.problems, typed)
    return see_other(f"/cases/{case_id}/risk")
