"""The case list and the case page (R-112). The case page opens only for those who may see the
case at all (the need-to-know rule inside `cases.show`, 404 otherwise); what it shows is what
`cases.show` gives the role. Identity stays hidden until the person asks for it with a POST (never
in a URL)."""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from witness.domain.access import PERMISSIONS, require, visible_identity_fields
from witness.domain.stage import Stage
from witness.domain.support import ENDING_REASONS
from witness.errors import ActionBlocked, IllegalTransition, InputProblems
from witness.services import accounts, case_summary, cases, guardrails
from witness.web.languages import N_
from witness.web.page import Ctx, see_other, signed_in
from witness.web.risk_pages import factor_words

PAGE_SIZE = 50
END_REASONS = sorted(ENDING_REASONS)  # cooperation reasons are not offered (R-23, DNH-02)


FILTERS = ("stage", "risk", "jurisdiction")  # codes, never a name: they are in the URL


@signed_in
def case_list(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    raw_page = query.get("page", "1")
    # ASCII digits only ("²" is a digit to str.isdigit) and short (int() refuses 4,300 digits).
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) <= 7 else 1
    page = max(page, 1)
    chosen = {k: query.get(k, "").strip()[:40] or None for k in FILTERS}
    # Risk levels (column and filter) only for the roles that read risk, as on the case page.
    choices = dict(stages=[s.value for s in Stage], risks=cases.RISK_FILTERS if cases.reads_risk(ctx.actor) else None,
                   jurisdictions=sorted(ctx.app.profiles))
    require(ctx.actor, "case.list")  # who may not list cases gets the 404, not a remark on a filter
    if choices["risks"] is None:
        chosen["risk"] = None  # no filter on a level this person does not read (a hand-typed one is ignored)
    errors = {}
    if chosen["stage"] is not None and chosen["stage"] not in choices["stages"]:  # the service refuses it as a transition
        errors["stage"] = "use one of " + ", ".join(choices["stages"])

    def read(n: int):
        return cases.page_of_cases(ctx.app, ctx.actor, chosen["stage"], offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                                   risk=chosen["risk"], jurisdiction=chosen["jurisdiction"])

    try:
        found = None if errors else read(page)
    except InputProblems as exc:  # an unknown risk level or jurisdiction, named beside its filter
        errors.update(exc.problems)
    if errors:
        return ctx.render("cases.html", 422, title=N_("Cases"), rows=[], page=1, pages=1, total=0, errors=errors,
                          chosen={k: v for k, v in chosen.items() if k not in errors}, **choices)
    pages = max(1, -(-found.total // PAGE_SIZE))
    if page > pages:  # past the end (the list shrank, or a typed number): the last page
        page = pages
        found = read(page)
    keep = urlencode({k: v for k, v in chosen.items() if v})  # the pager keeps the filters
    return ctx.render("cases.html", title=N_("Cases"), rows=found.rows, page=page, pages=pages, total=found.total,
                      chosen=chosen, errors={}, keep=keep, **choices)


def _case(ctx: Ctx, status: int = 200, reveal: bool = False, **extra) -> Response:
    case_id = ctx.path_params["case_id"]
    # cases.show asks the one need-to-know rule itself: a refusal (Forbidden) and a missing case
    # (NotFound) both become the same 404 in page.signed_in, with no second check to pay for.
    view = cases.show(ctx.app, ctx.actor, case_id, with_identity=reveal)
    extra.setdefault("findings", [])
    extra.setdefault("blocked", None)
    extra.setdefault("typed", {})
    for key, empty in (("support_blocked", None), ("support_findings", []), ("support_problems", []),
                       ("support_typed", {})):
        extra.setdefault(key, empty)
    extra["support_errors"] = dict(extra["support_problems"])
    # The latest risk and the claims' amounts, each only where the person's need to know covers it.
    summary = case_summary.summary(ctx.app, ctx.actor, case_id)
    latest = summary.get("risk")
    if latest:
        latest = dict(latest, reasons=[(*factor_words(f["factor"]), f["weight"]) for f in latest["factors"]])
    return ctx.render("case.html", status, title=view["case"], view=view, reveal=reveal and "identity" in view,
                      reads_risk="risk" in summary, latest=latest, claims=summary.get("claims"),
                      may_reveal=bool(visible_identity_fields(ctx.actor, view["coordinator"])),
                      stages=[s.value for s in Stage], end_reasons=END_REASONS,
                      may_consent=ctx.actor.role in PERMISSIONS["consent.record"],
                      may_risk=ctx.actor.role in PERMISSIONS["risk.read"],
                      may_support=ctx.actor.role in PERMISSIONS["service.change"], **extra)


@signed_in
def case_page(ctx: Ctx) -> Response:
    return _case(ctx)


@signed_in
def show_identity(ctx: Ctx) -> Response:
    return _case(ctx, reveal=True)


@signed_in
def change_stage(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    accounts.require_case(ctx.app, ctx.actor, case_id)
    target, reason = ctx.text("target"), ctx.text("reason")
    overrides = {k.split(":", 1)[1]: str(v) for k, v in ctx.form.multi_items() if k.startswith("override:") and str(v).strip()}
    try:
        cases.change_stage(ctx.app, ctx.actor, case_id, target, reason, overrides)
    except (ActionBlocked, IllegalTransition, InputProblems) as exc:
        # Show the rule, its plain explanation, the Guide section, and an override box where the
        # rule allows one: the same findings `witness check` prints.
        findings = guardrails.dry_run(ctx.app, ctx.actor, "stage_change", case_id, {"target": target}) \
            if isinstance(exc, ActionBlocked) and target in {s.value for s in Stage} else []
        return _case(ctx, 409, findings=findings, blocked=str(exc).splitlines()[0],
                     typed={"target": target, "reason": reason})
    return see_other(f"/cases/{case_id}")
