"""The `schema` group: the JSON schema of every input file. This module makes the group and adds
the intake file's; each area adds its own (`schema assessment`, `schema event`)."""
from __future__ import annotations

import typer

from witness.commands import new_group
from witness.terminal import echo_json


def register(app: typer.Typer) -> None:
    schema_app = new_group(app, "schema", "JSON schemas of the input files.")
    schema_app.command("intake")(schema_intake)


def schema_intake():
    """The JSON schema of the intake file."""
    from witness.domain.intake import IntakeForm

    echo_json(IntakeForm.model_json_schema())
