"""The reflection and recovery period (R-21): `witness reflection extend|decide`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context, new_group
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    reflection_app = new_group(app, "reflection", "The reflection and recovery period (R-21).")
    reflection_app.command("extend")(reflection_extend)
    reflection_app.command("decide")(reflection_decide)


def reflection_extend(case_id: str, days: int, reason: Annotated[str, typer.Option()],
                      beyond_cap: Annotated[bool, typer.Option(
                          "--beyond-cap", help="past the profile's maximum, where that maximum is practice, not law "
                                               "(recorded with the reason)")] = False):
    from witness.services.reflection import extend

    ends = extend(context.app(), context.actor(), case_id, days, reason, beyond_cap=beyond_cap)
    echo(f"{case_id}: reflection period now ends {ends}")


def reflection_decide(case_id: str, decision: Annotated[str, typer.Argument(help="cooperate or not_cooperate")]):
    """Record the victim's own, informed decision (the only thing that ends the period early)."""
    from witness.services.reflection import decide

    decide(context.app(), context.actor(), case_id, decision)
    echo(f"{case_id}: decision recorded ({decision}); the sweep moves the stage")
