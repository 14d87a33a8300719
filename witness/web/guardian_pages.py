"""Recording a child's guardian after the case opened (R-15; design/web-pages.md, Today: "the one
action that clears it" — a "guardian pending" item is cleared only by recording the guardian),
on witness/services/guardians.py, as `witness guardian record` does.

The form posts the same fields as the intake form's guardian section (GuardianIn); a problem comes
back beside its field as `field.path: message` with what was typed kept, and nothing is written.
The guardian already on file is not shown here: their name is identity, read only behind
"Show identity" on the case page. A link to an accused is escalated at once by the service.
"""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.access import require
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ActionBlocked, InputProblems
from witness.services import cases, guardians
from witness.web.languages import N_
from witness.web.page import Ctx, form_answer, see_other, signed_in

FIELDS = ("name", "relationship", "phone", "language", "accused_link")


def _page(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None, blocked: str | None = None) -> Response:
    require(ctx.actor, "consent.record")  # who records consents records who is party to them (the service's rule)
    view = cases.show(ctx.app, ctx.actor, ctx.path_params["case_id"], with_identity=False)  # 404 if not theirs
    accused = sorted({a["label"] for p in view["proceedings"] for a in p["accused"]})
    return ctx.render("guardian.html", status, title=N_("Record the guardian"), view=view, accused=accused,
                      child=presumed_child(AgeStatus(view["age_status"])),
                      **form_answer(problems, typed, blocked=blocked))


@signed_in
def guardian_page(ctx: Ctx) -> Response:
    return _page(ctx)


@signed_in
def record_guardian(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    require(ctx.actor, "consent.record")
    typed = {k: ctx.text(k).strip() for k in FIELDS}
    try:
        guardians.record(ctx.app, ctx.actor, case_id, {k: v for k, v in typed.items() if v})
    except InputProblems as exc:
        return _page(ctx, 422, exc.problems, typed)
    except ActionBlocked as exc:  # an adult's case: nobody is their guardian
        return _page(ctx, 409, typed=typed, blocked=str(exc).splitlines()[0])
    return see_other(f"/cases/{case_id}")
