"""The auditor's page (R-112): run the audit-log verification and see its result — intact, or
which check failed at which row. The result names rows by sequence number and says what is wrong
with them (chain, MAC, time order, head file); it carries no personal data."""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.access import require
from witness.services import audit
from witness.web.page import Ctx, signed_in


@signed_in
def audit_page(ctx: Ctx) -> Response:
    require(ctx.actor, "audit.verify")
    return ctx.render("audit.html", title="Audit", result=None)


@signed_in
def verify(ctx: Ctx) -> Response:
    result = audit.verify(ctx.app, ctx.actor)
    return ctx.render("audit.html", title="Audit", result=result, checked_at=ctx.app.clock.now())
