"""The web workspace and its accounts (R-110…R-113): `witness web`, `witness user add|disable|reset|assign|signature`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context
from witness.terminal import echo  # every human-readable line: values escaped

BaseUrl = Annotated[str, typer.Option("--base-url", help="Where people reach `witness web` (for the set-up link)")]
DEFAULT_BASE = "http://127.0.0.1:8000"


def setup_link(base_url: str, token: str) -> str:
    from witness.domain.account import setup_link as link  # imported here: pydantic stays out of start-up

    return link(base_url, token)


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                           help="Accounts of the people who sign in to `witness web` (admin).")
    app.add_typer(user_app, name="user")

    @user_app.command("add")
    def user_add(login: Annotated[str, typer.Argument(help="Login, e.g. amara (an escort's is their officer id)")],
                 role: Annotated[str, typer.Option(help="coordinator, prosecutor, legal_aid, escort, interpreter, auditor, admin")],
                 base_url: BaseUrl = DEFAULT_BASE):
        """Create an account; prints the one-time set-up link to hand to the person."""
        from witness.services.accounts import add

        token = add(context.app(), context.actor(), login, role)
        echo(f"{login} ({role}): set-up link, valid 72 hours, usable once:")
        echo(setup_link(base_url, token))

    @user_app.command("disable")
    def user_disable(login: str):
        """No more sign-ins for this account; its open sessions end at once."""
        from witness.services.accounts import disable

        ended = disable(context.app(), context.actor(), login)
        echo(f"{login}: disabled; {ended} session(s) ended")

    @user_app.command("reset")
    def user_reset(login: str, base_url: BaseUrl = DEFAULT_BASE):
        """Clear password and second factor, lift a lock, re-enable; prints a new one-time set-up link."""
        from witness.services.accounts import reset

        token = reset(context.app(), context.actor(), login)
        echo(f"{login}: reset; set-up link, valid 72 hours, usable once:")
        echo(setup_link(base_url, token))

    @user_app.command("assign")
    def user_assign(login: str,
                    role: Annotated[Optional[str], typer.Option(help="New role (ends the person's sessions)")] = None,
                    case: Annotated[Optional[list[str]], typer.Option("--case", help="Link a case (pseudonym)")] = None,
                    remove_case: Annotated[Optional[list[str]], typer.Option("--remove-case", help="Unlink a case")] = None):
        """Set the role and the cases a person is assigned to."""
        from witness.services.accounts import assign

        r = assign(context.app(), context.actor(), login, role, case or [], remove_case or [])
        echo(f"{r['user']}: role {r['role']}; cases: {', '.join(r['cases']) or 'none'}"
                   + (f"; {r['sessions_ended']} session(s) ended" if r["sessions_ended"] else ""))

    @user_app.command("signature")
    def user_signature(login: str,
                       name: Annotated[str, typer.Option(help="The name documents are signed with, e.g. 'Somchai Rattanakul'")] = "",
                       office: Annotated[str, typer.Option(help="The office, e.g. 'Office of the Attorney General, Samut Sakhon'")] = ""):
        """Set the name and office this person's documents are signed with (empty clears them)."""
        from witness.services.signatures import set_signature

        r = set_signature(context.app(), context.actor(), login, name, office)
        echo(f"{r['user']}: signs as {r['name'] or '(a line to sign by hand)'}"
             + (f", {r['office']}" if r["office"] else ""))

    @app.command()
    def web(host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
            port: Annotated[int, typer.Option(help="Port")] = 8000,
            secure_cookies: Annotated[Optional[bool], typer.Option(
                "--secure-cookies/--no-secure-cookies",
                help="Mark cookies Secure (default: on unless listening on loopback; behind TLS say so)")] = None):
        """Serve the web workspace (uvicorn). People sign in with accounts from `witness user add`."""
        from witness.web.server import serve

        serve(context.app(), host, port, secure_cookies)
