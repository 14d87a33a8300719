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

import copy
import os
import sys
from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.commands.global_options import first_command, hoist
from witness.errors import Forbidden, WitnessError
from witness.terminal import echo

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERNAL, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 70, 74, 130

# Tracebacks with local variables would print names and addresses: never show them.
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  pretty_exceptions_show_locals=False, help="Protection and follow-up for victims of trafficking who testify.")


@app.callback()
def main_options(
    actor: Annotated[Optional[str], typer.Option("--actor", help="Who is acting, as USER:ROLE (e.g. amara:coordinator); default: WITNESS_ACTOR")] = None,
    now: Annotated[Optional[str], typer.Option("--now", help="Act as of this ISO-8601 instant (with offset)")] = None,
):
    context.begin(actor, now)


def _register_commands() -> None:
    """Every command lives in witness/commands/<noun>.py with `register(app)`, listed in
    witness/wiring.py. Those modules import only typer at the top, so start-up stays fast."""
    from witness.wiring import commands

    for register in commands():
        register(app)


_register_commands()


def main() -> None:
    # witness uses no pydantic plugins, and looking them up reads the entry points of every installed
    # package (Prefect brings many): ~15 ms of each start. A deployment that wants one (logfire)
    # sets PYDANTIC_DISABLE_PLUGINS to the empty string.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(run())


def run(args: list[str] | None = None) -> int:
    """Run one command and return its exit code (see the module docstring). Nothing escapes as a
    traceback: it could show personal data, and it tells a careless user nothing."""
    from typer._click import exceptions as click_errors  # typer's own click: `click.*` never matches

    context.reset()
    args = sys.argv[1:] if args is None else list(args)
    try:
        command = _command(args)
        args = hoist(command, args)  # `witness sweep --now ...` too
        result = command(args=args, prog_name="witness", standalone_mode=False)
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


def _command(args: list[str] | None = None):
    """The click command tree of the app, with help in plain words (no `<bool>` on every flag).

    Given the command line, only the branch it names is built: typer turns each command's signature
    into click parameters one by one, and doing that for all ~90 commands took a third of every
    plain command's start (issue 16, item 7). `--help`, a bare `witness` and an unknown word
    (whose error lists the commands) get the whole tree."""
    from witness.commands.help_words import plain
    from witness.commands.typed_values import pass_plain_values

    command = typer.main.get_command(_branch(args) or app)
    plain(command)
    pass_plain_values(command)
    return command


def _branch(args: list[str] | None) -> typer.Typer | None:
    """The app with the root options and only the top-level command or group `args` names."""
    at = first_command(args or [])
    if at is None or "--help" in args[:at]:  # `witness --help case`: the root's help, every command
        return None
    word = args[at]
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__)) == word]
    groups = [g for g in app.registered_groups if g.name == word]
    if not commands and not groups:
        return None
    branch = copy.copy(app)  # shares the root callback and settings; only the lists differ
    branch.registered_commands, branch.registered_groups = commands, groups
    return branch


def _usage(exc) -> None:
    """One line saying what is wrong, one with the usage and where to find help."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(exc, NoArgsIsHelpError):  # bare `witness` or `witness case`: the help to stdout, as asked
        for line in exc.ctx.get_help().splitlines():
            echo(line)
        message = "a command is needed"
    else:
        message = exc.format_message() or "a command is needed"
    echo(f"error: {message}", err=True)
    ctx = exc.ctx
    if ctx is not None:
        echo(f"{ctx.get_usage()}  (more: {ctx.command_path} --help)", err=True)


def _audit_refusal(exc: Forbidden) -> None:
    """Refused attempts are audited (who, which record, what was refused), in one place: here,
    where every refusal of the command line passes. A refusal before an actor was established
    (no actor, a malformed one, the system role) has nobody to record; one who names no enabled
    account with that role is recorded as who they claimed to be."""
    said = context.current()
    if said.acting is None:
        return
    try:
        from witness.services.access import record_denial

        record_denial(context.app(), said.acting, said.record, f"{said.command}: {exc}")
    except Exception as failure:  # the refusal itself stands; say that it went unrecorded
        echo(f"warning: this refusal could not be recorded in the audit log ({type(failure).__name__})", err=True)


def _unexpected(exc: Exception) -> int:
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from witness.settings import InvalidSettings

    if isinstance(exc, InvalidSettings):  # from the environment: each field named, never its value
        for name, problem in exc.problems:
            echo(f"{name}: {problem}", err=True)
        return EXIT_REFUSED
    if isinstance(exc, ValidationError):  # pydantic's own text would quote the input
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
        return context.settings().debug
    except Exception:
        return False


if __name__ == "__main__":
    main()  # `python -m witness.cli`: the commands' state lives in witness.commands.context, one copy either way
