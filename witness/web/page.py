"""What every route shares: the signed-in person, the CSRF check, rendering, and turning the
application's errors into pages. A refusal and a missing record both answer 404 (R-111): a 403
would confirm that the record exists."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from witness.domain.access import PERMISSIONS, Actor, Role
from witness.errors import Forbidden, NotFound, StoreBusy, WitnessError
from witness.services import accounts, subscriptions
from witness.web import languages
from witness.web.languages import N_

SESSION_COOKIE = "witness_session"
FORM_COOKIE = "witness_form"  # the double-submit token for forms shown before sign-in
NAV = [  # (path, label, who may see it): the role's pages, in the order of the design brief
    ("/today", N_("Today"), lambda a: a.role in PERMISSIONS["worklist.read"]),
    ("/cases", N_("Cases"), lambda a: a.role in PERMISSIONS["case.list"]),
    ("/intake", N_("New case"), lambda a: a.role in PERMISSIONS["case.intake"]),
    ("/assignments", N_("My assignments"), lambda a: a.role in (Role.escort, Role.interpreter)),
    ("/hearings", N_("Hearings"), lambda a: a.role in PERMISSIONS["hearing.read"]),
    ("/claims", N_("Claims"), lambda a: a.role in PERMISSIONS["claim.portfolio"]),
    ("/claims/report", N_("Restitution report"), lambda a: a.role in PERMISSIONS["claim.report"]),
    ("/audit", N_("Audit"), lambda a: a.role in PERMISSIONS["audit.verify"]),
    ("/users", N_("Accounts"), lambda a: a.role in accounts.MANAGE_ROLES),
    ("/resources", N_("Resources"), lambda a: a.role in PERMISSIONS["resource.read"]),
    ("/calendar", N_("Calendar"), lambda a: a.role in subscriptions.AUDIENCE_BY_ROLE),
    ("/account", N_("Account"), lambda a: True),
]


def environment(templates_dir) -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    # Plain words, not internal codes, in the reader's language where the catalog has the word.
    env.filters["label"] = lambda v: languages.gettext(str(v).replace("_", " "))
    env.filters["t"] = lambda v: languages.gettext(str(v))  # a title or label chosen in Python (N_)
    languages.install(env)
    return env


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    env: Environment = request.app.state.templates
    context.setdefault("actor", None)
    context.setdefault("csrf", "")
    context.setdefault("title", "")
    actor = context["actor"]
    context["nav"] = [(p, label) for p, label, show in NAV if actor and show(actor)]
    context["path"] = request.url.path
    lang = languages.choose(context.pop("language", None), request.headers.get("accept-language"))
    context["lang"], context["languages"] = lang, languages.LANGUAGES
    with languages.speaking(lang):
        html = env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={"content-language": lang, "vary": "accept-language"})


def form_answer(problems=(), typed: dict | None = None, **more) -> dict:
    """What a form page shows after a post that wrote nothing: each `field.path: message` beside its
    field (`errors`), the list above the form (`problems`), and what was typed, kept (`typed`)."""
    return dict(errors=dict(problems), problems=list(problems), typed=typed or {}, **more)


def cookie_flags(request: Request) -> dict:
    return dict(httponly=True, samesite="strict", secure=request.app.state.secure_cookies, path="/")


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@dataclass
class Ctx:
    """One signed-in request: the person, the posted form (CSRF already checked), the app."""

    request: Request
    app: object
    session: accounts.Session
    form: FormData | None = None
    path_params: dict = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return self.session.actor

    def render(self, template: str, status: int = 200, **context) -> HTMLResponse:
        return render(self.request, template, status, actor=self.actor, csrf=self.session.csrf,
                      language=self.session.language, **context)

    def text(self, name: str) -> str:
        return str(self.form.get(name, "")) if self.form is not None else ""


def not_found(ctx_or_request, actor: Actor | None = None) -> HTMLResponse:
    if isinstance(ctx_or_request, Ctx):
        return ctx_or_request.render("not_found.html", 404, title=N_("Not found"))
    return render(ctx_or_request, "not_found.html", 404, actor=actor, title=N_("Not found"))


def signed_in(handler: Callable[[Ctx], Response]):
    """Wrap a synchronous page handler: session first (GET without one goes to sign-in), CSRF on
    every POST, the handler in a worker thread (the services are synchronous), errors to pages."""

    async def endpoint(request: Request) -> Response:
        wapp = request.app.state.witness
        session = await run_in_threadpool(accounts.session, wapp, request.cookies.get(SESSION_COOKIE))
        if session is None:
            if request.method == "GET":
                return see_other("/signin")
            return render(request, "error.html", 403, title=N_("Signed out"),
                          message=N_("Your session has ended. Sign in again; nothing was changed."))
        form = None
        if request.method == "POST":
            form = await request.form()
            if not hmac.compare_digest(str(form.get("csrf", "")).encode(), session.csrf.encode()):
                return render(request, "error.html", 403, actor=session.actor, csrf=session.csrf,
                              language=session.language, title=N_("Form expired"),
                              message=N_("This form has expired. Go back, reload the page and try again; nothing was changed."))
        ctx = Ctx(request, wapp, session, form, dict(request.path_params))
        try:
            return await run_in_threadpool(handler, ctx)
        except (NotFound, Forbidden):
            return not_found(ctx)
        except StoreBusy:
            raise  # not the person's mistake: the application answers 503 (app.py)
        except WitnessError as exc:  # messages name fields and pseudonyms only (witness.errors)
            return ctx.render("error.html", 400, title=N_("Not done"), message=str(exc))

    endpoint.__name__ = handler.__name__
    return endpoint


def form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)


def form_token_ok(request: Request, form: FormData) -> bool:
    cookie = request.cookies.get(FORM_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(str(form.get("csrf", "")).encode(), cookie.encode())
