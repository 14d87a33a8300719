"""Setting up a store and its keys (R-71): `witness init [--admin NAME]`, `witness keys rotate|resume|migrate`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from witness.commands import context, new_group
from witness.commands.web import DEFAULT_BASE, BaseUrl
from witness.terminal import echo, echo_json  # every line escaped; JSON through json_text


def register(app: typer.Typer) -> None:
    app.command()(init)
    keys_app = new_group(app, "keys", "Encryption keys (R-71).")
    keys_app.command("rotate")(keys_rotate)
    keys_app.command("resume")(keys_resume)
    keys_app.command("migrate")(keys_migrate)


def init(admin: Annotated[Optional[str], typer.Option(
             "--admin", help="Also create the first admin account, NAME, and print its one-time set-up link")] = None,
         base_url: BaseUrl = DEFAULT_BASE):
    """Create the database, the keyring (if none) and run migrations; --admin NAME makes the first admin account."""
    from witness.services.keys import init as do_init

    done = do_init(context.settings())
    if admin is not None:
        # Every command names an existing account (--actor), and accounts are added by an admin:
        # the first one comes with the store. The link is a credential (valid 72 hours, usable
        # once): shown this once, never stored in clear.
        from witness.commands.web import setup_link
        from witness.services.accounts import add_first_admin

        done.update(admin=admin, setup_link=setup_link(base_url, add_first_admin(context.app(), admin)))
    echo_json(done)


def keys_rotate():
    """Add a key-encryption key and rewrap every data key under it (resumable); values are untouched."""
    from witness.services.keys import rotate

    r = rotate(context.app(), context.actor())
    echo(f"active key {r.active}; {r.rows} data keys rewrapped or values moved")


def keys_resume():
    """Finish an interrupted rotation or migration without adding another key."""
    from witness.services.keys import rotate

    r = rotate(context.app(), context.actor(), new_key=False)
    echo(f"active key {r.active}; {r.rows} data keys rewrapped or values moved")


def keys_migrate():
    """Move values stored before data keys existed under their owner's data key (resumable)."""
    from witness.services.keys import migrate

    echo(f"{migrate(context.app(), context.actor())} rows moved under their data keys")
