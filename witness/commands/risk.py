"""Risk and Do No Harm commands: assess, risk, check, report, schema assessment."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.commands import context, group
from witness.terminal import echo, echo_json, when  # every line escaped; JSON through json_text


def _details(items: list[str] | None) -> dict:
    """`--detail key=value` pairs for `witness check`; true/false and ISO instants are understood."""
    from witness.clock import parse_instant

    out: dict = {}
    for raw in items or []:
        key, _, value = raw.partition("=")
        if value.lower() in ("true", "false"):
            out[key] = value.lower() == "true"
        elif "," in value:
            out[key] = [v for v in value.split(",") if v]
        else:
            try:
                out[key] = parse_instant(value) if "T" in value and value[:4].isdigit() else value
            except ValueError:
                out[key] = value
    return out


def register(app: typer.Typer) -> None:
    schema_app = group(app, "schema")

    @app.command()
    def assess(case_id: str, file: Annotated[Path, typer.Argument(help="Answers, YAML or JSON (see `witness schema assessment`)")]):
        """Record a risk assessment; prints the level and why."""
        from witness.forms import read_data
        from witness.services.risk import record

        result = record(context.app(), context.actor(), case_id, read_data(file))
        echo(f"{case_id}: {result.level.value} (score {result.score}"
                   + (f", raised from {result.level_by_score.value} by the victim's own assessment" if result.raised_by_victim else "")
                   + ")")
        for f in result.factors:
            echo(f"  +{f.weight:<3} {f.factor}")
        echo("  recommended: " + ", ".join(m.value for m in result.recommended))

    @app.command()
    def risk(case_id: str, as_json: Annotated[bool, typer.Option("--json")] = False):
        """The latest risk result with its explanation, and the history."""
        from witness.services.risk import history

        data = history(context.app(), context.actor(), case_id)
        if as_json:
            echo_json(data)
            return
        latest = data["latest"]
        echo(f"{case_id}: {latest['level']} (score {latest['score']}, victim's fear {latest['victim_fear_scale']}/10) "
                   f"assessed {when(latest['at'])} by {latest['assessor']} ({latest['trigger']}); next review {when(latest['next_review_at'])}")
        for f in latest["factors"]:
            echo(f"  +{f['weight']:<3} {f['factor']}")
        echo("  recommended: " + ", ".join(latest["recommended"]))
        if data["reassessment_due"]:
            echo(f"  REASSESSMENT DUE since {data['reassessment_due']['since']} ({data['reassessment_due']['trigger']})")
        for h in data["history"]:
            echo(f"  earlier: {when(h['at'])} {h['level']} (score {h['score']}) by {h['assessor']} ({h['trigger']})")

    @app.command()
    def check(case_id: str, action: Annotated[str, typer.Argument(help="e.g. schedule_appearance, assign_escort, send_notice")],
              detail: Annotated[Optional[list[str]], typer.Option("--detail", help="key=value, e.g. act=testimony, genders=male")] = None):
        """Dry-run the Do No Harm rules for an action and print the findings."""
        from witness.services.guardrails import dry_run

        findings = dry_run(context.app(), context.actor(), action, case_id, _details(detail))
        for f in findings:
            echo(f.line() + ("  [overridable with a reason]" if f.overridable else ""))
        if not findings:
            echo("no findings: the action passes the Do No Harm rules")

    @app.command("report")
    def report_flag(case_id: str, flag: Annotated[str, typer.Argument(help="threat_reported, residence_changed, settlement_pressure, settlement_followed_up, stay_until_resolved")]):
        """Record a reported fact about the case (threats and moves make a reassessment due at once)."""
        from witness.services.risk import report

        report(context.app(), context.actor(), case_id, flag)
        echo(f"{case_id}: {flag} recorded")

    @schema_app.command("assessment")
    def schema_assessment():
        """The JSON schema of a risk assessment file."""
        from witness.domain.risk import AssessmentForm

        echo_json(AssessmentForm.model_json_schema())
