"""The interpreter registry (issue 12): `witness interpreter add|vet|block|tie|list|assignments`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context, new_group
from witness.terminal import echo, table, when  # every human-readable line: values escaped


def register(app: typer.Typer) -> None:
    sub = new_group(app, "interpreter", "The interpreter registry: languages, vetting, declared ties, blocklist.")
    sub.command("add")(interpreter_add)
    sub.command("vet")(interpreter_vet)
    sub.command("block")(interpreter_block)
    sub.command("tie")(interpreter_tie)
    sub.command("list")(interpreter_list)
    sub.command("assignments")(interpreter_assignments)


def interpreter_add(interpreter: str, languages: Annotated[str, typer.Option(help="comma-separated tags, e.g. my,th")]):
    """Register an interpreter (vetting pending)."""
    from witness.services.interpreters import add

    r = add(context.app(), context.actor(), interpreter, languages)
    echo(f"{interpreter}: registered ({', '.join(r['languages'])}); vetting pending")


def interpreter_vet(interpreter: str, status: Annotated[str, typer.Option(help="vetted, pending or suspended")] = "vetted"):
    """Record the interpreter's vetting."""
    from witness.services.interpreters import vet

    vet(context.app(), context.actor(), interpreter, status)
    echo(f"{interpreter}: vetting {status}")


def interpreter_block(interpreter: str, reason: Annotated[str, typer.Option(help="why (kept encrypted)")]):
    """Put the interpreter on the blocklist: never assigned again (DNH-06)."""
    from witness.services.interpreters import block

    block(context.app(), context.actor(), interpreter, reason)
    echo(f"{interpreter}: blocked")


def interpreter_tie(interpreter: str, kind: Annotated[str, typer.Argument(help="conflict, community or accused")],
                    ref: Annotated[str, typer.Argument(help="the case pseudonym, or the accused's label")]):
    """Record a tie the interpreter declared (a conflict or community tie in a case, a tie to an accused)."""
    from witness.services.interpreters import tie

    tie(context.app(), context.actor(), interpreter, kind, ref)
    echo(f"{interpreter}: {kind} tie recorded")


def interpreter_list():
    """The registry."""
    from witness.services.interpreters import registry

    rows = registry(context.app(), context.actor())
    if not rows:
        echo("no interpreters registered")
        return
    table(["INTERPRETER", "LANGUAGES", "VETTING", "BLOCKED", "TIES"],
          [[r["interpreter"], ",".join(r["languages"]), r["vetting"], "BLOCKED" if r["blocked"] else "-",
            ",".join(r["ties"]) or "-"] for r in rows])


def interpreter_assignments():
    """Your own assignments (interpreters only): case pseudonym, what, when, language."""
    from witness.services.interpreters import assignments

    rows = assignments(context.app(), context.actor())
    if not rows:
        echo("no assignments")
        return
    table(["WHEN", "CASE", "WHAT", "LANGUAGE"], [[when(a["at"]), a["case"], a["what"], a["language"] or "-"] for a in rows])
