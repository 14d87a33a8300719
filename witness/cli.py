"""The `witness` command line. Any WitnessError becomes its message and exit code 1.

Start-up imports neither Prefect nor WeasyPrint: commands that run no flow answer quickly (R-100a).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.errors import InputProblems, WitnessError

# Tracebacks with local variables would print names and addresses: never show them.
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  pretty_exceptions_show_locals=False, help="Protection and follow-up for victims of trafficking who testify.")
case_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="Read case files.")
consent_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="Record or withdraw consent (R-22).")
reflection_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="The reflection and recovery period (R-21).")
service_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="Support services (never conditional on cooperation, R-23).")
audit_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="The audit log (R-72).")
keys_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="Encryption keys (R-71).")
schema_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, help="JSON schemas of the input files.")
for sub, name in ((case_app, "case"), (consent_app, "consent"), (reflection_app, "reflection"), (service_app, "service"),
                  (audit_app, "audit"), (keys_app, "keys"), (schema_app, "schema")):
    app.add_typer(sub, name=name)


class _State:
    actor: str | None = None
    now: datetime | None = None


state = _State()


@app.callback()
def main_options(
    actor: Annotated[Optional[str], typer.Option("--actor", envvar="WITNESS_ACTOR", help="Who is acting, as USER:ROLE (e.g. amara:coordinator)")] = None,
    now: Annotated[Optional[str], typer.Option("--now", help="Act as of this ISO-8601 instant (with offset)")] = None,
):
    state.actor = actor
    if now:
        from witness.clock import parse_instant

        try:
            state.now = parse_instant(now)
        except ValueError as exc:
            raise InputProblems([("--now", str(exc))]) from None


def _app():
    from witness.bootstrap import build_app
    from witness.clock import FixedClock
    from witness.settings import get_settings

    return build_app(get_settings(), FixedClock(state.now) if state.now else None)


def _actor():
    from witness.domain.access import Actor
    from witness.errors import Forbidden

    if not state.actor:
        raise Forbidden("actor: say who is acting with --actor USER:ROLE or WITNESS_ACTOR")
    return Actor.parse(state.actor)


def _print(data, as_json: bool = True) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@app.command()
def init():
    """Create the database, the keyring (if none) and run migrations."""
    from witness.services.keys import init as do_init
    from witness.settings import get_settings

    _print(do_init(get_settings()))


@app.command()
def intake(file: Annotated[Path, typer.Argument(help="Intake form, YAML or JSON (see `witness schema intake`)")]):
    """Open a case from an intake file. Prints the pseudonym."""
    from witness.forms import read_data
    from witness.services.intake import open_case

    data = read_data(file)
    typer.echo(open_case(_app(), _actor(), data))


@schema_app.command("intake")
def schema_intake():
    """The JSON schema of the intake file."""
    from witness.domain.intake import IntakeForm

    _print(IntakeForm.model_json_schema())


@case_app.command("show")
def case_show(case_id: str, as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False):
    """One case, as your role may see it."""
    from witness.services.cases import show

    view = show(_app(), _actor(), case_id)
    if as_json:
        _print(view)
        return
    typer.echo(f"{view['case']}  {view['jurisdiction']}  stage={view['stage']}  coordinator={view['coordinator']}")
    r = view["reflection"]
    typer.echo(f"  reflection: ends {r['ends_at']} ({'running' if r['running'] else 'over'}); decision: {r['decision'] or '-'}")
    typer.echo(f"  {view['age_status']}, {view['gender']}, language {view['preferred_language']}, safe channels: {', '.join(view['safe_channels']) or 'none'}")
    for k, v in view.get("identity", {}).items():
        typer.echo(f"  {k}: {v}")
    for p in view["proceedings"]:
        typer.echo(f"  proceeding {p['docket']} at {p['court']}")
        for a in p["accused"]:
            typer.echo(f"    accused {a['label']}: {a['custody']}, {a['relationship']}")
    for c in view["consents"]:
        typer.echo(f"  consent {c['scope']}: {'active' if c['active'] else 'withdrawn'}")
    for s in view["services"]:
        typer.echo(f"  service {s['kind']}: {s['status']}")
    for a in view["appointments"]:
        typer.echo(f"  {a['kind']} at {a['at']}: {a['status']}")


@case_app.command("list")
def case_list(stage: Annotated[Optional[str], typer.Option(help="Only this stage")] = None):
    """Cases by pseudonym."""
    from witness.services.cases import list_cases

    for r in list_cases(_app(), _actor(), stage):
        typer.echo(f"{r['id']}  {r['jurisdiction']}  {r['stage']:<13} {r['age_status']:<9} {r['coordinator']}")


OverrideOpt = Annotated[Optional[list[str]], typer.Option("--override", help="RULE=REASON: override an overridable Do No Harm finding (audited)")]


@app.command()
def stage(case_id: str, target: str, reason: Annotated[str, typer.Option(help="Why (recorded, encrypted)")],
          override: OverrideOpt = None):
    """Move a case to another stage (R-20)."""
    from witness.commands.risk import _overrides
    from witness.services.cases import change_stage

    r = change_stage(_app(), _actor(), case_id, target, reason, _overrides(override))
    typer.echo(f"{r['case']}: {r['from']} -> {r['to']}")


@consent_app.command("give")
def consent_give(case_id: str, scope: str,
                 method: Annotated[str, typer.Option(help="written or oral")] = "written",
                 language: Annotated[str, typer.Option(help="language the victim was informed in")] = "",
                 interpreter: Annotated[Optional[str], typer.Option()] = None,
                 guardian_agreed: Annotated[bool, typer.Option("--guardian-agreed", help="the guardian is party (children)")] = False):
    from witness.services.consent import give

    give(_app(), _actor(), case_id, scope, method, language, interpreter, guardian_agreed)
    typer.echo(f"{case_id}: consent to {scope} recorded")


@consent_app.command("withdraw")
def consent_withdraw(case_id: str, scope: str):
    from witness.services.consent import withdraw

    r = withdraw(_app(), _actor(), case_id, scope)
    typer.echo(f"{case_id}: consent to {scope} withdrawn; {r['cancelled']} pending act(s) cancelled; support continues")


@reflection_app.command("extend")
def reflection_extend(case_id: str, days: int, reason: Annotated[str, typer.Option()]):
    from witness.services.reflection import extend

    typer.echo(f"{case_id}: reflection period now ends {extend(_app(), _actor(), case_id, days, reason)}")


@reflection_app.command("decide")
def reflection_decide(case_id: str, decision: Annotated[str, typer.Argument(help="cooperate or not_cooperate")]):
    """Record the victim's own, informed decision (the only thing that ends the period early)."""
    from witness.services.reflection import decide

    decide(_app(), _actor(), case_id, decision)
    typer.echo(f"{case_id}: decision recorded ({decision}); the sweep moves the stage")


