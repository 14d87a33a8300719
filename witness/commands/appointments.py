"""Consent-dependent acts: `witness schedule CASE KIND --at ...`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    app.command()(schedule)


def schedule(case_id: str, kind: Annotated[str, typer.Argument(help="interview, testimony or medical_exam")],
             at: Annotated[str, typer.Option(help="ISO-8601 with offset")],
             interviewer_gender: Annotated[Optional[str], typer.Option(help="female, male, ...")] = None,
             interpreter: Annotated[Optional[str], typer.Option(
                 help="interpreter id, checked against the registry (DNH-06, DNH-30)")] = None,
             examiner_gender: Annotated[Optional[str], typer.Option(
                 help="medical_exam: the examiner's gender (the victim's preference, DNH-34)")] = None,
             override: context.OverrideOpt = None):
    """Schedule a consent-dependent act."""
    from witness.clock import parse_instant
    from witness.errors import InputProblems
    from witness.services.appointments import schedule as do_schedule

    try:
        when = parse_instant(at)
    except ValueError as exc:
        raise InputProblems([("at", str(exc))]) from None
    echo(do_schedule(context.app(), context.actor(), case_id, kind, when, context.overrides(override), interviewer_gender,
                     interpreter, examiner_gender))
