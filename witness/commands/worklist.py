"""What is due for each person: `witness worklist [--all] [--json]`, `witness worklist done ID`,
`witness worklist snooze ID --for 1d --reason waiting_for_victim`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context
from witness.terminal import echo, echo_json, instant, when  # every human-readable line: values escaped

DONE_HELP = "done, contacted, not_needed or handled_elsewhere (recorded in the audit log)"
SNOOZE_HELP = "waiting_for_victim, waiting_for_others or planned_later (recorded in the audit log)"


def register(app: typer.Typer) -> None:
    sub = typer.Typer(invoke_without_command=True, pretty_exceptions_enable=False,
                      help="What is due for you, most urgent first; close or put off an item.")
    app.add_typer(sub, name="worklist")
    sub.callback(invoke_without_command=True)(worklist)
    sub.command("done")(done)
    sub.command("snooze")(snooze)


def worklist(ctx: typer.Context,
             everyone: Annotated[bool, typer.Option("--all", help="Everyone's items (admin only)")] = False,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text")] = False):
    """What is due for you, most urgent first, each with the command that deals with it."""
    if ctx.invoked_subcommand is not None:
        return
    from witness.services.worklist import open_items

    actor = context.actor()
    items = open_items(context.app(), actor, everyone)
    if as_json:
        echo_json([{"id": r["id"], "urgent": r["urgent"], "kind": r["kind"], "case": r["case_id"],
                    "assignee": r["assignee"], "due": instant(r["due_local"]), "detail": r["detail"],
                    "next": r["next"]} for r in items])
        return
    if not items:
        echo("Nothing is due for you." if not everyone else "Nothing is due for anyone.")
        return
    urgent = sum(1 for r in items if r["urgent"])
    echo(f"{len(items)} open item{'s' if len(items) != 1 else ''}" + (f", {urgent} URGENT" if urgent else "")
         + " (times are local to each case's jurisdiction)")
    for r in items:
        label = "URGENT" if r["urgent"] else ("due" if r["urgency"] < 3 else "later")
        who = f"  for {r['assignee']}" if everyone else ""
        echo("")
        echo(f"#{r['id']}  {label}  {when(r['due_local'])}  {r['case_id'] or '-'}  {r['kind']}{who}")
        echo(f"    {r['detail']}")
        echo(f"    next: {r['next']}")


def done(item: Annotated[int, typer.Argument(help="The item's number (#N in the worklist)")],
         reason: Annotated[str, typer.Option("--reason", help=DONE_HELP)] = "done"):
    """Close one of your items."""
    from witness.services.worklist import mark_done

    mark_done(context.app(), context.actor(), item, reason)
    echo(f"item {item} closed ({reason})")


def snooze(item: Annotated[int, typer.Argument(help="The item's number (#N in the worklist)")],
           period: Annotated[str, typer.Option("--for", help="1h, 4h, 1d or 3d")],
           reason: Annotated[str, typer.Option("--reason", help=SNOOZE_HELP)]):
    """Put one of your items off (an urgent alert cannot be put off)."""
    from witness.services.worklist import snooze as put_off

    due = put_off(context.app(), context.actor(), item, period, reason)
    echo(f"item {item} put off until {when(due)} ({reason})")
