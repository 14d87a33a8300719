"""Backups (R-101b): a sealed, private copy; a restore into an empty store that passes audit verify;
refusals with one line each."""
import stat

import pytest

from tests.conftest import ADMIN, AUDITOR, COORDINATOR, adult_form
from tests.e2e.runner import add_accounts, cli_env, witness
from witness.bootstrap import build_app
from witness.services import audit as audit_service
from witness.services import cases as case_service
from witness.services.backups import make_backup
from witness.services.intake import open_case


def test_a_backup_is_sealed_private_and_restores_to_a_store_that_verifies(tmp_path, app, empty_store):
    case = open_case(app, COORDINATOR, adult_form())
    out = tmp_path / "copies" / "witness.backup"
    done = make_backup(app, ADMIN, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and done.size == out.stat().st_size
    sealed = out.read_bytes()
    for clear in (b"Aung Min Thein", b"audit_log", case.encode(), b"SQLite format"):
        assert clear not in sealed
    env = cli_env(home=empty_store.home, actor=None, WITNESS_DATABASE_URL=empty_store.url,
                  WITNESS_KEY_FILE=str(empty_store.keyring_path))
    restored = witness(env, "restore", str(out), check=True)
    assert restored.stdout.startswith(f"restored: {app.engine.dialect.name}, {done.rows} audit rows")
    again = build_app(empty_store)
    try:
        result = audit_service.verify(again, AUDITOR)
        assert result.ok and result.rows == done.rows, result.problems
        assert case_service.show(again, COORDINATOR, case)["identity"]["legal_name"] == "Aung Min Thein"
    finally:
        again.engine.dispose()


def test_refusals_each_in_one_line(tmp_path, sqlite_app):
    app = sqlite_app
    add_accounts(app)
    env = cli_env(app, actor="root-1:admin", WITNESS_KEY_FILE=str(app.settings.keyring_path))
    out = tmp_path / "b.backup"
    witness(env, "backup", str(out), check=True)

    def one_line(*args, e=env):
        r = witness(e, *args)
        assert r.returncode == 1 and r.stdout == "", r.stdout + r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        return lines[0]
    assert one_line("backup", str(out)) == "--out: a file is already there; a backup never replaces one"
    assert one_line("backup", str(tmp_path / "c.backup"), e=dict(env, WITNESS_ACTOR="amara:coordinator")) == \
        "coordinator may not store.backup"
    assert not (tmp_path / "c.backup").exists()
    assert one_line("restore", str(out)).startswith("the store already has tables; restore only into an empty database")
    empty = cli_env(home=tmp_path / "new", actor=None, WITNESS_KEY_FILE=str(app.settings.keyring_path))
    not_one = tmp_path / "notes.txt"
    not_one.write_text("hello\n")
    assert one_line("restore", str(not_one), e=empty) == "FILE: not a witness backup"
    tampered = tmp_path / "tampered.backup"
    data = bytearray(out.read_bytes())
    data[-5] ^= 1
    tampered.write_bytes(bytes(data))
    assert one_line("restore", str(tampered), e=empty) == \
        "FILE: cannot be decrypted with this keyring (altered, or made with another keyring)"
    other = cli_env(home=tmp_path / "other", actor=None)
    witness(other, "init", check=True)  # a keyring of its own (its key-encryption key is also called k1)
    assert one_line("restore", str(out), e=dict(other, WITNESS_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")) == \
        "FILE: cannot be decrypted with this keyring (altered, or made with another keyring)"
    assert one_line("restore", str(tmp_path / "missing.backup"), e=empty) == "FILE: cannot read it (No such file or directory)"


def test_an_older_copy_restored_over_a_store_that_went_further_does_not_verify(tmp_path, sqlite_app):
    app = sqlite_app
    open_case(app, COORDINATOR, adult_form())
    out = tmp_path / "old.backup"
    make_backup(app, ADMIN, out)
    open_case(app, COORDINATOR, adult_form())  # the store goes on; the head file records it
    app.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        (app.settings.home / f"witness.db{suffix}").unlink(missing_ok=True)
    env = cli_env(app, actor=None, WITNESS_KEY_FILE=str(app.settings.keyring_path))
    witness(env, "restore", str(out), check=True)
    again = build_app(app.settings)
    try:
        problems = audit_service.verify(again, AUDITOR).problems
    finally:
        again.engine.dispose()
    assert any("(log truncated)" in p for p in problems), problems


def test_a_pg_dump_older_than_the_server_is_refused_by_name():
    from witness.store.backup import BackupRefused, check_client

    assert check_client("pg_dump", "15.20 (Debian 15.20-0+deb12u1)").endswith("pg_dump")  # the installed 15 matches
    with pytest.raises(BackupRefused) as refused:
        check_client("pg_dump", "99.1")  # a server newer than any client here
    assert str(refused.value).startswith("pg_dump: version ") and str(refused.value).endswith(
        "is older than the server's 99; install postgresql-client-99")
