"""Case files: `witness intake FILE`, `witness case show|list`, `witness stage`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context, new_group
from witness.terminal import echo, echo_json, instant, table, when  # every line escaped; JSON through json_text

def register(app: typer.Typer) -> None:
    app.command()(intake)
    app.command()(stage)
    case_app = new_group(app, "case", "Read case files.")
    case_app.command("show")(case_show)
    case_app.command("list")(case_list)


def intake(file: Annotated[Path, typer.Argument(help="Intake form, YAML or JSON (see `witness schema intake`)")]):
    """Open a case from an intake file. Prints the pseudonym."""
    from witness.forms import read_data
    from witness.services.intake import open_case

    data = read_data(file)
    echo(open_case(context.app(), context.actor(), data))


def case_show(case_id: str, as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False):
    """One case, as your role may see it."""
    from witness.services.cases import show

    view = show(context.app(), context.actor(), case_id)
    if as_json:
        echo_json(view)
        return
    echo(f"{view['case']}  {view['jurisdiction']}  stage={view['stage']}  coordinator={view['coordinator']}")
    r = view["reflection"]
    echo(f"  reflection: ends {when(r['ends_at'])} ({'running' if r['running'] else 'over'}); decision: {r['decision'] or '-'}")
    echo(f"  {view['age_status']}, {view['gender']}, language {view['preferred_language']}, safe channels: {', '.join(view['safe_channels']) or 'none'}")
    for k, v in view.get("identity", {}).items():
        echo(f"  {k}: {v}")
    for p in view["proceedings"]:
        echo(f"  proceeding {p['docket']} at {p['court']}")
        for a in p["accused"]:
            echo(f"    accused {a['label']}: {a['custody']}, {a['relationship']}")
    for c in view["consents"]:
        echo(f"  consent {c['scope']}: {'active' if c['active'] else 'withdrawn'}")
    for s in view["services"]:
        echo(f"  service {s['kind']}: {s['status']}")
    for a in view["appointments"]:
        echo(f"  {a['kind']} at {when(a['at'])}: {a['status']}")


def case_list(stage: Annotated[Optional[str], typer.Option(help="Only cases at this stage")] = None,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False):
    """Your cases by pseudonym (an auditor: every case)."""
    from witness.services.cases import list_cases

    rows = list_cases(context.app(), context.actor(), stage)
    if as_json:
        echo_json([{k: (instant(v) if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows])
        return
    if not rows:
        echo("No cases" + (f" at stage {stage}." if stage else "."))
        return
    table(["CASE", "STATE", "STAGE", "AGE", "COORDINATOR"],
          [[r["id"], r["jurisdiction"], r["stage"], r["age_status"], r["coordinator"]] for r in rows])


def stage(case_id: str, target: str, reason: Annotated[str, typer.Option(help="Why (recorded, encrypted)")],
          override: context.OverrideOpt = None):
    """Move a case to another stage (the Do No Harm rules are checked first)."""
    from witness.services.cases import change_stage

    r = change_stage(context.app(), context.actor(), case_id, target, reason, context.overrides(override))
    echo(f"{r['case']}: {r['from']} -> {r['to']}")
