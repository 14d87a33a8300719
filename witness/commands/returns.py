"""Return plans (issue 12): `witness return plan|list|check`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context, new_group
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    sub = new_group(app, "return", "Plan a voluntary, safe return with the victim (Guide: Return and Reintegration).")
    sub.command("plan")(return_plan)
    sub.command("list")(return_list)
    sub.command("check")(return_check)


def return_plan(case_id: str,
                destination: Annotated[str, typer.Option(help="country of return, ISO alpha-2 (e.g. MM)")],
                travel_on: Annotated[str, typer.Option(help="date of travel, YYYY-MM-DD")],
                helpline: Annotated[str, typer.Option(help="number the victim can call during the journey")],
                receiving_contact: Annotated[Optional[str], typer.Option(help="embassy/agency receiving the victim")] = None,
                accompanied_by: Annotated[Optional[str], typer.Option(help="social worker or support person travelling")] = None,
                restitution_contact: Annotated[Optional[str], typer.Option(
                    help="how the victim's lawyer reaches them after return (required with a claim pending)")] = None,
                family_assessed: Annotated[bool, typer.Option("--family-assessed", help="home family and community assessed")] = False,
                data_to_origin: Annotated[Optional[str], typer.Option(
                    help="recipient id in the country of origin that receives data (needs written permission)")] = None,
                stay_tied_to_testimony: Annotated[bool, typer.Option(
                    "--stay-tied-to-testimony", help="the stay until departure was made to depend on testifying")] = False,
                override: context.OverrideOpt = None):
    """Plan a return: written `return` consent, no data to the country of origin without permission."""
    from witness.services.returns import plan

    r = plan(context.app(), context.actor(), case_id, {
        "destination": destination, "travel_on": travel_on, "helpline": helpline,
        "receiving_contact": receiving_contact, "accompanied_by": accompanied_by,
        "restitution_contact": restitution_contact, "family_assessed": family_assessed,
        "data_to_origin": data_to_origin, "stay_tied_to_testimony": stay_tied_to_testimony},
        context.overrides(override))
    for line in r["findings"]:
        echo(line)
    echo(f"{case_id}: return to {r['destination']} planned for {r['travel_on'].isoformat()} (plan {r['plan']})")


def return_list(case_id: str):
    """The case's return plans."""
    from witness.services.returns import plans

    for p in plans(context.app(), context.actor(), case_id):
        echo(f"{p['plan']}  {p['status']}  to {p['destination']} on {p['travel_on'].isoformat()}  "
             f"restitution contact: {'recorded' if p['restitution_contact'] else 'none'}")


def return_check(case_id: str):
    """What the Do No Harm rules say before a return is planned (pending claim, consent, ...)."""
    from witness.services.guardrails import dry_run

    findings = dry_run(context.app(), context.actor(), "plan_return", case_id, {})
    for f in findings:
        echo(f.line())
    if not findings:
        echo(f"{case_id}: no Do No Harm finding on a return plan")
