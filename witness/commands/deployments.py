"""Scheduled running on one machine: `witness serve`."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve():
    """Run every deployment on its schedule (local Prefect server on SQLite); Ctrl-C stops it."""
    from witness.serve import serve as do_serve

    do_serve()
