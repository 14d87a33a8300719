"""Backups (R-101b): `witness backup OUT`, `witness restore FILE`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from witness.commands import context
from witness.terminal import echo


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_store)
    app.command("restore")(restore_store)


def backup_store(out: Annotated[Path, typer.Argument(help="New file for the sealed copy (0600; never replaced)")]):
    """Copy the store, consistent while it runs, sealed with a key from the keyring."""
    from witness.services.backups import make_backup

    done = make_backup(context.app(), context.actor(), out)
    echo(f"backup written: {done.kind}, {done.rows} audit rows, {done.size} bytes, sealed")


def restore_store(file: Annotated[Path, typer.Argument(help="A file `witness backup` wrote")]):
    """Restore a sealed copy into the empty store WITNESS_DATABASE_URL names; then run `witness audit verify`."""
    from witness.services.backups import restore
    from witness.store.crypto import keyring_from

    settings = context.settings()
    done = restore(settings, keyring_from(settings), file)
    echo(f"restored: {done.kind}, {done.rows} audit rows; now run `witness audit verify`")
