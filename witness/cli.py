"""The `witness` command line, and what its exit codes mean:

  0    done
  1    refused: bad input (`field.path: message` lines), not allowed, not found, blocked by a
       Do No Harm or consent rule, busy store, or a failed audit verification
  2    usage: unknown command or option, missing or malformed argument (one line and the usage)
  70   internal error: a bug; one line naming the exception type, no traceback (it could show
       personal data) unless WITNESS_DEBUG=1
  74   database error: the database refused or failed; one line with the error's type, never the
       statement or its parameters; the failing transaction was rolled back
  130  interrupted (Ctrl-C)

Results go to stdout, every refusal and failure to stderr. Start-up imports neither Prefect nor
WeasyPrint: commands that run no flow answer quickly (R-100a).
"""
from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from witness.errors import Forbidden, IntegrityFailure, InputProblems, WitnessError
from witness.terminal import echo, json_text

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERNAL, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 70, 74, 130

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
    """What one invocation said and did, for the edge (main) to report and audit."""

    def __init__(self) -> None:
        self.actor: str | None = None
        self.now: datetime | None = None
        self.acting = None  # the parsed Actor, once a command asked for it
        self.command = ""  # e.g. "case show", for the audit row of a refusal
        self.record = "-"  # the id the command was about, if any


state = _State()

CLOCK_REFUSED = ("setting the clock is only for tests and the demonstration (WITNESS_ALLOW_CLOCK=1): "
                 "every command records the real time")
# Parameters that name a record; only id-shaped values are kept for the audit row of a refusal.
_RECORD_PARAMS = ("case_id", "claim_id", "hearing_id", "measure_id", "ident", "case", "hearing", "claim")
_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


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
        as_of_clock(state.now)  # refused here, before any command starts


def as_of_clock(at: datetime | None):
    """The clock for `--now`. Refused unless WITNESS_ALLOW_CLOCK=1 (tests, the demonstration): every
    command writes at least its audit row, so there is no command where a made-up instant could
    not backdate a record (a consent, an access to an identity)."""
    if at is None:
        return None
    from witness.clock import FixedClock
    from witness.settings import get_settings

    if not get_settings().allow_clock:
        raise InputProblems([("--now", CLOCK_REFUSED)])
    return FixedClock(at)


def _app():
    from witness.bootstrap import build_app
    from witness.settings import get_settings

    return build_app(get_settings(), as_of_clock(state.now))


def _actor():
    return claim_actor(state.actor)


def claim_actor(text: str | None):
    """The Actor a person claims with --actor or WITNESS_ACTOR (never the system role)."""
    from witness.domain.access import Actor

    _note_attempt()
    if not text:
        raise Forbidden("actor: say who is acting with --actor USER:ROLE or WITNESS_ACTOR")
    state.acting = Actor.parse(text)
    return state.acting


