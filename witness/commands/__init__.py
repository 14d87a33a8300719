"""CLI commands per feature area: each module defines `register(app: typer.Typer)` and imports
only typer (and witness.cli helpers) at the top; everything else inside the command functions."""
