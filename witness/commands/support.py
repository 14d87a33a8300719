"""Support services (R-23, never conditional on cooperation): `witness service start|end`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context, new_group
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    service_app = new_group(app, "service", "Support services (never conditional on cooperation, R-23).")
    service_app.command("start")(service_start)
    service_app.command("end")(service_end)


def service_start(case_id: str, kind: str):
    from witness.services.support import start

    start(context.app(), context.actor(), case_id, kind)
    echo(f"{case_id}: {kind} started")


def service_end(case_id: str, kind: str, reason: Annotated[str, typer.Option()], override: context.OverrideOpt = None):
    from witness.services.support import end

    end(context.app(), context.actor(), case_id, kind, reason, context.overrides(override))
    echo(f"{case_id}: {kind} ended ({reason})")