@app.command()
def schedule(case_id: str, kind: Annotated[str, typer.Argument(help="interview, testimony or medical_exam")],
             at: Annotated[str, typer.Option(help="ISO-8601 with offset")],
             interviewer_gender: Annotated[Optional[str], typer.Option(help="female, male, ...")] = None,
             override: OverrideOpt = None):
    """Schedule a consent-dependent act."""
    from witness.clock import parse_instant
    from witness.commands.risk import _overrides
    from witness.services.appointments import schedule as do_schedule

    try:
        when = parse_instant(at)
    except ValueError as exc:
        raise InputProblems([("at", str(exc))]) from None
    typer.echo(do_schedule(_app(), _actor(), case_id, kind, when, _overrides(override), interviewer_gender))


@service_app.command("start")
def service_start(case_id: str, kind: str):
    from witness.services.support import start

    start(_app(), _actor(), case_id, kind)
    typer.echo(f"{case_id}: {kind} started")


@service_app.command("end")
def service_end(case_id: str, kind: str, reason: Annotated[str, typer.Option()], override: OverrideOpt = None):
    from witness.commands.risk import _overrides
    from witness.services.support import end

    end(_app(), _actor(), case_id, kind, reason, _overrides(override))
    typer.echo(f"{case_id}: {kind} ended ({reason})")


@app.command()
def sweep():
    """Run the follow-up sweep once, as of --now (default: the current time)."""
    from witness.services.sweep import run

    a = _app()
    report = run(a, _actor(), a.clock.now())
    for name in report.selected:
        typer.echo(f"{name}: {report.selected[name]} due, {report.changed[name]} changed")


@app.command()
def worklist(everyone: Annotated[bool, typer.Option("--all", help="admin: everyone's items")] = False):
    """What is due for you, most urgent first."""
    from witness.services.worklist import open_items

    for r in open_items(_app(), _actor(), everyone):
        typer.echo(f"{r['due_at'].isoformat()}  {r['kind']:<18} {r['detail']}")


@audit_app.command("verify")
def audit_verify():
    """Check the audit chain for edits, deletions, reordering and truncation."""
    from witness.services.audit import verify

    result = verify(_app(), _actor())
    for p in result.problems:
        typer.echo(p)
    if not result.ok:
        typer.echo(f"audit log FAILED verification ({len(result.problems)} problems in {result.rows} rows)")
        raise typer.Exit(1)
    typer.echo(f"audit log verified: {result.rows} rows, chain intact")


@keys_app.command("rotate")
def keys_rotate():
    """Add a new data key and re-encrypt everything under it (resumable)."""
    from witness.services.keys import rotate

    r = rotate(_app(), _actor())
    typer.echo(f"active key {r.active}; {r.rows} rows re-encrypted")


@keys_app.command("resume")
def keys_resume():
    """Finish an interrupted rotation without adding another key."""
    from witness.services.keys import rotate

    r = rotate(_app(), _actor(), new_key=False)
    typer.echo(f"active key {r.active}; {r.rows} rows re-encrypted")


@app.command()
def demo(out: Annotated[Path, typer.Option(help="Folder for the report and outputs")] = Path("witness-demo")):
    """Run the end-to-end demonstration on a fresh embedded store in OUT."""
    from witness.demo import run_demo

    report = run_demo(out)
    typer.echo(f"demo finished; report: {report}")


@app.command()
def serve():
    """Run every deployment on its schedule (local Prefect server on SQLite); Ctrl-C stops it."""
    from witness.serve import serve as do_serve

    do_serve()


def _register_area_commands() -> None:
    """Each feature area adds its commands in witness/commands/<area>.py with `register(app)`.
    Those modules import only typer at the top, so start-up stays fast."""
    from witness.areas import modules

    for module in modules("witness.commands"):
        module.register(app)


_register_area_commands()


def main() -> None:
    try:
        app(standalone_mode=False)
    except WitnessError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    # Run the imported copy: area commands import witness.cli and must share its state (--actor, --now).
    from witness.cli import main as _main

    _main()