def _note_attempt() -> None:
    """Remember which command, about which record, the actor is attempting: if it is refused, the
    refusal is audited with them. Every command asks for its actor from inside its own context."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    if ctx is None:
        return
    state.command = " ".join(ctx.command_path.split()[1:]) or ctx.command_path
    for name in _RECORD_PARAMS:
        value = ctx.params.get(name)
        if isinstance(value, str) and _ID_SHAPE.fullmatch(value):
            state.record = value
            return


def _print(data, as_json: bool = True) -> None:
    typer.echo(json_text(data))  # JSON: escaped by json_text


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
    echo(open_case(_app(), _actor(), data))


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
    echo(f"{view['case']}  {view['jurisdiction']}  stage={view['stage']}  coordinator={view['coordinator']}")
    r = view["reflection"]
    echo(f"  reflection: ends {r['ends_at']} ({'running' if r['running'] else 'over'}); decision: {r['decision'] or '-'}")
    echo(f"  {view['age_status']}, {view['gender']}, language {view['preferred_language']}, safe channels: {', '.join(view['safe_channels']) or 'none'}")
    for k, v in view.get("identity", {}).items():
        echo(f"  {k}: {v}")
    for p in view["proceedings"]:
        echo(f"  proceeding {p['docket']} at {p['court']}")
        for a in p["accused"]:
            echo(f"    accused {a['label']}: {a['custody']}, {a['relationship']}")
    for c in view["consents"]:
        echo(f"  consent {c['scope']}: {'active' if c['active'] else 'withdrawn'}")
    for s in view["services"]:
        echo(f"  service {s['kind']}: {s['status']}")
    for a in view["appointments"]:
        echo(f"  {a['kind']} at {a['at']}: {a['status']}")


@case_app.command("list")
def case_list(stage: Annotated[Optional[str], typer.Option(help="Only this stage")] = None):
    """Cases by pseudonym."""
    from witness.services.cases import list_cases

    for r in list_cases(_app(), _actor(), stage):
        echo(f"{r['id']}  {r['jurisdiction']}  {r['stage']:<13} {r['age_status']:<9} {r['coordinator']}")


OverrideOpt = Annotated[Optional[list[str]], typer.Option("--override", help="RULE=REASON: override an overridable Do No Harm finding (audited)")]


@app.command()
def stage(case_id: str, target: str, reason: Annotated[str, typer.Option(help="Why (recorded, encrypted)")],
          override: OverrideOpt = None):
    """Move a case to another stage (R-20)."""
    from witness.commands.risk import _overrides
    from witness.services.cases import change_stage

    r = change_stage(_app(), _actor(), case_id, target, reason, _overrides(override))
    echo(f"{r['case']}: {r['from']} -> {r['to']}")


@consent_app.command("give")
def consent_give(case_id: str, scope: str,
                 method: Annotated[str, typer.Option(help="written or oral")] = "written",
                 language: Annotated[str, typer.Option(help="language the victim was informed in")] = "",
                 interpreter: Annotated[Optional[str], typer.Option()] = None,
                 guardian_agreed: Annotated[bool, typer.Option("--guardian-agreed", help="the guardian is party (children)")] = False):
    from witness.services.consent import give

    give(_app(), _actor(), case_id, scope, method, language, interpreter, guardian_agreed)
    echo(f"{case_id}: consent to {scope} recorded")


@consent_app.command("withdraw")
def consent_withdraw(case_id: str, scope: str):
    from witness.services.consent import withdraw

    r = withdraw(_app(), _actor(), case_id, scope)
    echo(f"{case_id}: consent to {scope} withdrawn; {r['cancelled']} pending act(s) cancelled; support continues")


@reflection_app.command("extend")
def reflection_extend(case_id: str, days: int, reason: Annotated[str, typer.Option()]):
    from witness.services.reflection import extend

    echo(f"{case_id}: reflection period now ends {extend(_app(), _actor(), case_id, days, reason)}")


@reflection_app.command("decide")
def reflection_decide(case_id: str, decision: Annotated[str, typer.Argument(help="cooperate or not_cooperate")]):
    """Record the victim's own, informed decision (the only thing that ends the period early)."""
    from witness.services.reflection import decide

    decide(_app(), _actor(), case_id, decision)
    echo(f"{case_id}: decision recorded ({decision}); the sweep moves the stage")


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
    echo(do_schedule(_app(), _actor(), case_id, kind, when, _overrides(override), interviewer_gender))


@service_app.command("start")
def service_start(case_id: str, kind: str):
    from witness.services.support import start

    start(_app(), _actor(), case_id, kind)
    echo(f"{case_id}: {kind} started")


@service_app.command("end")
def service_end(case_id: str, kind: str, reason: Annotated[str, typer.Option()], override: OverrideOpt = None):
    from witness.commands.risk import _overrides
    from witness.services.support import end

    end(_app(), _actor(), case_id, kind, reason, _overrides(override))
    echo(f"{case_id}: {kind} ended ({reason})")


@app.command()
def sweep():
    """Run the follow-up sweep once, as of --now (default: the current time)."""
    from witness.services.sweep import run

    a = _app()
    report = run(a, _actor(), a.clock.now())
    for name in report.selected:
        echo(f"{name}: {report.selected[name]} due, {report.changed[name]} changed")


@app.command()
def worklist(everyone: Annotated[bool, typer.Option("--all", help="admin: everyone's items")] = False):
    """What is due for you, most urgent first."""
    from witness.services.worklist import open_items

    for r in open_items(_app(), _actor(), everyone):
        echo(f"{r['due_at'].isoformat()}  {r['kind']:<18} {r['detail']}")


@audit_app.command("verify")
def audit_verify():
    """Check the audit chain for edits, deletions, reordering, truncation and time running backwards."""
    from witness.services.audit import verify

    result = verify(_app(), _actor())
    if not result.ok:
        for p in result.problems:
            echo(p, err=True)
        raise IntegrityFailure(f"audit log FAILED verification ({len(result.problems)} problems in {result.rows} rows)")
    echo(f"audit log verified: {result.rows} rows, chain intact")


@keys_app.command("rotate")
def keys_rotate():
    """Add a new data key and re-encrypt everything under it (resumable)."""
    from witness.services.keys import rotate

    r = rotate(_app(), _actor())
    echo(f"active key {r.active}; {r.rows} rows re-encrypted")


