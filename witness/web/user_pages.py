"""The admin's accounts pages (R-112): the people who sign in, and for each one disable, reset and
assign (role, cases), on witness/services/accounts.py.

A set-up link (from "Add" or "Reset") is a credential: it is shown once, in the answer to the POST
that made it — never in a URL, a redirect or the log — and only its hash is stored. Logins are
staff user names, never a victim's.
"""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.account import SIGN_IN_ROLES, setup_link
from witness.errors import InputProblems
from witness.services import accounts, roster
from witness.web.page import Ctx, form_answer, see_other, signed_in

ROLES = sorted(r.value for r in SIGN_IN_ROLES)


def _link(ctx: Ctx, token: str) -> str:
    return setup_link(str(ctx.request.base_url), token)


def _list(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None, made: dict | None = None) -> Response:
    return ctx.render("users.html", status, title="Accounts", people=roster.people(ctx.app, ctx.actor), roles=ROLES,
                      made=made, **form_answer(problems, typed))


def _person(ctx: Ctx, status: int = 200, problems=(), typed: dict | None = None, made: dict | None = None) -> Response:
    login = ctx.path_params["login"]
    [who] = roster.people(ctx.app, ctx.actor, login)
    return ctx.render("user.html", status, title=f"Account {login}", who=who, roles=ROLES, made=made,
                      **form_answer(problems, typed))


@signed_in
def user_list(ctx: Ctx) -> Response:
    return _list(ctx)


@signed_in
def add_user(ctx: Ctx) -> Response:
    login, role = ctx.text("user").strip(), ctx.text("role")
    try:
        token = accounts.add(ctx.app, ctx.actor, login, role)
    except InputProblems as exc:
        return _list(ctx, 422, exc.problems, {"user": login, "role": role})
    return _list(ctx, made={"login": login, "role": role, "link": _link(ctx, token)})


@signed_in
def user_page(ctx: Ctx) -> Response:
    return _person(ctx)


@signed_in
def disable_user(ctx: Ctx) -> Response:
    login = ctx.path_params["login"]
    accounts.disable(ctx.app, ctx.actor, login)
    return see_other(f"/users/{login}")


@signed_in
def reset_user(ctx: Ctx) -> Response:
    login = ctx.path_params["login"]
    token = accounts.reset(ctx.app, ctx.actor, login)
    return _person(ctx, made={"login": login, "link": _link(ctx, token)})


@signed_in
def assign_user(ctx: Ctx) -> Response:
    login = ctx.path_params["login"]
    role, add = ctx.text("role").strip(), ctx.text("add_case").strip()
    remove = [str(v) for v in ctx.form.getlist("remove_case")]
    try:
        accounts.assign(ctx.app, ctx.actor, login, role or None, [add] if add else [], remove)
    except InputProblems as exc:
        return _person(ctx, 422, exc.problems, {"role": role, "add_case": add})
    return see_other(f"/users/{login}")
