"""The command line, one module per domain noun: each defines `register(app: typer.Typer)`, listed
in witness/wiring.py, and imports only typer at the top (everything else inside the command
functions, so start-up stays fast). Commands get the actor, the app, the clock and overrides from
witness.commands.context, and nowhere else."""
from __future__ import annotations

import typer


def new_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """A sub-command group, e.g. `witness case ...`."""
    sub = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help=help)
    app.add_typer(sub, name=name)
    return sub


def group(app: typer.Typer, name: str) -> typer.Typer:
    """A group another module made (`schema`, made by witness.commands.schemas), to add to it. A
    module listed before the group's maker in witness/wiring.py fails here, at start-up, by name."""
    for g in app.registered_groups:
        if g.name == name:
            return g.typer_instance
    raise LookupError(f"no command group {name!r} yet: list the module that makes it earlier in witness/wiring.py")
