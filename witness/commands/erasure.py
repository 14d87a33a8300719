"""Erasing a victim (R-71): `witness case erase CASE --reason CODE` destroys the case's data key."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context, group
from witness.terminal import echo


def register(app: typer.Typer) -> None:
    group(app, "case").command("erase")(case_erase)


def case_erase(case_id: str,
               reason: Annotated[str, typer.Option("--reason", help="Why: victim_request, retention_ended, court_order or entered_in_error")]):
    """Destroy a closed case's data key: the victim's identity and history can never be read again."""
    from witness.services.keys import erase

    done = erase(context.app(), context.actor(), case_id, reason)
    echo(f"{done.case} erased: its data key is destroyed; {done.values} encrypted values can no longer be read. "
         "The audit chain is unchanged (`witness audit verify`).")
