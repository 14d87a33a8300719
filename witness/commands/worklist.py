"""What is due for each person: `witness worklist [--all]`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    app.command()(worklist)


def worklist(everyone: Annotated[bool, typer.Option("--all", help="admin: everyone's items")] = False):
    """What is due for you, most urgent first."""
    from witness.services.worklist import open_items

    for r in open_items(context.app(), context.actor(), everyone):
        echo(f"{r['due_at'].isoformat()}  {r['kind']:<18} {r['detail']}")
