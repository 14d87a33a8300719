"""The auditor's page (R-112): run the audit-log verification and see its result — intact, or
which check failed at which row. The result names rows by sequence number and says what is wrong
with them (chain, MAC, time order, head file); it carries no personal data."""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.access import require
from witness.errors import InputProblems
from witness.services import access_log, audit
from witness.web.page import Ctx, signed_in

FILTERS = ("person", "record", "action", "since", "until")


def _render(ctx: Ctx, status: int = 200, **extra) -> Response:
    extra.setdefault("result", None)
    extra.setdefault("found", None)
    extra.setdefault("typed", {})
    extra.setdefault("errors", {})
    return ctx.render("audit.html", status, title="Audit", limit=access_log.LIMIT, **extra)


@signed_in
def audit_page(ctx: Ctx) -> Response:
    """The page, and the access-log search when filters are given. A search is a GET (it changes
    nothing) with staff logins, record ids and dates in the query: never a victim's name."""
    require(ctx.actor, "audit.verify")
    typed = {k: ctx.request.query_params.get(k, "").strip() for k in FILTERS}
    if not any(typed.values()) and "search" not in ctx.request.query_params:
        return _render(ctx)
    try:
        found = access_log.search(ctx.app, ctx.actor, **{k: v or None for k, v in typed.items()})
    except InputProblems as exc:
        return _render(ctx, 422, typed=typed, errors=dict(exc.problems))
    return _render(ctx, typed=typed, found=found)


@signed_in
def verify(ctx: Ctx) -> Response:
    result = audit.verify(ctx.app, ctx.actor)
    return _render(ctx, result=result, checked_at=ctx.app.clock.now())
