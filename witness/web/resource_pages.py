"""Resources (R-112, admin; also read by coordinators and prosecutors who plan hearings): escort
officers, video suites, screens, waiting rooms and secure accommodation per jurisdiction, with their
hours, capacity and leave — the availability the hearing planner books against. A read (audited)
on witness/services/resources.py; the file is loaded with `witness resources load`."""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.resource import ResourceKind
from witness.errors import InputProblems
from witness.services import resources
from witness.web.languages import N_
from witness.web.page import Ctx, signed_in


@signed_in
def resource_list(ctx: Ctx) -> Response:
    kind = ctx.request.query_params.get("kind") or None
    kinds = [k.value for k in ResourceKind]
    if kind not in kinds:
        kind = None  # an unknown filter shows everything rather than an error page
    try:
        rows = resources.list_resources(ctx.app, ctx.actor, kind=kind)
    except InputProblems:
        rows = []
    return ctx.render("resources.html", title=N_("Resources"), rows=rows, kinds=kinds, kind=kind)
