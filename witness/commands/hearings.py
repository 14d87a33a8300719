"""Hearings, protective measures, resources, plans and calendars (R-60…R-63):
`witness hearing ...`, `witness measures ID`, `witness measure ...`, `witness resources ...`,
`witness plan HEARING`, `witness calendar --audience ROLE --out FILE`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.commands.context import OverrideOpt
from witness.terminal import echo, echo_json, table, when  # every line escaped; JSON through json_text


def _when(text: str, field: str):
    from witness.clock import parse_instant
    from witness.errors import InputProblems

    try:
        return parse_instant(text)
    except ValueError as exc:
        raise InputProblems([(field, str(exc))]) from None


def _witness(case: str, mode: str | None, travel: int | None, interpreter: str | None, language: str | None,
             escort: list[str] | None, cross: bool, ask_address: bool) -> dict:
    case, _, inline_mode = case.partition(":")
    w = {"case": case, "mode": mode or inline_mode or "in_person", "travel_minutes": travel,
         "interpreter": interpreter, "language": language, "escorts": escort or [], "defendant_cross_examines": cross}
    if ask_address:
        # Asked for, not passed as an argument: an address must not end up in the shell history.
        w["pickup_address"] = typer.prompt(f"pick-up address for {case} (stored encrypted)", hide_input=True)
    return w


def _echo_result(r: dict) -> None:
    echo(f"{r['hearing']} at {when(r['at'])}: {r['recommended']} measure(s) recommended, {r['booked']} booked, "
               f"{r['released']} released")
    for c in r["conflicts"]:
        echo(f"  CONFLICT {c}")


def register(app: typer.Typer) -> None:
    hearing_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                              help="Hearings: set, move, cancel, record as held (R-61).")
    measure_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                              help="Protective measures: add, request, record the court's decision (R-60, R-61).")
    resources_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                                help="Escort officers, video-link suites, screens, rooms (R-62).")
    app.add_typer(hearing_app, name="hearing")
    app.add_typer(measure_app, name="measure")
    app.add_typer(resources_app, name="resources")

    @hearing_app.command("add")
    def hearing_add(
        docket: Annotated[str, typer.Argument(help="The proceeding's docket")],
        at: Annotated[str, typer.Option(help="Start, ISO-8601 with offset")],
        hours: Annotated[float, typer.Option(help="How long")] = 3.0,
        kind: Annotated[str, typer.Option(help="trial, pre_trial, witness_examination, ...")] = "trial",
        jurisdiction: Annotated[Optional[str], typer.Option(help="If the docket exists in several states")] = None,
        room: Annotated[Optional[str], typer.Option()] = None,
        witness: Annotated[Optional[list[str]], typer.Option(help="CASE or CASE:MODE (in_person, video_link, recorded)")] = None,
        travel: Annotated[Optional[int], typer.Option(help="One witness: travel minutes one way")] = None,
        interpreter: Annotated[Optional[str], typer.Option(help="One witness: interpreter id")] = None,
        language: Annotated[Optional[str], typer.Option(help="One witness: language interpreted")] = None,
        escort: Annotated[Optional[list[str]], typer.Option(help="One witness: an officer the victim asked for")] = None,
        defendant_cross_examines: Annotated[bool, typer.Option("--defendant-cross-examines")] = False,
        with_pickup_address: Annotated[bool, typer.Option("--with-pickup-address", help="Prompt for it (hidden)")] = False,
        override: OverrideOpt = None,
    ):
        """Set a hearing; it is prepared at once (measures, plan, bookings, calendars)."""
        from datetime import timedelta

        from witness.errors import InputProblems
        from witness.services.hearings import add

        cases = witness or []
        detailed = any([travel is not None, interpreter, language, escort, defendant_cross_examines, with_pickup_address])
        if detailed and len(cases) != 1:
            raise InputProblems([("--witness", "per-witness options need exactly one --witness; add others with "
                                               "`witness hearing appear`")])
        ws = [_witness(c, None, travel, interpreter, language, escort, defendant_cross_examines, with_pickup_address)
              for c in cases]
        start = _when(at, "--at")
        _echo_result(add(context.app(), context.actor(), docket, start, start + timedelta(hours=hours), kind, jurisdiction, room, ws,
                         context.overrides(override)))

    @hearing_app.command("appear")
    def hearing_appear(
        hearing_id: str, case_id: str,
        mode: Annotated[str, typer.Option(help="in_person, video_link or recorded")] = "in_person",
        travel: Annotated[Optional[int], typer.Option(help="Travel minutes one way")] = None,
        interpreter: Annotated[Optional[str], typer.Option()] = None,
        language: Annotated[Optional[str], typer.Option()] = None,
        escort: Annotated[Optional[list[str]], typer.Option(help="An officer the victim asked for")] = None,
        defendant_cross_examines: Annotated[bool, typer.Option("--defendant-cross-examines")] = False,
        with_pickup_address: Annotated[bool, typer.Option("--with-pickup-address", help="Prompt for it (hidden)")] = False,
        override: OverrideOpt = None,
    ):
        """Add a witness to a hearing (or change how they appear)."""
        from witness.services.hearings import appear

        w = _witness(case_id, mode, travel, interpreter, language, escort, defendant_cross_examines, with_pickup_address)
        _echo_result(appear(context.app(), context.actor(), hearing_id, w, context.overrides(override)))

    @hearing_app.command("move")
    def hearing_move(hearing_id: str, to: Annotated[str, typer.Option(help="New start, ISO-8601 with offset")],
                     reason: Annotated[str, typer.Option(help="Why (recorded, encrypted)")],
                     hours: Annotated[Optional[float], typer.Option(help="New length (default: unchanged)")] = None,
                     override: OverrideOpt = None):
        """Record that the court moved or adjourned the hearing; everything is re-planned."""
        from datetime import timedelta

        from witness.services.hearings import move

        start = _when(to, "--to")
        _echo_result(move(context.app(), context.actor(), hearing_id, start, start + timedelta(hours=hours) if hours else None,
                          reason, context.overrides(override)))

    @hearing_app.command("cancel")
    def hearing_cancel(hearing_id: str, reason: Annotated[str, typer.Option(help="Why (recorded, encrypted)")]):
        """Cancel: bookings released, pending measures cancelled, the cancellation published in every feed."""
        from witness.services.hearings import cancel

        r = cancel(context.app(), context.actor(), hearing_id, reason)
        echo(f"{hearing_id} cancelled: {r['released']} booking(s) released, {r['measures_cancelled']} measure(s) "
                   f"cancelled, {r['events_cancelled']} calendar event(s) updated")

    @hearing_app.command("held")
    def hearing_held(hearing_id: str):
        """Record that the hearing took place (then record each measure's outcome)."""
        from witness.services.hearings import held

        r = held(context.app(), context.actor(), hearing_id)
        echo(f"{hearing_id} held; {r['outcomes_to_record']} witness(es) with measure outcomes to record")

    @hearing_app.command("show")
    def hearing_show(hearing_id: str, as_json: Annotated[bool, typer.Option("--json")] = False):
        from witness.services.hearings import show

        v = show(context.app(), context.actor(), hearing_id)
        if as_json:
            echo_json(v)
            return
        echo(f"{v['hearing']} {v['docket']} {v['kind']} at {v['court']}: {when(v['starts_at'])} – {when(v['ends_at'])} ({v['status']})")
        for a in v["appearances"]:
            echo(f"  {a['case']}: {a['mode']} ({a['status']}), pick-up ref {a['pickup_ref']}, "
                       f"travel {a['travel_minutes']} min"
                       + (f", interpreter {a['interpreter']} ({a['language']})" if a["interpreter"] else ""))
        for b in v["bookings"]:
            echo(f"  booked {b['resource']} for {b['case']} {b['measure']}: {b['from']} – {b['to']}")

    @hearing_app.command("list")
    def hearing_list(case: Annotated[Optional[str], typer.Option(help="Only this victim's hearings")] = None,
                     include_past: Annotated[bool, typer.Option("--all", help="Past hearings too")] = False,
                     as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False):
        """Hearings to come (with --all, past ones too), in the court's local time."""
        from witness.services.hearings import list_hearings

        rows = list_hearings(context.app(), context.actor(), case, include_past)
        if as_json:
            echo_json(rows)
            return
        if not rows:
            echo("No hearings" + (f" for {case}" if case else "") + (" to come." if not include_past else "."))
            return
        table(["HEARING", "WHEN (COURT'S TIME)", "DOCKET", "KIND", "STATUS"],
              [[r["hearing"], when(r["at"]), r["docket"], r["kind"], r["status"]] for r in rows])

    @app.command("measures")
    def measures_cmd(ident: Annotated[str, typer.Argument(help="A case (W-...) or a hearing (H-...)")],
                     as_json: Annotated[bool, typer.Option("--json")] = False):
        """Status of every measure, per hearing (R-61)."""
        from witness.services.measures import list_measures

        rows = list_measures(context.app(), context.actor(), ident)
        if as_json:
            echo_json(rows)
            return
        if not rows:
            echo("no measures")
            return

        def note(m) -> str:
            parts = ["LATE"] * bool(m["late"]) + [f"file by {when(m['request_by'])}"] * (m["status"] == "recommended")
            parts += [f"condition: {m['condition']}"] * bool(m["eligibility"] != "eligible" and m["condition"])
            return "; ".join(parts) or "-"

        table(["HEARING", "DOCKET", "WHEN", "HEARING STATUS", "MEASURE", "CASE", "KIND", "STATUS", "NOTE"],
              [[m["hearing"], m["docket"], when(m["hearing_at"]), m["hearing_status"], m["id"], m["case"], m["kind"],
                m["status"], note(m)] for m in rows])

    @measure_app.command("add")
    def measure_add(hearing_id: str, case_id: str, kind: str):
        """Recommend a measure by hand."""
        from witness.services.measures import propose

        echo(propose(context.app(), context.actor(), hearing_id, case_id, kind))

    @measure_app.command("request")
    def measure_request(measure_ids: list[str], override: OverrideOpt = None):
        """File the application(s); a late one is made and flagged LATE."""
        from witness.services.measures import request

        for r in request(context.app(), context.actor(), measure_ids, context.overrides(override)):
            echo(f"{r['id']} {r['kind']} requested; responses due {when(r['response_due_at'])}"
                       + (" — LATE" if r["late"] else "") + (f" ({r['note']})" if r["note"] else ""))
            if r["eligibility"] != "eligible" and r["condition"]:
                echo(f"  condition: {r['condition']}")

    @measure_app.command("decide")
    def measure_decide(measure_id: str, decision: Annotated[str, typer.Argument(help="granted, denied or partially_granted")],
                       note: Annotated[Optional[str], typer.Option(help="What the court said (encrypted)")] = None,
                       override: OverrideOpt = None):
        """Record the court's decision; a grant is booked at once."""
        from witness.services.measures import decide

        r = decide(context.app(), context.actor(), measure_id, decision, note, context.overrides(override))
        echo(f"{measure_id} {r['kind']} for {r['case']}: {r['status']}")
        for c in r["conflicts"]:
            echo(f"  CONFLICT {c}")

    @measure_app.command("outcome")
    def measure_outcome(measure_id: str, result: Annotated[str, typer.Argument(help="delivered or failed")],
                        note: Annotated[Optional[str], typer.Option()] = None):
        """After the hearing: was the measure delivered?"""
        from witness.services.measures import outcome

        r = outcome(context.app(), context.actor(), measure_id, result, note)
        echo(f"{measure_id} {r['kind']}: {r['status']}")

    @measure_app.command("condition")
    def measure_condition(case_id: str, condition: Annotated[str, typer.Argument(help="traumatised_witness")]):
        """Record a fact a jurisdiction's conditions depend on; the case's measures are re-evaluated."""
        from witness.services.measures import record_condition

        n = record_condition(context.app(), context.actor(), case_id, condition)
        echo(f"{case_id}: {condition} recorded; {n} upcoming hearing(s) re-planned")

    @resources_app.command("load")
    def resources_load(file: Annotated[Path, typer.Argument(help="YAML, see config/resources.example.yaml")]):
        """Load every resource and the scheduling policy from FILE; re-plans every hearing it may affect."""
        from witness.forms import read_data
        from witness.services.resources import load

        r = load(context.app(), context.actor(), read_data(file))
        echo(f"{r['active']} resources active, {r['inactive']} inactive; {r['replanned']} upcoming hearing(s) re-planned")
        for c in r["conflicts"]:
            echo(f"  CONFLICT {c}")

    @resources_app.command("list")
    def resources_list(kind: Annotated[Optional[str], typer.Option()] = None,
                       jurisdiction: Annotated[Optional[str], typer.Option()] = None,
                       as_json: Annotated[bool, typer.Option("--json")] = False):
        from witness.services.resources import list_resources

        rows = list_resources(context.app(), context.actor(), kind, jurisdiction)
        if as_json:
            echo_json(rows)
            return
        for r in rows:
            extra = f" {r['gender']}{' trained' if r['trained'] else ' NOT trained'}" if r["kind"] == "escort_officer" else ""
            leave = "; leave " + ", ".join(f"{lv['from']}..{lv['to']}" for lv in r["leave"]) if r["leave"] else ""
            echo(f"{r['id']:<18} {r['jurisdiction']} {r['kind']:<21}{extra} {r['unit']}"
                       f"{'' if r['active'] else ' (inactive)'}{leave}")

    @app.command("plan")
    def plan_cmd(hearing_id: str, book: Annotated[bool, typer.Option("--book", help="Book it (default: dry run)")] = False,
                 override: OverrideOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False):
        """Show the plan for a hearing and every conflict with its reason (R-62)."""
        from witness.services.preparation import plan_hearing

        v = plan_hearing(context.app(), context.actor(), hearing_id, book, context.overrides(override))
        if as_json:
            echo_json(v)
            return
        echo(f"{v['hearing']} {v['docket']} at {v['court']}, {when(v['at'])} ({v['status']}){'' if book else ' — dry run'}")
        for b in v["bookings"]:
            echo(f"  {b['case']} {b['measure']:<22} {b['resource']:<18} {b['window']}")
        for a in v["arranged"]:
            echo(f"  {a['case']} {a['measure']:<22} {a['note']}")
        for m in v["awaiting_decision"]:
            echo(f"  {m['case']} {m['measure']:<22} {m['status']}{' LATE' if m['late'] else ''}")
        for c in v["conflicts"]:
            echo(f"  CONFLICT {c}")
        if not v["conflicts"]:
            echo("  no conflicts")

    @app.command("calendar")
    def calendar_cmd(audience: Annotated[str, typer.Option(
                         help="coordinator, prosecutor, escort, interpreter, victim, guardian")],
                     out: Annotated[Path, typer.Option(help="Where to write the .ics")],
                     who: Annotated[Optional[str], typer.Option(
                         "--for", help="Whose feed (user, officer or interpreter id)")] = None,
                     case: Annotated[Optional[str], typer.Option(help="The victim's or guardian's feed: the case")] = None):
        """Write an RFC 5545 feed for one audience member (R-63)."""
        from witness.services.calendar_feeds import export

        from witness.private_files import refuse_unsafe_target, write_private

        refuse_unsafe_target(out, "--out")
        data = export(context.app(), context.actor(), audience, who, case)
        write_private(out, data, "--out")  # hearing dates and places: owner only
        echo(f"{out}: {data.count(b'BEGIN:VEVENT')} event(s)")
