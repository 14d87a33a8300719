"""What `witness user signature` and `witness keys migrate` refuse, as a person at the terminal sees
it: exit code 1 and one line on stderr saying why (2 and the usage line after it for a malformed
command line), nothing on stdout, and nothing changed."""
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from tests.e2e.runner import cli_env, init_store, witness
from witness.store.account_tables import accounts


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    env = cli_env(home=tmp_path_factory.mktemp("refusals") / "home", actor="root-1:admin")
    init_store(env)
    witness(env, "user", "signature", "somchai", "--name", "Somchai Rattanakul", check=True)
    return env


def _as(env, actor: str) -> dict:
    return dict(env, WITNESS_ACTOR=actor)


def _refused(proc, line: str, code: int = 1) -> None:
    assert (proc.returncode, proc.stdout) == (code, ""), proc.stderr
    assert proc.stderr.strip().splitlines() == [line]


def _usage_refused(proc, line: str, usage: str) -> None:
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stderr
    assert proc.stderr.strip().splitlines() == [line, f"Usage: {usage}  (more: {usage.split(' [')[0]} --help)"]


def _signature_is_unchanged(env) -> None:
    """somchai signs as the admin set him up: a refused command wrote nothing (read from the store
    itself; no command only reads a signature)."""
    engine = create_engine(f"sqlite:///{Path(env['WITNESS_HOME']) / 'witness.db'}")
    with engine.connect() as c:
        row = c.execute(select(accounts.c.display_name, accounts.c.office).where(accounts.c.login == "somchai")).one()
    engine.dispose()
    assert tuple(row) == ("Somchai Rattanakul", None)


def test_a_signature_with_a_bad_name_or_office_is_refused_field_by_field(store):
    _refused(witness(store, "user", "signature", "somchai", "--name", "12345"), "name: needs at least one letter")
    _refused(witness(store, "user", "signature", "somchai", "--name", "Som\nchai"),
             "name: contains a control or invisible character (U+000A at position 4); remove it")
    _refused(witness(store, "user", "signature", "somchai", "--office", "o" * 201),
             "office: String should have at most 200 characters")
    _usage_refused(witness(store, "user", "signature"), "error: Missing argument 'login'.",
                   "witness user signature [OPTIONS] {login}")
    _usage_refused(witness(store, "user", "signature", "somchai", "--title", "Dr"), "error: No such option: --title",
                   "witness user signature [OPTIONS] {login}")
    _signature_is_unchanged(store)


def test_a_signature_for_someone_else_needs_an_admin(store):
    _refused(witness(_as(store, "amara:coordinator"), "user", "signature", "somchai", "--name", "Someone Else"),
             "coordinator may set only their own signature")
    _signature_is_unchanged(store)


def test_a_signature_for_an_unknown_account_or_by_an_unknown_actor_is_refused(store):
    _refused(witness(store, "user", "signature", "nobody", "--name", "No Body"), "user: no account 'nobody'")
    _refused(witness(_as(store, "ghost:admin"), "user", "signature", "somchai", "--name", "Ghost Writer"),
             "actor: no enabled account 'ghost' with the role admin")
    _refused(witness(_as(store, "amara:admin"), "user", "signature", "somchai", "--name", "Ghost Writer"),
             "actor: no enabled account 'amara' with the role admin")
    _signature_is_unchanged(store)


def test_keys_migrate_refuses_a_malformed_command_line(store):
    _usage_refused(witness(store, "keys", "migrate", "extra"), "error: Got unexpected extra argument(s) (extra)",
                   "witness keys migrate [OPTIONS]")
    _usage_refused(witness(store, "keys", "migrate", "--batch", "3"), "error: No such option: --batch",
                   "witness keys migrate [OPTIONS]")
    _refused(witness(_as(store, "root-1"), "keys", "migrate"), "actor: write it as USER:ROLE, e.g. amara:coordinator")


def test_keys_migrate_is_an_admins_only(store):
    _refused(witness(_as(store, "amara:coordinator"), "keys", "migrate"), "coordinator may not keys.rotate")
    _refused(witness(_as(store, "audit-1:auditor"), "keys", "migrate"), "auditor may not keys.rotate")


def test_keys_migrate_by_an_unknown_actor_or_without_the_keyring_is_refused(store, tmp_path):
    _refused(witness(_as(store, "ghost:admin"), "keys", "migrate"), "actor: no enabled account 'ghost' with the role admin")
    missing = tmp_path / "keyring.json"
    _refused(witness(dict(store, WITNESS_KEY_FILE=str(missing)), "keys", "migrate"),
             f"no encryption key at {missing}: refusing to start rather than store identities in plaintext. "
             "Run `witness init` to create one, or set WITNESS_KEY_FILE to your key file.")
    not_a_keyring = tmp_path / "other.json"
    not_a_keyring.write_text("{}")
    _refused(witness(dict(store, WITNESS_KEY_FILE=str(not_a_keyring)), "keys", "migrate"),
             f"{not_a_keyring}: not a valid witness keyring")
    done = witness(store, "keys", "migrate", check=True)  # the admin, with the keyring: it runs
    assert done.stdout.strip() == "0 rows moved under their data keys"
