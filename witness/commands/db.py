"""The database's roles (R-101b): `witness db roles`."""
from __future__ import annotations

from typing import Annotated

import typer

from witness.commands import context, new_group
from witness.terminal import echo


def register(app: typer.Typer) -> None:
    db_app = new_group(app, "db", "The database: roles for least privilege (PostgreSQL).")
    db_app.command("roles")(db_roles)


def db_roles(owner: Annotated[str, typer.Option(help="Role that owns the schema and runs migrations")] = "witness_owner",
             app_role: Annotated[str, typer.Option("--app", help="Role the application connects as")] = "witness_app",
             schema: Annotated[str, typer.Option(help="Schema holding witness's tables")] = "public",
             print_only: Annotated[bool, typer.Option("--print", help="Print the SQL instead of running it")] = False):
    """Create the owner and application roles and grant them (idempotent; run again after each migration).
    Run with WITNESS_DATABASE_URL naming a role that may create roles (the cluster's administrator)."""
    from witness.errors import InputProblems
    from witness.store import roles

    try:
        statements = roles.roles_sql(owner, app_role, schema)
        if print_only:
            for s in statements[:6] + roles.reassign_tables(schema, owner) + statements[6:]:
                echo(s + ";")
            return
        from witness.store.engine import make_engine

        engine = make_engine(context.settings().url)
        try:
            roles.apply(engine, owner, app_role, schema)
        finally:
            engine.dispose()
        if context.settings().audit_head_url:  # the heads' database: insert and select only
            heads = make_engine(context.settings().audit_head_url)
            try:
                roles.apply_heads(heads, app_role)
            finally:
                heads.dispose()
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise InputProblems([(field, message)]) from None
    echo(f"roles ready: {owner} owns schema {schema} (run migrations as it); {app_role} reads and writes data, "
         "appends to audit_log, cannot alter the schema")
