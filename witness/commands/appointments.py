"""Consent-dependent acts: `witness schedule CASE KIND --at ...`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.terminal import echo, when as shown  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    app.command()(schedule)


def schedule(case_id: str, kind: Annotated[str, typer.Argument(help="interview, testimony or medical_exam")],
             at: Annotated[str, typer.Option(help="When, as date and time with its offset, e.g. 2026-12-08T09:00:00+07:00")],
             interviewer_gender: Annotated[Optional[str], typer.Option(help="female, male, ...")] = None,
             interpreter: Annotated[Optional[str], typer.Option(
                 help="interpreter id, checked against the registry (DNH-06, DNH-30)")] = None,
             examiner_gender: Annotated[Optional[str], typer.Option(
                 help="medical_exam: the examiner's gender (the victim's preference, DNH-34)")] = None,
             override: context.OverrideOpt = None):
    """Schedule an interview, testimony or medical examination (each needs the victim's consent).
    Prints what was scheduled, when, and the appointment's id."""
    from witness.clock import parse_instant
    from witness.errors import InputProblems
    from witness.services.appointments import schedule as do_schedule

    try:
        when = parse_instant(at)
    except ValueError as exc:
        raise InputProblems([("at", str(exc))]) from None
    made = do_schedule(context.app(), context.actor(), case_id, kind, when, context.overrides(override), interviewer_gender,
                       interpreter, examiner_gender)
    echo(f"{case_id}: {kind.replace('_', ' ')} scheduled for {shown(when)} (appointment {made})")
