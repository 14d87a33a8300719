"""The coordinator's consent page (R-22, R-112): each scope with its method, language, interpreter and
date, "Give" and "Withdraw", on witness/services/consent.py.

Giving posts the same fields `witness consent give` takes; a problem comes back beside its field as
`field.path: message` with what was typed kept, and nothing is written. A Do No Harm refusal (an
unsafe notification channel, DNH-09) is shown with its rule, plain explanation and Guide section.
Withdrawing asks first: the first POST shows what the withdrawal will cancel, the second (with
`confirm`) withdraws at once — the victim's withdrawal is never delayed by a rule (R-22).
"""
from __future__ import annotations

from typing import get_args

from starlette.responses import Response

from witness.domain.access import require
from witness.domain.consent import SIMPLE_SCOPES, Method
from witness.domain.intake import Channel
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness.services import cases, consent, guardrails
from witness.web.languages import N_
from witness.web.page import Ctx, form_answer, see_other, signed_in

GIVE_FIELDS = ("scope", "recipient", "method", "language", "interpreter", "guardian_agreed", "explained")
CHANNELS = list(get_args(Channel))
# The scopes offered: the simple ones, a notification channel each, and data sharing with a recipient.
SCOPES = list(SIMPLE_SCOPES) + [f"notification:{c}" for c in CHANNELS] + ["data_sharing"]
# What a withdrawal cancels, in words (witness.domain.consent.DEPENDENTS and the hearings handler
# in witness.wiring.consent_withdrawn). Support is never on this list.
CANCELS = {
    "interview": [N_("interviews still to come")],
    "testimony": [N_("testimony appointments still to come"),
                  N_("appearances at hearings still to come, with their protective measures and escorts")],
    "medical_exam": [N_("medical examinations still to come")],
    "data_sharing": [N_("data not yet shared with this recipient")],
}


def _page(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None, blocked: str | None = None,
          findings=(), confirm: str | None = None) -> Response:
    case_id = ctx.path_params["case_id"]
    require(ctx.actor, "consent.record")
    view = cases.show(ctx.app, ctx.actor, case_id, with_identity=False)  # the need-to-know rule: refused or missing -> 404
    family = (confirm or "").split(":", 1)[0]
    return ctx.render("consent.html", status, title=N_("Consent"), view=view, scopes=SCOPES,
                      methods=[m.value for m in Method],
                      **form_answer(problems, typed or {"method": "written", "language": view["preferred_language"]},
                                    blocked=blocked, findings=list(findings)), confirm=confirm,
                      cancels=CANCELS.get(family, []), child=view["age_status"] != "adult")


@signed_in
def consent_page(ctx: Ctx) -> Response:
    return _page(ctx)


@signed_in
def give(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    require(ctx.actor, "consent.record")
    typed = {k: ctx.text(k).strip() for k in GIVE_FIELDS}
    scope = typed["scope"]
    problems = []
    if scope == "data_sharing":
        if not typed["recipient"]:
            problems.append(("recipient", "required: who receives the data (e.g. ngo.shelter-north)"))
        scope = f"data_sharing:{typed['recipient']}"
    if problems:
        return _page(ctx, 422, problems, typed)
    try:
        consent.give(ctx.app, ctx.actor, case_id, scope, typed["method"], typed["language"],
                     typed["interpreter"] or None, typed["guardian_agreed"] == "1",
                     explained=typed["explained"] == "1")  # the information sheet (DNH-31)
    except InputProblems as exc:
        return _page(ctx, 422, exc.problems, typed)
    except ActionBlocked as exc:
        # The rule, its explanation and the Guide section: the same findings `witness check` prints.
        findings = guardrails.dry_run(ctx.app, ctx.actor, "give_consent", case_id, {"scope": scope}) \
            if "Do No Harm" in str(exc) else []
        return _page(ctx, 409, typed=typed, blocked=str(exc).splitlines()[0], findings=findings)
    return see_other(f"/cases/{case_id}/consent")


@signed_in
def withdraw(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    require(ctx.actor, "consent.record")
    scope = ctx.text("scope")
    if ctx.text("confirm") != "1":
        view = cases.show(ctx.app, ctx.actor, case_id, with_identity=False)
        if not any(c["scope"] == scope and c["active"] for c in view["consents"]):
            raise NotFound("scope: no such active consent")
        return _page(ctx, confirm=scope)
    done = consent.withdraw(ctx.app, ctx.actor, case_id, scope)
    return ctx.render("consent_withdrawn.html", title=N_("Consent withdrawn"), case=case_id, scope=scope,
                      cancelled=done["cancelled"])
