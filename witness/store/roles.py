"""Least privilege on PostgreSQL (R-101b): the owner role migrations run as, the application role
everything else runs as.

The owner owns the schema and every table (it runs `witness init`, i.e. the migrations). The
application role may read and write the data but cannot alter the schema (no CREATE on it, owns no
table, so no ALTER, DROP or DISABLE TRIGGER), cannot UPDATE, DELETE or TRUNCATE the audit log (only
SELECT and INSERT: the trigger of migration 0007 is a second wall, not the first), and is not a
superuser. `roles_sql` is the SQL `witness db roles` runs; it is idempotent (run it again after
every migration, so new tables get their grants) and can be read or run by hand (`--print`).
"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine

APPEND_ONLY = ("audit_log",)  # the application may add rows, never change or remove them
READ_ONLY = ("alembic_version",)  # the schema's version is the owner's business
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str, field: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{field}: {name!r} is not a plain lower-case PostgreSQL name")
    return name


def roles_sql(owner: str, app: str, schema: str = "public") -> list[str]:
    owner, app, schema = _ident(owner, "--owner"), _ident(app, "--app"), _ident(schema, "--schema")
    create = """DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r}') THEN CREATE ROLE {r} LOGIN; END IF;
EXCEPTION WHEN duplicate_object THEN NULL;  -- created by a concurrent run
END $$"""
    return [
        create.format(r=owner),
        create.format(r=app),
        f"ALTER ROLE {app} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"ALTER ROLE {owner} NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner}",
        f"ALTER SCHEMA {schema} OWNER TO {owner}",
        # PostgreSQL 15 no longer lets PUBLIC create in `public`; say it anyway for older servers.
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {schema} FROM {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        *[f"DO $$ BEGIN IF to_regclass('{schema}.{t}') IS NOT NULL THEN "
          f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{t} FROM {app}; END IF; END $$" for t in APPEND_ONLY],
        *[f"DO $$ BEGIN IF to_regclass('{schema}.{t}') IS NOT NULL THEN "
          f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}.{t} FROM {app}; END IF; END $$" for t in READ_ONLY],
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
    ]


def reassign_tables(schema: str, owner: str) -> list[str]:
    """A store migrated by another role (a superuser, before roles existed): hand its tables,
    sequences and functions to the owner, so the owner alone can alter them."""
    schema, owner = _ident(schema, "--schema"), _ident(owner, "--owner")
    return [f"""DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' LOOP
    EXECUTE format('ALTER TABLE %I.%I OWNER TO {owner}', '{schema}', r.tablename); END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = '{schema}' LOOP
    EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO {owner}', '{schema}', r.sequencename); END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = '{schema}' LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO {owner}', r.f); END LOOP;
END $$"""]


def apply(engine: Engine, owner: str, app: str, schema: str = "public") -> None:
    if engine.dialect.name != "postgresql":
        raise ValueError("WITNESS_DATABASE_URL: roles exist on PostgreSQL only (SQLite is one file, one account)")
    with engine.begin() as conn:
        for statement in roles_sql(owner, app, schema)[:6] + reassign_tables(schema, owner) + roles_sql(owner, app, schema)[6:]:
            conn.execute(text(statement))


def heads_sql(app: str) -> list[str]:
    """Grants on the audit heads' table in its own database (WITNESS_AUDIT_HEAD_URL): the
    application may add a head and read them all, never change or remove one."""
    app = _ident(app, "--app")
    return [
        """DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r}') THEN CREATE ROLE {r} LOGIN; END IF;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$""".format(r=app),
        f"REVOKE ALL ON audit_heads FROM {app}",
        f"GRANT SELECT, INSERT ON audit_heads TO {app}",
        f"GRANT USAGE ON SEQUENCE audit_heads_id_seq TO {app}",
    ]


def apply_heads(engine: Engine, app: str) -> None:
    from witness.store.audit import TableHeads

    if engine.dialect.name != "postgresql":
        raise ValueError("WITNESS_AUDIT_HEAD_URL: roles exist on PostgreSQL only")
    TableHeads(engine).create()
    with engine.begin() as conn:
        for statement in heads_sql(app):
            conn.execute(text(statement))
