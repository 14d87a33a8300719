"""The files a backup writes (R-101b): the sealed copy is a new 0600 file that never replaces one,
not even a file that appears while the backup runs; and no unsealed copy of the store is written
to disk on the way — not in the temporary folder, not beside the output, on success or failure."""
import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ADMIN, AUDITOR, COORDINATOR, adult_form
from witness.bootstrap import build_app
from witness.errors import WitnessError
from witness.services import audit as audit_service
from witness.services import backups
from witness.services.intake import open_case
from witness.store import backup

# Python's audit hooks see every file Python opens and every SQLite database it connects to. A hook
# cannot be removed, so one is added once and records only inside `_watching()`.
_SEEN: list | None = None


def _hook(event, args):
    if _SEEN is None:
        return
    if event == "sqlite3.connect":
        _SEEN.append(("sqlite", str(args[0])))
    elif event == "open" and args[0] is not None and not isinstance(args[0], int):
        mode, flags = args[1], args[2]
        writes = (any(c in mode for c in "wax+") if isinstance(mode, str)
                  else bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
        if writes:
            _SEEN.append(("write", str(args[0])))


sys.addaudithook(_hook)


@contextmanager
def _watching():
    global _SEEN
    _SEEN = []
    try:
        yield _SEEN
    finally:
        _SEEN = None


@pytest.fixture
def tmp_folder(tmp_path, monkeypatch):
    """The temporary folder every tempfile call in this process uses: checked empty afterwards."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _store_with_a_victim(app):
    return open_case(app, COORDINATOR, adult_form())


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


def test_the_backup_writes_nothing_but_its_sealed_file_and_no_unsealed_copy(tmp_path, app, tmp_folder):
    _store_with_a_victim(app)
    out = tmp_path / "copies" / "witness.backup"
    with _watching() as seen:
        backups.make_backup(app, ADMIN, out)
    store = str(backup.sqlite_path(app.settings.url)) if app.engine.dialect.name == "sqlite" else None
    for kind, what in seen:
        if kind == "sqlite":
            assert what in (store, ":memory:"), f"a copy of the store made on disk at {what}"
        elif Path(what) != app.settings.audit_head_path:  # the backup's own audit entry moves the head
            # the sealed bytes, to a temporary name beside the output, linked to the output
            assert Path(what).parent == out.parent and Path(what).name.startswith(".witness.backup."), what
    assert _files(out.parent) == ["witness.backup"] and _files(tmp_folder) == []
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert b"SQLite format" not in out.read_bytes()


def test_a_failed_backup_leaves_no_copy_and_no_file(tmp_path, app, tmp_folder, monkeypatch):
    _store_with_a_victim(app)
    out = tmp_path / "copies" / "witness.backup"

    def seal_fails(*args, **kw):
        raise WitnessError("sealing failed")
    monkeypatch.setattr(backup, "seal", seal_fails)
    with pytest.raises(WitnessError, match="sealing failed"):
        backups.make_backup(app, ADMIN, out)
    assert not out.exists() and _files(tmp_folder) == []
    assert not out.parent.exists() or _files(out.parent) == []

    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_folder))

    def disk_full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", disk_full)  # the write of the sealed file fails half-way
    with pytest.raises(WitnessError, match="--out: cannot write there"):
        backups.make_backup(app, ADMIN, out)
    assert _files(out.parent) == [] and _files(tmp_folder) == []


def test_a_file_that_appears_while_the_backup_runs_is_left_as_it_is(tmp_path, app, tmp_folder, monkeypatch):
    """The check that nothing is at the output is made before the work; the work takes time, and a
    file put there meanwhile (another backup, another person) must not be replaced."""
    _store_with_a_victim(app)
    out = tmp_path / "copies" / "witness.backup"
    real_seal = backup.seal

    def seal_while_another_file_appears(*args, **kw):
        sealed = real_seal(*args, **kw)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"another backup")
        return sealed
    monkeypatch.setattr(backup, "seal", seal_while_another_file_appears)
    with pytest.raises(backup.BackupRefused, match="^--out: a file is already there; a backup never replaces one$"):
        backups.make_backup(app, ADMIN, out)
    assert out.read_bytes() == b"another backup"
    assert _files(out.parent) == ["witness.backup"] and _files(tmp_folder) == []


def test_a_symbolic_link_at_the_output_is_refused_and_its_target_untouched(tmp_path, sqlite_app):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"precious")
    out = tmp_path / "witness.backup"
    out.symlink_to(target)
    with pytest.raises(WitnessError):
        backup.write_new(out, b"sealed")
    assert target.read_bytes() == b"precious" and out.is_symlink()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".witness.backup.")] == []


def test_the_sealed_file_is_0600_whatever_the_umask(tmp_path):
    out = tmp_path / "witness.backup"
    old = os.umask(0)
    try:
        backup.write_new(out, b"sealed")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes() == b"sealed"


def test_a_restore_writes_the_store_and_the_head_file_and_no_unsealed_copy(tmp_path, app, empty_store, tmp_folder):
    case = _store_with_a_victim(app)
    out = tmp_path / "witness.backup"
    done = backups.make_backup(app, ADMIN, out)
    with _watching() as seen:
        backups.restore(empty_store, app.keyring, out)
    store = str(backup.sqlite_path(empty_store.url)) if app.engine.dialect.name == "sqlite" else None
    for kind, what in seen:
        if kind == "sqlite":
            assert what in (store, ":memory:"), f"a copy of the store made on disk at {what}"
        else:  # the heads the copy carried, into the new head file
            assert Path(what) == empty_store.audit_head_path or (Path(what).parent == empty_store.audit_head_path.parent
                                                                 and empty_store.audit_head_path.name in what), what
    assert _files(tmp_folder) == []
    again = build_app(empty_store)
    try:
        result = audit_service.verify(again, AUDITOR)
        assert result.ok and result.rows == done.rows, result.problems
        from witness.services import cases as case_service
        assert case_service.show(again, COORDINATOR, case)["identity"]["legal_name"] == "Aung Min Thein"
    finally:
        again.engine.dispose()
