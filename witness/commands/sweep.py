"""The follow-up sweep, once: `witness sweep` (the Prefect flow runs the same on a schedule)."""
from __future__ import annotations

import typer

from witness.commands import context
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    app.command()(sweep)


def sweep():
    """Run the follow-up sweep once, as of --now (default: the current time)."""
    from witness.services.sweep import run

    report = run(context.app(), context.actor(), context.clock().now())
    for name in report.selected:
        echo(f"{name}: {report.selected[name]} due, {report.changed[name]} changed")
