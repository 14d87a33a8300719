"""The prosecutor's pages (R-112): hearings by date and docket, and one hearing's measures board
with "Request", "Record decision" and the protective-measures application as a PDF download.

Every form posts to the measures and documents services; what a person may do is theirs to say
(need to know, Do No Harm). A hearing page lists only the witnesses whose measures the person may
read (hearing_board.cases_on), and every measure or case a form names must be one of those, so a
form cannot reach past the page it came from. The application is downloaded, never shown in a
URL: its file name carries the pseudonym, the language and the version, no name.
"""
from __future__ import annotations

import base64
import re
import subprocess

from starlette.responses import Response

from witness.domain.access import PERMISSIONS, require
from witness.errors import ActionBlocked, IllegalTransition, InputProblems, NotFound
from witness.services import documents, guardrails, hearing_board, hearings, measures
from witness.web.languages import N_
from witness.web.page import Ctx, form_answer, see_other, signed_in
from witness.web.words import Phrase

DECISIONS = ("granted", "partially_granted", "denied")


def _local(iso: str | None) -> str:
    """'2027-01-18T09:00:00+07:00' -> '2027-01-18 09:00 (UTC+07:00)': the court's own clock."""
    if not iso:
        return ""
    return f"{iso[:16].replace('T', ' ')} (UTC{iso[19:] or '+00:00'})"


@signed_in
def hearing_list(ctx: Ctx) -> Response:
    rows = hearing_board.hearings_of(ctx.app, ctx.actor)
    return ctx.render("hearings.html", title=N_("Hearings"), upcoming=[r for r in rows if not r["past"]],
                      past=[r for r in rows if r["past"]][::-1])


def _board(ctx: Ctx, hearing_id: str) -> tuple[list[str], dict, list[dict]]:
    """The witnesses this person is on, the hearing, and those witnesses' measures."""
    mine = hearing_board.cases_on(ctx.app, ctx.actor, hearing_id)
    view = hearings.show(ctx.app, ctx.actor, hearing_id)
    rows = [m for m in measures.list_measures(ctx.app, ctx.actor, hearing_id) if m["case"] in mine]
    return mine, view, rows


def _plain(line: str) -> str:
    """'W-AB12CD video_link: [no_resource_free] no suite free' -> 'W-AB12CD video link: no resource free — no suite free'."""
    head, _, rest = line.partition(": ")
    return f"{head.replace('_', ' ')}: " + re.sub(r"^\[([a-z_]+)\] ", lambda m: m.group(1).replace("_", " ") + " — ", rest)


