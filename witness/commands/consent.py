"""Consent (R-22): `witness consent give|withdraw`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context, new_group
from witness.terminal import echo  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    consent_app = new_group(app, "consent", "Record or withdraw consent (R-22).")
    consent_app.command("give")(consent_give)
    consent_app.command("withdraw")(consent_withdraw)
    consent_app.command("explain")(consent_explain)


def consent_give(case_id: str, scope: str,
                 method: Annotated[str, typer.Option(help="written or oral")] = "written",
                 language: Annotated[str, typer.Option(help="language the victim was informed in")] = "",
                 interpreter: Annotated[Optional[str], typer.Option()] = None,
                 guardian_agreed: Annotated[bool, typer.Option("--guardian-agreed", help="the guardian is party (children)")] = False,
                 explained: Annotated[bool, typer.Option("--explained", help=(
                     "the information sheet was explained just now, in --language through --interpreter "
                     "(needed for testimony, name_disclosure, medical_exam, return)"))] = False):
    from witness.services.consent import give

    give(context.app(), context.actor(), case_id, scope, method, language, interpreter, guardian_agreed, explained)
    echo(f"{case_id}: consent to {scope} recorded")


def consent_withdraw(case_id: str, scope: str):
    from witness.services.consent import withdraw

    r = withdraw(context.app(), context.actor(), case_id, scope)
    echo(f"{case_id}: consent to {scope} withdrawn; {r['cancelled']} pending act(s) cancelled; support continues")


def consent_explain(case_id: str, scope: str,
                    language: Annotated[str, typer.Option(help="language the sheet was explained in")] = "",
                    interpreter: Annotated[Optional[str], typer.Option()] = None,
                    at: Annotated[Optional[str], typer.Option(help="when it was explained, ISO-8601 with offset (default: now)")] = None):
    """Record that the information sheet for SCOPE was explained to the victim (informed consent)."""
    from witness.clock import parse_instant
    from witness.errors import InputProblems
    from witness.services.consent import explain

    when = None
    if at:
        try:
            when = parse_instant(at)
        except ValueError as exc:
            raise InputProblems([("at", str(exc))]) from None
    explain(context.app(), context.actor(), case_id, scope, language, interpreter, when)
    echo(f"{case_id}: information sheet on {scope} explained in {language}")
