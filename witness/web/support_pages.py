"""Ending a support service from the case page (R-23, R-112), on witness/services/support.py.

The reason comes from the list of ending reasons; reasons tied to cooperation are not offered (the
Guide delinks support from the criminal process; DNH-02 refuses them anyway). A Do No Harm answer is
shown where the action was tried — the sentence, the rule, the Guide section — and for a warning an
override box that requires a reason; the service records the override (encrypted, audited).
"""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.support import ENDING_REASONS
from witness.errors import ActionBlocked, InputProblems
from witness.services import guardrails, support
from witness.web.case_pages import _case
from witness.web.page import Ctx, see_other, signed_in

REASONS = sorted(ENDING_REASONS)


def overrides_of(ctx: Ctx) -> dict[str, str]:
    return {k.split(":", 1)[1]: str(v).strip() for k, v in ctx.form.multi_items()
            if k.startswith("override:") and str(v).strip()}


@signed_in
def end_service(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    kind, reason = ctx.text("kind"), ctx.text("reason")
    typed = {"kind": kind, "reason": reason}
    try:
        support.end(ctx.app, ctx.actor, case_id, kind, reason, overrides_of(ctx))
    except InputProblems as exc:
        return _case(ctx, 422, support_problems=exc.problems, support_typed=typed)
    except ActionBlocked as exc:
        findings = guardrails.dry_run(ctx.app, ctx.actor, "end_service", case_id, {"service": kind, "reason": reason})
        return _case(ctx, 409, support_blocked=str(exc).splitlines()[0], support_findings=findings,
                     support_typed=typed)
    return see_other(f"/cases/{case_id}")
