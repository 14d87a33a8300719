"""The audit log (R-72): `witness audit verify`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context, new_group
from witness.terminal import echo, echo_json  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    audit_app = new_group(app, "audit", "The audit log (R-72).")
    audit_app.command("verify")(audit_verify)


def audit_verify(as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON (exit code as without)")] = False):
    """Check the audit chain for edits, deletions, reordering, truncation and time running backwards."""
    from witness.errors import IntegrityFailure
    from witness.services.audit import verify

    result = verify(context.app(), context.actor())
    if as_json:
        echo_json({"ok": result.ok, "rows": result.rows, "problems": list(result.problems)})
    if not result.ok:
        if not as_json:
            for p in result.problems:
                echo(p, err=True)
        raise IntegrityFailure(f"audit log FAILED verification ({len(result.problems)} problems in {result.rows} rows)")
    if not as_json:
        echo(f"audit log verified: {result.rows} rows, chain intact")
