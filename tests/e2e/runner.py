"""The one way the end-to-end tests run the command line: the installed `witness` console script,
in a fresh process, as a person runs it. `witness(...)` returns the finished process: its exit code
(`returncode`), `stdout` and `stderr`.

Every command names an existing, enabled account with --actor (R-110), so a store the tests act on
gets the accounts of the people they act as: `init_store(env)` for a store made by `witness init`,
`add_accounts(app)` for one a fixture built. They are added directly through the accounts service,
as an admin would add them, not through the command under test.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from witness.settings import PROJECT_ROOT

WITNESS = str(Path(sys.executable).with_name("witness"))  # the console script, as a user runs it

# Who the tests act as: login -> role. The same names as tests/conftest.py's actors.
ACCOUNTS = {
    "amara": "coordinator", "dewi": "coordinator",
    "somchai": "prosecutor", "rahmat": "prosecutor",
    "hana": "legal_aid", "budi": "legal_aid",
    "officer-9": "escort", "interp-07": "interpreter",
    "audit-1": "auditor",
    "root-1": "admin", "root": "admin", "relay-1": "admin",
}


def cli_env(app=None, home: Path | None = None, actor: str | None = "amara:coordinator", **extra: str) -> dict:
    """The test process's environment without its own WITNESS_* settings, pointed at a store: an
    App's (home and database URL) or a home folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    if app is not None:
        env.update(WITNESS_HOME=str(app.settings.home), WITNESS_DATABASE_URL=app.settings.database_url)
    elif home is not None:
        env["WITNESS_HOME"] = str(home)
    if actor is not None:
        env["WITNESS_ACTOR"] = actor
    env.update(extra)
    return env


def witness(env: dict, *args: str, check: bool = False, input: str | None = None, umask: int | None = None,
            cwd: Path = PROJECT_ROOT, timeout: float = 120, module: bool = False) -> subprocess.CompletedProcess:
    """Run `witness ARGS...` and wait. With check=True a non-zero exit fails the test, showing both
    streams. `umask` is the user's (files must be private because witness asks, not because of it).
    `module=True` starts it as `python -m witness.cli` instead of the console script."""
    command = [sys.executable, "-m", "witness.cli"] if module else [WITNESS]
    proc = subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=timeout, input=input,
                          cwd=cwd, preexec_fn=None if umask is None else (lambda: os.umask(umask)))
    if check and proc.returncode != 0:
        raise AssertionError(f"witness {' '.join(args)} exited {proc.returncode}: {proc.stdout}{proc.stderr}")
    return proc


def start(env: dict, *args: str, cwd: Path = PROJECT_ROOT) -> subprocess.Popen:
    """`witness ARGS...` left running (a relay to kill, a server to stop); text pipes for both streams."""
    return subprocess.Popen([WITNESS, *args], env=env, cwd=cwd, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def init_store(env: dict, accounts: dict[str, str] = ACCOUNTS) -> None:
    """`witness init` on the store `env` points to, then the accounts the tests act as."""
    witness(env, "init", check=True)
    add_accounts(env, accounts)


def add_accounts(store, accounts: dict[str, str] = ACCOUNTS) -> None:
    """Add each account (login -> role) missing from the store: `store` is an App, or an environment
    naming the store as the command line would read it."""
    from sqlalchemy import select

    from witness.domain.access import Actor, Role
    from witness.services import accounts as service
    from witness.store.account_tables import accounts as table

    app = store if not isinstance(store, dict) else _app(store)
    with app.engine.connect() as c:
        have = set(c.execute(select(table.c.login)).scalars())
        c.rollback()
    admin = Actor("root-1", Role.admin)
    for login, role in accounts.items():
        if login not in have:
            service.add(app, admin, login, role)
    if isinstance(store, dict):
        app.engine.dispose()


def _app(env: dict):
    from witness.bootstrap import build_app
    from witness.settings import Settings

    # Each named explicitly (None too): this process's own WITNESS_* variables must not leak in.
    return build_app(Settings(home=env["WITNESS_HOME"], database_url=env.get("WITNESS_DATABASE_URL"),
                              key_file=env.get("WITNESS_KEY_FILE")))


def table_rows(text: str) -> list[dict]:
    """The rows of a list the command line printed with a header row (witness.terminal.table, piped:
    columns padded and separated by two spaces), as {HEADER: cell}."""
    import re

    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?:(?<=^)|(?<=  ))\S", header)]
    names = [header[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
    return [{n: line[a:b].strip() for n, a, b in zip(names, starts, starts[1:] + [None])} for line in lines[1:]]
