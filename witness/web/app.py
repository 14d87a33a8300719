"""The web application factory: routes, static files, and the security middleware around them."""
from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from witness.errors import StoreBusy
from witness.web import assignments, calendar_pages, case_pages, intake_form, signin, today
from witness.web import audit_page, claim_pages, hearing_pages, user_pages
from witness.web import consent_pages, guardian_pages, record_pages, resource_pages, risk_pages, support_pages
from witness.web.languages import N_
from witness.web.page import environment, render
from witness.web.security import AccessLog, BodyLimit, SecurityHeaders

STATIC = Path(__file__).parent / "static"


async def _not_found(request: Request, exc):
    return render(request, "not_found.html", 404, title=N_("Not found"))


async def _server_error(request: Request, exc):
    # No traceback, no exception text: either could carry a name from a form.
    return render(request, "error.html", 500, title=N_("Error"), message=N_("Something went wrong; nothing was changed."))


async def _busy(request: Request, exc):
    # SQLite's one writer was held longer than the busy timeout (many people at once): nothing was
    # written, and the same request will work in a moment. 503 says so to browsers and proxies.
    response = render(request, "error.html", 503, title=N_("Busy"),
                      message=N_("The system is busy with other people's work; nothing was changed. "
                                 "Try again in a moment."))
    response.headers["retry-after"] = "2"
    return response


def routes() -> list:
    return [
        Route("/", signin.home),
        Route("/signin", signin.signin_page, methods=["GET"]),
        Route("/signin", signin.signin_submit, methods=["POST"]),
        Route("/signout", signin.signout, methods=["POST"]),
        Route("/setup/{token}", signin.setup_page, methods=["GET"]),
        Route("/setup/{token}", signin.setup_submit, methods=["POST"]),
        Route("/account", signin.account_page, methods=["GET"]),
        Route("/account/password", signin.password_submit, methods=["POST"]),
        Route("/account/language", signin.language_submit, methods=["POST"]),
        Route("/today", today.today, methods=["GET"]),
        Route("/today/{item_id:int}/done", today.item_done, methods=["POST"]),
        Route("/today/{item_id:int}/snooze", today.item_snooze, methods=["POST"]),
        Route("/today/{item_id:int}/escalate", today.escalate, methods=["POST"]),
        Route("/cases", case_pages.case_list, methods=["GET"]),
        Route("/cases/{case_id}", case_pages.case_page, methods=["GET"]),
        Route("/cases/{case_id}/identity", case_pages.show_identity, methods=["POST"]),
        Route("/cases/{case_id}/stage", case_pages.change_stage, methods=["POST"]),
        Route("/cases/{case_id}/contact", today.record_contact, methods=["POST"]),
        Route("/cases/{case_id}/call-script", today.call_script, methods=["GET"]),
        Route("/cases/{case_id}/consent", consent_pages.consent_page, methods=["GET"]),
        Route("/cases/{case_id}/consent", consent_pages.give, methods=["POST"]),
        Route("/cases/{case_id}/consent/withdraw", consent_pages.withdraw, methods=["POST"]),
        Route("/cases/{case_id}/guardian", guardian_pages.guardian_page, methods=["GET"]),
        Route("/cases/{case_id}/guardian", guardian_pages.record_guardian, methods=["POST"]),
        Route("/cases/{case_id}/risk", risk_pages.risk_page, methods=["GET"]),
        Route("/cases/{case_id}/risk", risk_pages.assess, methods=["POST"]),
        Route("/cases/{case_id}/services/end", support_pages.end_service, methods=["POST"]),
        Route("/cases/{case_id}/records", record_pages.case_records, methods=["GET"]),
        Route("/intake", intake_form.intake_page, methods=["GET"]),
        Route("/intake", intake_form.intake_submit, methods=["POST"]),
        Route("/assignments", assignments.my_assignments, methods=["GET"]),
        Route("/calendar", calendar_pages.calendar_page, methods=["GET"]),
        Route("/calendar/link", calendar_pages.make_link, methods=["POST"]),
        Route("/calendar/revoke", calendar_pages.revoke_link, methods=["POST"]),
        Route("/feeds/{token}.ics", calendar_pages.calendar_feed, methods=["GET"]),
        Route("/hearings", hearing_pages.hearing_list, methods=["GET"]),
        Route("/hearings/{hearing_id}", hearing_pages.hearing_page, methods=["GET"]),
        Route("/hearings/{hearing_id}/request", hearing_pages.request_measures, methods=["POST"]),
        Route("/hearings/{hearing_id}/measures/{measure_id}/decide", hearing_pages.decide_measure, methods=["POST"]),
        Route("/hearings/{hearing_id}/application", hearing_pages.application_pdf, methods=["POST"]),
        Route("/claims", claim_pages.portfolio, methods=["GET"]),
        Route("/claims/report", claim_pages.report, methods=["GET"]),
        Route("/claims/report.csv", claim_pages.report_csv, methods=["GET"]),
        Route("/claims/{claim_id}", claim_pages.claim_page, methods=["GET"]),
        Route("/claims/{claim_id}/resolve", claim_pages.resolve, methods=["POST"]),
        Route("/claims/{claim_id}/payments", claim_pages.record_payment, methods=["POST"]),
        Route("/resources", resource_pages.resource_list, methods=["GET"]),
        Route("/audit", audit_page.audit_page, methods=["GET"]),
        Route("/audit/verify", audit_page.verify, methods=["POST"]),
        Route("/users", user_pages.user_list, methods=["GET"]),
        Route("/users", user_pages.add_user, methods=["POST"]),
        Route("/users/{login}", user_pages.user_page, methods=["GET"]),
        Route("/users/{login}/disable", user_pages.disable_user, methods=["POST"]),
        Route("/users/{login}/reset", user_pages.reset_user, methods=["POST"]),
        Route("/users/{login}/assign", user_pages.assign_user, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(witness_app, secure_cookies: bool = False) -> Starlette:
    """`witness_app` is the composition root's App (settings, store, keys, clock)."""
    web = Starlette(routes=routes(), exception_handlers={404: _not_found, 405: _not_found, 500: _server_error,
                                                        StoreBusy: _busy},
                    middleware=[Middleware(AccessLog), Middleware(SecurityHeaders), Middleware(BodyLimit)])
    web.state.witness = witness_app
    web.state.templates = environment(Path(witness_app.settings.templates_dir) / "web")
    web.state.secure_cookies = secure_cookies
    return web
