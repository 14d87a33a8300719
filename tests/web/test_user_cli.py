"""`witness user ...` through the real command line, in fresh processes on the default SQLite store."""
import os

import pytest

from tests.e2e.runner import add_accounts, witness


def _witness(env, *args):
    return witness(env, *args)


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="root-1:admin")
    assert _witness(env, "init", "--admin", "root-1").returncode == 0
    return env


def test_user_add_prints_a_one_time_set_up_link_and_reset_a_new_one(env):
    added = _witness(env, "user", "add", "amara", "--role", "coordinator", "--base-url", "https://witness.example/")
    assert added.returncode == 0, added.stderr
    first = added.stdout.strip().splitlines()[-1]
    assert first.startswith("https://witness.example/setup/") and len(first) > 60
    again = _witness(env, "user", "reset", "amara")
    second = again.stdout.strip().splitlines()[-1]
    assert again.returncode == 0 and second.startswith("http://127.0.0.1:8000/setup/")
    assert second.rsplit("/", 1)[1] != first.rsplit("/", 1)[1]


def test_user_commands_refuse_with_one_line_and_exit_1(env):
    add_accounts(env, {"amara": "coordinator"})
    cases = [
        (dict(env), ("user", "add", "amara", "--role", "boss"), "role: use one of admin, auditor, coordinator"),
        (dict(env), ("user", "disable", "nobody"), "user: no account 'nobody'"),
        (dict(env, WITNESS_ACTOR="amara:coordinator"), ("user", "add", "dewi", "--role", "coordinator"),
         "coordinator may not manage accounts"),
        (dict(env), ("user", "assign", "nobody", "--case", "W-AAAAAA"), "user: no account 'nobody'"),
    ]
    for e, args, start in cases:
        proc = _witness(e, *args)
        assert proc.returncode == 1, args
        assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and proc.stderr.startswith(start), proc.stderr


def test_user_assign_sets_the_role_and_reports_it(env):
    _witness(env, "user", "add", "officer-9", "--role", "escort")
    proc = _witness(env, "user", "assign", "officer-9", "--role", "interpreter")
    assert proc.returncode == 0 and proc.stdout.strip() == "officer-9: role interpreter; cases: none"
    assert _witness(env, "user", "disable", "officer-9").stdout.strip() == "officer-9: disabled; 0 session(s) ended"


def test_user_signature_sets_the_name_documents_are_signed_with_and_refuses_in_one_line(env):
    add_accounts(env, {"somchai": "prosecutor", "amara": "coordinator"})
    done = _witness(env, "user", "signature", "somchai", "--name", "Somchai Rattanakul",
                    "--office", "Office of the Attorney General, Samut Sakhon")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "somchai: signs as Somchai Rattanakul, Office of the Attorney General, Samut Sakhon"
    for run_env, args, line in [
        (dict(env), ("user", "signature", "nobody", "--name", "X Y"), "user: no account 'nobody'"),
        (dict(env, WITNESS_ACTOR="amara:coordinator"), ("user", "signature", "somchai", "--name", "X Y"),
         "coordinator may set only their own signature"),
    ]:
        refused = _witness(run_env, *args)
        assert refused.returncode == 1, (args, refused.stdout, refused.stderr)
        assert line in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
