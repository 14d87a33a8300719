"""The demonstration: `witness demo --out DIR`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(out: Annotated[Path, typer.Option(help="Folder for the report and outputs")] = Path("witness-demo")):
    """Run the end-to-end demonstration on a fresh embedded store in OUT."""
    from witness.commands.web import DEFAULT_BASE, setup_link
    from witness.demo import run_demo

    run = run_demo(out)
    echo(f"demo finished; report: {run.report}")
    # The set-up links are credentials: printed here once, never written to the report.
    echo(f"sign in to the demo: WITNESS_HOME={run.store} witness web, then open your role's link "
         "(each works once, for 72 hours):")
    for a in run.accounts:
        echo(f"  {a.login} ({a.role}): {setup_link(DEFAULT_BASE, a.token)}")