@keys_app.command("resume")
def keys_resume():
    """Finish an interrupted rotation without adding another key."""
    from witness.services.keys import rotate

    r = rotate(_app(), _actor(), new_key=False)
    echo(f"active key {r.active}; {r.rows} rows re-encrypted")


@app.command()
def demo(out: Annotated[Path, typer.Option(help="Folder for the report and outputs")] = Path("witness-demo")):
    """Run the end-to-end demonstration on a fresh embedded store in OUT."""
    from witness.demo import run_demo

    report = run_demo(out)
    echo(f"demo finished; report: {report}")


@app.command()
def serve():
    """Run every deployment on its schedule (local Prefect server on SQLite); Ctrl-C stops it."""
    from witness.serve import serve as do_serve

    do_serve()


def _register_area_commands() -> None:
    """Each feature area adds its commands in witness/commands/<area>.py with `register(app)`,
    listed in witness/wiring.py. Those modules import only typer at the top, so start-up stays fast."""
    from witness.wiring import commands

    for register in commands():
        register(app)


_register_area_commands()


def main() -> None:
    sys.exit(run())


def run(args: list[str] | None = None) -> int:
    """Run one command and return its exit code (see the module docstring). Nothing escapes as a
    traceback: it could show personal data, and it tells a careless user nothing."""
    from typer._click import exceptions as click_errors  # typer's own click: `click.*` never matches

    global state
    state = _State()
    try:
        result = app(args=args, prog_name="witness", standalone_mode=False)
    except click_errors.UsageError as exc:
        _usage(exc)
        return EXIT_USAGE
    except click_errors.ClickException as exc:
        echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):  # EOF at a prompt; Ctrl-C outside a command
        echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except WitnessError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            echo(line, err=True)
        if isinstance(exc, Forbidden) and not exc.audited:  # the services audit their own refusals
            _audit_refusal(exc)
        return EXIT_REFUSED
    except Exception as exc:
        return _unexpected(exc)
    # In this mode click returns typer.Exit's code, and 130 for Ctrl-C, instead of raising.
    if isinstance(result, int) and not isinstance(result, bool) and result != EXIT_OK:
        if result == EXIT_INTERRUPTED:
            echo("interrupted", err=True)
        return result
    return EXIT_OK


def _usage(exc) -> None:
    """One line saying what is wrong, one with the usage and where to find help."""
    message = exc.format_message() or "a command is needed"  # bare `witness`: the help went to stdout
    echo(f"error: {message}", err=True)
    ctx = exc.ctx
    if ctx is not None:
        echo(f"{ctx.get_usage()}  (more: {ctx.command_path} --help)", err=True)


def _audit_refusal(exc: Forbidden) -> None:
    """Refused attempts are audited (who, which record, what was refused), in one place: here,
    where every refusal of the command line passes. A refusal before an actor was established
    (no actor, a malformed one, the system role) has nobody to record."""
    if state.acting is None:
        return
    try:
        from witness.services.audit import record_denial

        record_denial(_app(), state.acting, state.record, f"{state.command}: {exc}")
    except Exception as failure:  # the refusal itself stands; say that it went unrecorded
        echo(f"warning: this refusal could not be recorded in the audit log ({type(failure).__name__})", err=True)


def _unexpected(exc: Exception) -> int:
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, ValidationError):
        # Settings from the environment, mostly. pydantic's own text would quote the input.
        for e in exc.errors():
            echo(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}", err=True)
        return EXIT_REFUSED
    if isinstance(exc, SQLAlchemyError):
        # Only type names: the driver's message can quote values (a key that already exists).
        orig = getattr(exc, "orig", None)
        cause = f" ({type(orig).__name__})" if orig is not None else ""
        echo(f"database error: {type(exc).__name__}{cause}; the failing transaction was rolled back", err=True)
        code = EXIT_DATABASE
    else:
        echo(f"internal error: {type(exc).__name__}; details are not shown because they may hold personal data "
             "(WITNESS_DEBUG=1 prints the traceback)", err=True)
        code = EXIT_INTERNAL
    if _debug():
        import traceback

        traceback.print_exception(exc)
    return code


def _debug() -> bool:
    try:
        from witness.settings import get_settings

        return get_settings().debug
    except Exception:
        return False


if __name__ == "__main__":
    # Run the imported copy: area commands import witness.cli and must share its state (--actor, --now).
    from witness.cli import main as _main

    _main()
