"""The coordinator's Today page (R-112): urgent release alerts pinned first, then what is due,
then what comes later; each item with the action that clears it."""
from __future__ import annotations

from collections import Counter
from datetime import timezone

from starlette.responses import Response

from witness.domain.worklist import SNOOZE_PERIODS, SNOOZE_REASONS, is_urgent
from witness.errors import InputProblems
from witness.domain.access import PERMISSIONS
from witness.services import acknowledgements, notices, urgent_contact, worklist
from witness.web import languages
from witness.web.languages import N_
from witness.web.page import Ctx, see_other, signed_in

PERIOD_WORDS = {"1h": N_("1 hour"), "4h": N_("4 hours"), "1d": N_("1 day"), "3d": N_("3 days")}


def _local_times(profiles, items: list[dict]) -> None:
    """Each item's due time in its case's jurisdiction (stored in UTC). An item about no one case
    is shown in the coordinator's own zone: the one most of their items are in (else UTC)."""
    zones = [profiles[i["jurisdiction"]].tz for i in items if i.get("jurisdiction") in profiles]
    home = Counter(zones).most_common(1)[0][0] if zones else timezone.utc
    for i in items:
        zone = profiles[i["jurisdiction"]].tz if i.get("jurisdiction") in profiles else home
        i["due_local"] = i["due_at"].astimezone(zone)


# The one form that clears an item (design: "a button or a link to the exact form"), by kind.
ACTIONS = {
    "risk_review": ("/cases/{case}/risk", N_("Assess the risk")),
    "initial_risk": ("/cases/{case}/risk", N_("Assess the risk")),
    "reassess_risk": ("/cases/{case}/risk", N_("Assess the risk")),
    "consent_withdrawn": ("/cases/{case}/consent", N_("Open the consents")),
    "guardian_pending": ("/cases/{case}/guardian", N_("Record the guardian")),
    "guardian_complicity": ("/cases/{case}/guardian", N_("Record the guardian")),
    "hearing_gap": ("/hearings/{hearing}", N_("Open the hearing")),  # key: gap:<hearing>:<case>:...
}


def _action(i: dict) -> tuple[str, str] | None:
    found = ACTIONS.get(i["kind"])
    if found is None or not i.get("case_id"):
        return None
    path, words = found
    hearing = (i.get("key") or "").split(":")[1] if "{hearing}" in path and (i.get("key") or "").startswith("gap:") else None
    if "{hearing}" in path and not hearing:
        return None
    return path.format(case=i["case_id"], hearing=hearing), words


# Urgent alerts about a freed accused: the call script has something to tell the victim.
SCRIPTED = frozenset({"release_escalation", "urgent_undelivered", "notice_call", "notice_dead_letter"})


def _page(ctx: Ctx, status: int = 200, error: str | None = None) -> Response:
    items = worklist.open_items(ctx.app, ctx.actor)
    _local_times(ctx.app.profiles, items)
    now = ctx.app.clock.now()
    for i in items:  # how long the alert has waited (the design's "minutes since")
        i["minutes"] = max(0, int((now - i["due_at"]).total_seconds() // 60))
        i["scripted"] = i["kind"] in SCRIPTED
        i["action"] = _action(i)
    urgent = [i for i in items if is_urgent(i["kind"], i["detail"])]
    tried = _channels_tried(ctx, {i["case_id"] for i in urgent if i["case_id"]})
    for i in urgent:
        i["tried"] = tried.get(i["case_id"], [])
    rest = [i for i in items if not is_urgent(i["kind"], i["detail"])]
    return ctx.render("today.html", status, title=N_("Today"), urgent=urgent,
                      due=[i for i in rest if i["due_at"] <= now], later=[i for i in rest if i["due_at"] > now],
                      periods={p: PERIOD_WORDS.get(p, p) for p in SNOOZE_PERIODS}, reasons=SNOOZE_REASONS, error=error)


def _channels_tried(ctx: Ctx, case_ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    """For each case with an urgent alert: the channels its unacknowledged urgent notices to the
    victim (or guardian) went by, with their state (the design's "channel tried")."""
    if ctx.actor.role not in PERMISSIONS["notice.read"]:
        return {}
    return notices.urgent_channels(ctx.app, ctx.actor, case_ids)


@signed_in
def today(ctx: Ctx) -> Response:
    return _page(ctx)


def _item_id(ctx: Ctx) -> int:
    raw = ctx.path_params["item_id"]
    return raw if isinstance(raw, int) else int(raw)


@signed_in
def item_done(ctx: Ctx) -> Response:
    worklist.mark_done(ctx.app, ctx.actor, _item_id(ctx))
    return see_other("/today")


@signed_in
def item_snooze(ctx: Ctx) -> Response:
    try:
        worklist.snooze(ctx.app, ctx.actor, _item_id(ctx), ctx.text("period"), ctx.text("reason"))
    except InputProblems as exc:
        return _page(ctx, 422, error="; ".join(f"{p}: {m}" for p, m in exc.problems))
    return see_other("/today")


@signed_in
def record_contact(ctx: Ctx) -> Response:
    acknowledgements.record_contact(ctx.app, ctx.actor, ctx.path_params["case_id"])
    return see_other("/today")


@signed_in
def escalate(ctx: Ctx) -> Response:
    try:
        urgent_contact.escalate(ctx.app, ctx.actor, _item_id(ctx))
    except InputProblems as exc:
        return _page(ctx, 422, error="; ".join(f"{p}: {m}" for p, m in exc.problems))
    return see_other("/today")


@signed_in
def call_script(ctx: Ctx) -> Response:
    """What to say when calling the victim about a freed accused: her language and the reader's."""
    reader = languages.choose(ctx.session.language, ctx.request.headers.get("accept-language"))
    found = urgent_contact.call_script(ctx.app, ctx.actor, ctx.path_params["case_id"], reader)
    return ctx.render("call_script.html", title=N_("Call script"), found=found, script=found["script"])
