"""An escort's or interpreter's own assignments (R-112): nothing else."""
from __future__ import annotations

from starlette.responses import Response

from witness.services import assignments
from witness.web.languages import N_
from witness.web.page import Ctx, signed_in


@signed_in
def my_assignments(ctx: Ctx) -> Response:
    return ctx.render("assignments.html", title=N_("My assignments"), rows=assignments.of(ctx.app, ctx.actor))
