"""Signing in and out, the one-time set-up link (password and authenticator), changing the password."""
from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from witness.domain.access import PERMISSIONS, Role
from witness.errors import InputProblems, NotFound
from witness.services import accounts
from witness.web import languages
from witness.web.languages import N_
from witness.web.page import (FORM_COOKIE, SESSION_COOKIE, Ctx, cookie_flags, form_token, form_token_ok, render,
                              see_other, signed_in)

# accounts.GENERIC_FAILURE as a sentence, marked for the catalogs (one wording for every failure).
SIGN_IN_FAILED = N_("Sign-in failed: the name, password or code is wrong, or the account is locked for a while.")


def _with_form_cookie(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(FORM_COOKIE, token, **cookie_flags(request))
    return response


async def signin_page(request: Request) -> Response:
    token = form_token(request)
    ready = request.query_params.get("ready") == "1"
    return _with_form_cookie(request, render(request, "signin.html", title=N_("Sign in"), csrf=token, ready=ready,
                                             error=None), token)


async def signin_submit(request: Request) -> Response:
    form = await request.form()
    token = form_token(request)
    if not form_token_ok(request, form):
        return _with_form_cookie(request, render(request, "signin.html", 403, title=N_("Sign in"), csrf=token, ready=False,
                                                 error=N_("The form had expired. Please try again.")), token)
    try:
        raw, _ = await run_in_threadpool(accounts.sign_in, request.app.state.witness, str(form.get("login", "")),
                                         str(form.get("password", "")), str(form.get("code", "")))
    except accounts.SignInFailed:
        return _with_form_cookie(request, render(request, "signin.html", 401, title=N_("Sign in"), csrf=token, ready=False,
                                                 error=SIGN_IN_FAILED), token)
    response = see_other("/")
    response.set_cookie(SESSION_COOKIE, raw, **cookie_flags(request))
    response.delete_cookie(FORM_COOKIE, path="/")
    return response


@signed_in
def signout(ctx: Ctx) -> Response:
    accounts.sign_out(ctx.app, ctx.request.cookies.get(SESSION_COOKIE))
    response = see_other("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@signed_in
def home(ctx: Ctx) -> Response:
    role = ctx.actor.role
    if role in PERMISSIONS["worklist.read"]:
        return see_other("/today")
    if role in PERMISSIONS["case.list"]:
        return see_other("/cases")
    if role in (Role.escort, Role.interpreter):
        return see_other("/assignments")
    return see_other("/account")


def _qr(uri: str) -> Markup:
    # segno writes the SVG from the URI alone (no user text), so it is safe to embed as markup.
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff",
                                                        title="Second-factor set-up code"))


def _setup_render(request: Request, enrolment: accounts.Enrolment, token: str, status: int = 200, errors=None):
    return _with_form_cookie(request, render(
        request, "setup.html", status, title=N_("Set up your account"), csrf=token, login=enrolment.login,
        role=enrolment.role.value, secret=enrolment.totp_secret,
        qr=_qr(enrolment.totp_uri) if enrolment.totp_uri else None, errors=dict(errors or [])), token)


async def setup_page(request: Request) -> Response:
    wapp = request.app.state.witness
    try:
        enrolment = await run_in_threadpool(accounts.enrolment, wapp, request.path_params["token"])
    except NotFound as exc:
        return render(request, "error.html", 404, title=N_("Link not valid"), message=str(exc).split(": ", 1)[1])
    return _setup_render(request, enrolment, form_token(request))


async def setup_submit(request: Request) -> Response:
    wapp = request.app.state.witness
    link = request.path_params["token"]
    form = await request.form()
    token = form_token(request)
    try:
        enrolment = await run_in_threadpool(accounts.enrolment, wapp, link)
    except NotFound as exc:
        return render(request, "error.html", 404, title=N_("Link not valid"), message=str(exc).split(": ", 1)[1])
    if not form_token_ok(request, form):
        return _setup_render(request, enrolment, token, 403, [("form", "the form had expired; please try again")])
    try:
        actor = await run_in_threadpool(accounts.complete_setup, wapp, link, str(form.get("password", "")),
                                        str(form.get("repeat", "")), str(form.get("code", "")))
    except InputProblems as exc:
        return _setup_render(request, enrolment, token, 422, exc.problems)
    # The person's pages start in the language their browser asked for at set-up; the Account page changes it.
    browser = languages.from_accept_language(request.headers.get("accept-language"))
    if browser and browser != languages.DEFAULT:
        await run_in_threadpool(accounts.set_language, wapp, actor, browser)
    return see_other("/signin?ready=1")


@signed_in
def account_page(ctx: Ctx) -> Response:
    return ctx.render("account.html", title=N_("Account"), errors={})


@signed_in
def password_submit(ctx: Ctx) -> Response:
    try:
        accounts.change_password(ctx.app, ctx.actor, ctx.text("current"), ctx.text("password"), ctx.text("repeat"))
    except InputProblems as exc:
        return ctx.render("account.html", 422, title=N_("Account"), errors=dict(exc.problems))
    response = see_other("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@signed_in
def language_submit(ctx: Ctx) -> Response:
    try:
        accounts.set_language(ctx.app, ctx.actor, ctx.text("language"))
    except InputProblems as exc:
        return ctx.render("account.html", 422, title=N_("Account"), errors=dict(exc.problems))
    return see_other("/account")
