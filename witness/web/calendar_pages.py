"""Calendar subscriptions on the web (R-114): the person's own secret feed link — made, rotated,
revoked — and the feed itself at /feeds/<token>.ics for their calendar app (no sign-in: the
secret link is the credential, so it answers 404 for anything but a live link)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from witness.errors import NotFound
from witness.services import subscriptions
from witness.web.languages import N_
from witness.web.page import Ctx, not_found, render, signed_in


def _page(ctx: Ctx, token: str | None = None, status: int = 200, revoked: bool = False) -> Response:
    links = None
    if token:
        where = f"{ctx.request.url.netloc}/feeds/{token}.ics"
        links = {"webcal": f"webcal://{where}", "plain": f"{ctx.request.url.scheme}://{where}"}
    return ctx.render("calendar.html", status, title=N_("Calendar"), has_feed=subscriptions.audience_of(ctx.actor)
                      is not None, live_since=subscriptions.live_since(ctx.app, ctx.actor), links=links,
                      revoked=revoked)


@signed_in
def calendar_page(ctx: Ctx) -> Response:
    return _page(ctx)


@signed_in
def make_link(ctx: Ctx) -> Response:
    # The token is shown in this answer only (it is kept hashed): the page is the one place it appears.
    return _page(ctx, token=subscriptions.issue(ctx.app, ctx.actor))


@signed_in
def revoke_link(ctx: Ctx) -> Response:
    subscriptions.revoke(ctx.app, ctx.actor)
    return _page(ctx, revoked=True)


async def calendar_feed(request: Request) -> Response:
    try:
        ics = await run_in_threadpool(subscriptions.feed, request.app.state.witness, request.path_params["token"])
    except NotFound:
        return render(request, "not_found.html", 404, title=N_("Not found"))
    return Response(ics, media_type="text/calendar; charset=utf-8",
                    headers={"content-disposition": 'inline; filename="witness.ics"'})
