"""CLI of the notices area: `witness event FILE`, `witness schema event`, `witness notices`,
`witness ack`, `witness relay`, `witness notice-opt-out`. Only typer at the top: everything else
(SQLAlchemy; never Prefect) is imported when a command runs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context, group
from witness.terminal import echo, echo_json, table, when  # every line escaped; JSON through json_text


def register(app: typer.Typer) -> None:
    app.command("event")(event)
    app.command("notices")(notices)
    app.command("ack")(ack)
    app.command("relay")(relay)
    app.command("notice-opt-out")(notice_opt_out)
    group(app, "schema").command("event")(schema_event)


def event(file: Annotated[Path, typer.Argument(help="Custody change or case event(s), YAML or JSON (see `witness schema event`)")]):
    """Record events such as a custody change or a hearing outcome; they notify whom they concern.

    All or nothing: the whole file is checked first (every problem is listed as
    `events.N.field: message`, exit code 1, nothing recorded), then every event is recorded in one
    transaction. Fix the file and send it again whole; events already recorded are skipped by id.
    Events dated more than 5 minutes ahead of the clock are refused.
    """
    from witness.forms import read_data
    from witness.services.event_files import record_events

    for r in record_events(context.app(), context.actor(), read_data(file)):
        what = ("seen before: nothing done" if r["duplicate"] else
                f"recorded for {r['cases']} case(s)" + ("; historical, so no notices" if r["historical"] else ""))
        if r.get("order", "in_order") != "in_order":
            what += "; out of order, on the coordinator's worklist to reconcile"
        echo(f"{r['event']}: {what}")


def schema_event():
    """The JSON schema of the event file."""
    from witness.domain.event import EventFile

    echo_json(EventFile.model_json_schema())


def notices(case: Annotated[Optional[str], typer.Option("--case", help="Only this case (pseudonym)")] = None,
            status: Annotated[Optional[str], typer.Option("--status", help="queued, sending, sent, dead or cancelled; "
                                                                             "dead is the dead-letter list")] = None,
            as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False):
    """Notices and their delivery state (pseudonyms only, never an address)."""
    from witness.services.notices import list_notices

    rows = list_notices(context.app(), context.actor(), case, status)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("no notices")
        return

    def note(r) -> str:
        flags = ["URGENT"] * bool(r["urgent"]) + [f"repeat {r['repeat']}"] * bool(r["repeat"]) \
            + ["acknowledged"] * bool(r["acknowledged_at"]) + [f"escalated {r['escalation']}"] * bool(r["escalation"])
        why = (f"({r['dead_reason']})" if r["dead_reason"] else
               f"(last failure: {r['last_error']})" if r["last_error"] and r["status"] != "sent" else "")
        return " ".join(flags + [why] * bool(why))

    table(["CREATED", "CASE", "KIND", "TO", "CHANNEL", "LANG", "STATUS", "TRIES", "NOTE"],
          [[when(r["created_at"]), r["case"] or "-", r["kind"], r["recipient"], r["channel"], r["language"],
            r["status"], r["attempts"], note(r)] for r in rows])


def ack(code: Annotated[Optional[str], typer.Argument(help="The code the victim sent back")] = None,
        case: Annotated[Optional[str], typer.Option("--case", help="Instead of a code: you reached the victim of "
                                                                     "this case in person or by phone")] = None):
    """Acknowledge an urgent alert: by the victim's code, or by recording contact (coordinator)."""
    from witness.errors import InputProblems
    from witness.services.acknowledgements import acknowledge, record_contact

    if bool(code) == bool(case):
        raise InputProblems([("code", "give the code, or --case ID to record contact (one of the two)")])
    if code:
        ids = acknowledge(context.app(), context.actor(), code)
        echo(f"acknowledged: {', '.join(ids)}; repeats stop")
    else:
        n = record_contact(context.app(), context.actor(), case)
        echo(f"{case}: contact recorded; {n} alert(s) acknowledged, repeats and escalation stop")


def relay(now: Annotated[Optional[str], typer.Option("--now", help="Deliver as of this ISO-8601 instant (with offset)")] = None,
          batch: Annotated[int, typer.Option(help="Notices claimed per batch")] = 100):
    """Deliver due notices once: escalate, repeat, then send, urgent first (the Prefect flow does the same)."""
    from witness.clock import parse_instant
    from witness.errors import InputProblems
    from witness.outputs.transports.channels import build_transports
    from witness.services.relay import relay as run_relay

    try:
        at = parse_instant(now) if now else None
    except ValueError as exc:
        raise InputProblems([("--now", str(exc))]) from None
    a = context.app(at)  # its own --now wins over the global one; refused outside tests and the demonstration
    transports = build_transports(a)
    try:
        r = run_relay(a, transports, a.clock.now(), actor=context.actor(), batch_size=batch)
    finally:
        for t in transports.values():
            t.close()
    echo(f"escalated {r.escalated}, repeats {r.repeated}; claimed {r.claimed}: sent {r.sent}, "
               f"retrying {r.retrying}, rerouted to call/visit {r.rerouted}, dead-lettered {r.dead}")


def notice_opt_out(case: str, kind: str,
                   undo: Annotated[bool, typer.Option("--undo", help="Switch this kind back on")] = False):
    """Record that the victim does not want progress notices of KIND (release alerts cannot be switched off)."""
    from witness.services.notices import set_opt_out

    set_opt_out(context.app(), context.actor(), case, kind, not undo)
    echo(f"{case}: {kind} notices {'on' if undo else 'off'}")
