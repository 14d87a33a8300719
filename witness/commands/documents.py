"""Document commands: `witness doc KIND --case ID ... --out FILE.pdf` and `witness docs --case ID`.

Only typer at the top: WeasyPrint is imported when a document is rendered, never at start-up.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.terminal import echo, echo_json, instant, table, when  # every human-readable line: values escaped

KINDS_HELP = ("protective_measures, video_link, closed_hearing, escort_request, restitution_claim, "
              "victim_letter, information_sheet, consent_record")


def register(app: typer.Typer) -> None:
    @app.command()
    def doc(
        kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
        case: Annotated[str, typer.Option("--case", help="The case pseudonym")],
        out: Annotated[Path, typer.Option("--out", help="Where to write the PDF")],
        hearing: Annotated[Optional[str], typer.Option("--hearing", help="Hearing id (hearing documents)")] = None,
        claim: Annotated[Optional[str], typer.Option("--claim", help="Claim id (restitution claim)")] = None,
        lang: Annotated[Optional[str], typer.Option("--lang", help="Language; default: the court's for filings, the victim's otherwise")] = None,
        recipient: Annotated[Optional[str], typer.Option("--recipient", help="court, police, victim, guardian, coordinator ...")] = None,
        with_name: Annotated[bool, typer.Option("--with-name", help="Include the legal name (needs name_disclosure consent and a need-to-know recipient)")] = False,
        data: Annotated[Optional[Path], typer.Option("--data", help="YAML/JSON with what the case does not hold yet (hearing, measures, items ...)")] = None,
        late_reason: Annotated[Optional[str], typer.Option("--late-reason", help="Why a request is filed after the deadline")] = None,
        override: Annotated[Optional[list[str]], typer.Option("--override", help="RULE=REASON for an overridable warning")] = None,
    ):
        """Generate a document as PDF and record it in the register."""
        from witness.errors import InputProblems
        from witness.forms import read_data
        from witness.private_files import refuse_unsafe_target, write_private
        from witness.services.documents import Request, generate

        refuse_unsafe_target(out, "--out")  # before the register records a document we could not write
        if hearing and claim:
            raise InputProblems([("--hearing", "give --hearing or --claim, not both")])
        supplement = read_data(data) if data else {}
        if not isinstance(supplement, dict):
            raise InputProblems([("--data", "expected a mapping of fields")])
        if late_reason:
            supplement["late_reason"] = late_reason
        result = generate(context.app(), context.actor(), Request(kind, case, hearing, claim, lang, recipient, with_name,
                                                    supplement, context.overrides(override)))
        write_private(out, result.pdf, "--out")  # it may carry a legal name: owner only
        echo(f"{case}: {kind} v{result.version} ({result.language}, to {result.recipient}, "
                   f"{result.pages} pages) -> {out}  sha256 {result.content_hash}")

    @app.command()
    def docs(case: Annotated[str, typer.Option("--case", help="The case pseudonym")],
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False):
        """The register: every document generated for a case, newest first."""
        from witness.services.documents import register as document_register

        rows = document_register(context.app(), context.actor(), case)
        if as_json:
            echo_json([{k: (instant(v) if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows])
            return
        if not rows:
            echo(f"{case}: no documents")
            return
        table(["GENERATED", "KIND", "VERSION", "LANGUAGE", "TO", "ABOUT", "NAME", "BY", "SHA256"],
              [[when(r["generated_at"]), r["kind"], f"v{r['version']}", r["language"], r["recipient"],
                r["hearing_id"] or r["claim_id"] or "-", "yes" if r["includes_identity"] else "no",
                f"{r['generated_by']}:{r['role']}", r["content_hash"][:16]] for r in rows])
