"""A case's hearings, notices and documents (R-112): the hearings the victim is party to or appears
at (each a link to its measures board), each notice sent, queued or failed with the reason and its
acknowledgement; the register of generated documents with their versions. Kept off the case
page itself: each list is an audited read, and the case page is the one opened all day.

Who sees which list is the services' answer (notice.read, document.read): a person who may read
one list and not the other sees that one only. Pseudonyms, kinds, channels and states: no name."""
from __future__ import annotations

from starlette.responses import Response

from witness.domain.access import PERMISSIONS
from witness.services import cases, documents, hearings, notices
from witness.web.languages import N_
from witness.web.page import Ctx, signed_in


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


@signed_in
def case_records(ctx: Ctx) -> Response:
    case_id = ctx.path_params["case_id"]
    view = cases.show(ctx.app, ctx.actor, case_id, with_identity=False)  # need to know: refused or missing -> 404
    role = ctx.actor.role
    sent = notices.list_notices(ctx.app, ctx.actor, case_id) if role in PERMISSIONS["notice.read"] else None
    register = documents.register(ctx.app, ctx.actor, case_id) if role in PERMISSIONS["document.read"] else None
    sittings = hearings.list_hearings(ctx.app, ctx.actor, case_id, include_past=True) \
        if role in PERMISSIONS["hearing.read"] else None
    for n in sent or []:
        n["when"] = _when(n["sent_at"] or n["next_attempt_at"] or n["created_at"])
        n["acknowledged"] = _when(n["acknowledged_at"])
    for d in register or []:
        d["when"] = _when(d["generated_at"])
    return ctx.render("records.html", title=N_("Notices and documents"), view=view, sent=sent, register=register,
                      sittings=sittings)
