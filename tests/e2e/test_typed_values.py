"""Plain text and flag values pass through without typer's pydantic adapters
(witness/commands/typed_values.py): the speed is real, and the answers are the same."""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from tests.conftest import adult_form
from tests.e2e.runner import cli_env, init_store, witness
from witness.cli import _command


HEAVY = ("typer._adapters", "cryptography", "argon2", "pyotp", "sqlalchemy.dialects.postgresql", "pydantic")


def _loaded(env: dict, argv: list[str], heavy: tuple[str, ...]) -> str:
    """Run the command in a fresh interpreter: its exit code and which of `heavy` it loaded."""
    code = ("import sys\nfrom witness.cli import run\n"
            f"rc = run({argv!r})\n"
            f"print(rc, [m for m in {heavy!r} if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()[-1]


@pytest.mark.parametrize("argv", [["case", "list", "--stage", "reflection"], ["worklist"]])
def test_a_plain_command_loads_no_adapter_cipher_or_password_hasher(tmp_path, argv):
    """What a plain list does not use is not loaded at its start: typer's pydantic adapters (text
    and flags pass through), OpenSSL's bindings (nothing is decrypted), the Argon2 hasher and the
    TOTP library (--actor is checked against the accounts, no password or code), SQLAlchemy's
    PostgreSQL dialect on a SQLite store (a partial index's `postgresql_where` in a table module
    loaded it, with asyncio, for every command: witness/store/all_tables.py), and pydantic itself:
    the settings are plain values and the profiles' models are built only for a command that reads
    a whole profile (witness/settings.py, witness/config_cache.Profiles)."""
    env = cli_env(home=tmp_path / "home")
    init_store(env)
    # Fails too if a typer release moves its conversion slot: the pass-through would silently stop.
    assert _loaded(env, argv, HEAVY) == "0 []"


def test_showing_a_case_decrypts_it_without_importing_pydantic(tmp_path):
    """`case show` needs the cipher, the case's time zone and its state's Do No Harm severities;
    none of that needs a profile's or a form's pydantic model (about a sixth of its start)."""
    env = cli_env(home=tmp_path / "home", WITNESS_ALLOW_CLOCK="1")
    init_store(env)
    form = tmp_path / "intake.yaml"
    form.write_text(yaml.safe_dump(adult_form(opened_at="2026-11-02T10:00:00+07:00")))
    case_id = witness(env, "--now", "2026-11-03T10:00:00+07:00", "intake", str(form), check=True).stdout.strip()
    assert _loaded(env, ["case", "show", case_id], ("pydantic", "cryptography")) == "0 ['cryptography']"


def test_only_text_and_flags_pass_through_every_other_type_keeps_typers_checks():
    command = _command(["claim", "pay", "--help"])
    kinds = {}

    def walk(c):
        for p in getattr(c, "params", []):
            if getattr(p, "type_descriptor", None) is not None:
                kinds[(c.name, p.name)] = (p.type_descriptor.annotation, type(p._runtime_param).__name__
                                           if p._runtime_param is not None else None)
        for sub in getattr(c, "commands", {}).values():
            walk(sub)

    walk(command)
    assert kinds, "no typer parameters found"
    for (cmd, name), (annotation, runtime) in kinds.items():
        if annotation in (str, bool):
            assert runtime == "PassThroughRuntimeParam", (cmd, name)
        else:  # numbers, lists, enums, dates: built by typer on use, with its own checks
            assert runtime is None, (cmd, name, annotation)
    assert any(a not in (str, bool) for a, _ in kinds.values())  # the claim commands take amounts and dates


def test_values_still_refused_or_kept_as_before(tmp_path):
    env = cli_env(home=tmp_path / "home")
    init_store(env)
    bad = witness(env, "worklist", "snooze", "not-a-number", "--for", "1h", "--reason", "planned_later")
    assert bad.returncode == 2 and "Invalid value for 'item'" in bad.stderr  # an int argument: typer's own check
    listed = witness(env, "case", "list", "--stage", "reflection")  # a text option passes through as typed
    assert listed.returncode == 0 and listed.stdout.strip() == "No cases at stage reflection."