def first_page_png(pdf: bytes) -> bytes | None:
    """The first page as a small grey PNG (poppler's pdftoppm, installed with the project's Debian
    packages), for the preview beside the download; None if it cannot be made (the download still works)."""
    try:
        done = subprocess.run(["pdftoppm", "-png", "-gray", "-scale-to", "560", "-f", "1", "-l", "1", "-singlefile", "-"],
                              input=pdf, capture_output=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout or None


def _page(ctx: Ctx, status: int = 200, form: str = "", problems=(), blocked: str | None = None, findings=(),
          typed: dict | None = None, preview: dict | None = None) -> Response:
    hearing_id = ctx.path_params["hearing_id"]
    mine, view, rows = _board(ctx, hearing_id)
    conflicts = [dict(c, line=_plain(c["line"])) for c in hearing_board.conflicts_on(ctx.app, ctx.actor, hearing_id)]
    witnesses = []
    for a in view["appearances"]:
        if a["case"] not in mine:
            continue
        witnesses.append(dict(a, measures=[dict(m, request_by=_local(m["request_by"]),
                                                 requested_at=_local(m["requested_at"]),
                                                 response_due_at=_local(m["response_due_at"]),
                                                 decided_at=_local(m["decided_at"]))
                                           for m in rows if m["case"] == a["case"]]))
    bookings = [dict(b, start=_local(b["from"]), end=_local(b["to"])) for b in view["bookings"] if b["case"] in mine]
    role = ctx.actor.role
    return ctx.render("hearing.html", status, title=Phrase(N_("Hearing %(hearing)s"), hearing=view["hearing"]), view=view,
                      at=_local(view["starts_at"]), until=_local(view["ends_at"]), witnesses=witnesses,
                      bookings=bookings, conflicts=conflicts, preview=preview, decisions=DECISIONS, form=form,
                      **form_answer(problems, typed, blocked=blocked, findings=list(findings)),
                      may_request=role in PERMISSIONS["measure.request"],
                      may_decide=role in PERMISSIONS["measure.decide"],
                      may_apply=role in PERMISSIONS["document.generate"])


@signed_in
def hearing_page(ctx: Ctx) -> Response:
    return _page(ctx)


def _on_page(ctx: Ctx, measure_ids: list[str]) -> list[dict]:
    """The measures named, each one this page shows; anything else is answered as missing."""
    hearing_id = ctx.path_params["hearing_id"]
    _, _, rows = _board(ctx, hearing_id)
    by_id = {m["id"]: m for m in rows}
    if any(mid not in by_id for mid in measure_ids):
        raise NotFound(f"measure: not on hearing {hearing_id}")
    return [by_id[mid] for mid in measure_ids]


def _overrides(ctx: Ctx) -> dict[str, str]:
    return {k.split(":", 1)[1]: str(v).strip() for k, v in ctx.form.multi_items()
            if k.startswith("override:") and str(v).strip()}


@signed_in
def request_measures(ctx: Ctx) -> Response:
    require(ctx.actor, "measure.request")  # before the form is read: the service checks the ids first
    hearing_id = ctx.path_params["hearing_id"]
    ids = [str(v) for v in ctx.form.getlist("measure")]
    chosen = _on_page(ctx, ids)
    try:
        measures.request(ctx.app, ctx.actor, ids, _overrides(ctx))
    except InputProblems as exc:
        return _page(ctx, 422, "request", exc.problems)
    except ActionBlocked as exc:
        # The rule, its plain explanation and the Guide section, with an override box where the
        # rule allows one: the same findings `witness check` prints for each measure asked for.
        findings = {}
        for m in chosen:
            for f in guardrails.dry_run(ctx.app, ctx.actor, "request_measure", m["case"], {"measure": m["kind"]}):
                findings.setdefault(f.rule, f)
        return _page(ctx, 409, "request", blocked=str(exc).splitlines()[0], findings=findings.values(),
                     typed={"measures": ids})
    return see_other(f"/hearings/{hearing_id}")


@signed_in
def decide_measure(ctx: Ctx) -> Response:
    hearing_id, measure_id = ctx.path_params["hearing_id"], ctx.path_params["measure_id"]
    _on_page(ctx, [measure_id])
    decision, note = ctx.text("decision"), ctx.text("note")
    try:
        measures.decide(ctx.app, ctx.actor, measure_id, decision, note.strip() or None)
    except InputProblems as exc:
        return _page(ctx, 422, f"decide:{measure_id}", exc.problems, typed={"decision": decision, "note": note})
    except (ActionBlocked, IllegalTransition) as exc:
        return _page(ctx, 409, f"decide:{measure_id}", blocked=str(exc).splitlines()[0])
    return see_other(f"/hearings/{hearing_id}")


@signed_in
def application_pdf(ctx: Ctx) -> Response:
    """Generate the protective-measures application for one witness at this hearing and hand it over
    as a download (registered and audited by the documents service)."""
    hearing_id, case_id = ctx.path_params["hearing_id"], ctx.text("case")
    if case_id not in hearing_board.cases_on(ctx.app, ctx.actor, hearing_id):
        raise NotFound(f"case: not at hearing {hearing_id}")
    late_reason, with_name = ctx.text("late_reason").strip(), ctx.text("with_name") == "1"
    request = documents.Request("protective_measures", case_id, hearing_id=hearing_id, with_name=with_name,
                                supplement={"late_reason": late_reason} if late_reason else {})
    form, typed = f"application:{case_id}", {"late_reason": late_reason, "with_name": with_name}
    try:
        made = documents.generate(ctx.app, ctx.actor, request)
    except InputProblems as exc:
        return _page(ctx, 422, form, exc.problems, typed=typed)
    except ActionBlocked as exc:
        return _page(ctx, 409, form, blocked="; ".join(str(exc).splitlines()), typed=typed)
    if ctx.text("preview") == "1":  # the first page as an image on the page, the same form to download
        png = first_page_png(made.pdf)
        return _page(ctx, form=form, typed=typed, preview={
            "case": case_id, "version": made.version, "language": made.language, "pages": made.pages,
            "image": base64.b64encode(png).decode() if png else None})
    name = f"{made.case_id}-{made.kind}-{made.language}-v{made.version}.pdf"
    return Response(made.pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
