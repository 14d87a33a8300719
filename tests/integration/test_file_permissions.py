"""Files and folders witness writes are its owner's only (issue 10, item 4).

Modes are read with os.stat on real files. The process umask is set to 0 around the writes that
must not depend on it, so a test passes only if the code itself asks for 0600/0700.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from witness.bootstrap import build_app
from witness.private_files import UnsafePath, private_umask, write_private
from witness.services.keys import init
from witness.settings import Settings
from witness.store.engine import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


# write_private ---------------------------------------------------------------------------------

def test_a_new_file_is_0600_and_its_new_folders_0700_even_under_an_open_umask(tmp_path):
    target = tmp_path / "a" / "b" / "letter.pdf"
    with umask(0):
        write_private(target, b"%PDF legal name")
    assert mode(target) == 0o600
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700
    assert target.read_bytes() == b"%PDF legal name"


def test_an_existing_0666_file_is_replaced_by_a_0600_one(tmp_path):
    target = tmp_path / "letter.pdf"
    target.write_bytes(b"old")
    os.chmod(target, 0o666)
    write_private(target, b"new")
    assert mode(target) == 0o600
    assert target.read_bytes() == b"new"


def test_a_symbolic_link_is_refused_and_the_file_it_points_to_is_left_untouched(tmp_path):
    victim_file = tmp_path / "elsewhere.txt"
    victim_file.write_bytes(b"original")
    os.chmod(victim_file, 0o666)
    link = tmp_path / "letter.pdf"
    link.symlink_to(victim_file)
    with pytest.raises(UnsafePath) as refused:
        write_private(link, b"%PDF legal name", "--out")
    assert str(refused.value) == ("--out: is a symbolic link; refusing to write through it "
                                  "(the file it points to is left as it is)")
    assert link.is_symlink()
    assert victim_file.read_bytes() == b"original" and mode(victim_file) == 0o666
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.txt", "letter.pdf"]


def test_a_dangling_symbolic_link_is_refused_too(tmp_path):
    link = tmp_path / "feed.ics"
    link.symlink_to(tmp_path / "not-yet-there.ics")
    with pytest.raises(UnsafePath, match=r"^--out: is a symbolic link"):
        write_private(link, b"BEGIN:VCALENDAR", "--out")
    assert not (tmp_path / "not-yet-there.ics").exists()


def test_a_folder_as_target_is_refused_without_leaving_a_temporary_file(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(UnsafePath, match=r"^--csv: is a folder; give a file name$"):
        write_private(tmp_path / "out", "a,b\n", "--csv")
    assert list((tmp_path / "out").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "report.csv"
    target.write_text("old")

    def disk_full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(UnsafePath, match=r"^--csv: cannot write there \(No space left on device\)$"):
        write_private(target, "new", "--csv")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_replace_false_never_replaces_a_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "witness.backup"
    target.write_bytes(b"another backup")
    with pytest.raises(FileExistsError):
        write_private(target, b"sealed", "--out", replace=False)
    assert target.read_bytes() == b"another backup"
    assert [p.name for p in tmp_path.iterdir()] == ["witness.backup"]


@pytest.mark.parametrize("there", [False, True])
def test_replace_false_without_hard_links_creates_the_file_exclusively(tmp_path, monkeypatch, there):
    # A file system without hard links (EPERM from link()): the file is created at its name with
    # O_EXCL, which still refuses anything already there.
    target = tmp_path / "witness.backup"
    if there:
        target.write_bytes(b"another backup")

    def no_links(*_a, **_k):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with umask(0):
        if there:
            with pytest.raises(FileExistsError):
                write_private(target, b"sealed", "--out", replace=False)
        else:
            write_private(target, b"sealed", "--out", replace=False)
    assert target.read_bytes() == (b"another backup" if there else b"sealed")
    if not there:
        assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["witness.backup"]


def test_the_umask_is_restored_only_when_the_last_of_several_threads_leaves(tmp_path):
    with umask(0o022):
        inside = threading.Event()
        release = threading.Event()

        def hold():
            with private_umask():
                inside.set()
                release.wait(5)

        t = threading.Thread(target=hold)
        t.start()
        inside.wait(5)
        with private_umask():
            pass  # leaves first: must not put 022 back while the other thread is still inside
        current = os.umask(0o077)
        os.umask(current)
        assert current == 0o077
        release.set()
        t.join()
        current = os.umask(0o022)
        assert current == 0o022


# The store ---------------------------------------------------------------------------------------

def test_init_makes_the_home_and_keys_folder_0700_and_the_keyring_0600(tmp_path, db_url):
    # On SQLite db_url points inside this home; on PostgreSQL the home still holds the keys.
    settings = Settings(home=tmp_path / "home", database_url=db_url, key_file=None)
    with umask(0o022):
        init(settings)
    assert mode(settings.home) == 0o700
    assert mode(settings.keyring_path.parent) == 0o700
    assert mode(settings.keyring_path) == 0o600
    if db_url.startswith("sqlite"):
        assert mode(settings.home / "witness.db") == 0o600


def test_a_new_sqlite_database_and_its_wal_and_shm_are_0600(tmp_path):
    db = tmp_path / "home" / "witness.db"
    with umask(0o022):
        engine = make_engine(f"sqlite:///{db}")
        with engine.connect() as conn:  # open: SQLite keeps -wal and -shm while a connection lives
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.commit()
            assert {p.name: mode(p) for p in db.parent.iterdir()} == {
                "witness.db": 0o600, "witness.db-wal": 0o600, "witness.db-shm": 0o600}
        engine.dispose()
    assert mode(db.parent) == 0o700


def test_an_existing_store_left_readable_is_tightened_at_start(tmp_path):
    settings = Settings(home=tmp_path / "home", database_url=None, key_file=None)
    init(settings)
    db = settings.home / "witness.db"
    # What an older version left: everything readable by every account, -wal and -shm included
    # (a raw connection held open keeps them, created from the 0644 database's mode).
    for path, loose in ((settings.home, 0o755), (settings.keyring_path.parent, 0o755),
                        (settings.keyring_path, 0o644), (db, 0o644)):
        os.chmod(path, loose)
    holder = sqlite3.connect(db)
    holder.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        assert mode(Path(f"{db}-wal")) == 0o644  # the situation is real before the fix
        app = build_app(settings)
        app.engine.dispose()
        assert mode(settings.home) == 0o700
        assert mode(settings.keyring_path.parent) == 0o700
        assert {p.name: mode(p) for p in settings.home.iterdir() if p.is_file()} == {
            "witness.db": 0o600, "witness.db-wal": 0o600, "witness.db-shm": 0o600}
        assert mode(settings.keyring_path) == 0o600
    finally:
        holder.close()


def test_a_key_file_outside_the_home_does_not_change_its_shared_folder(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    settings = Settings(home=tmp_path / "home", database_url=None, key_file=shared / "keyring.json")
    init(settings)
    assert mode(shared) == 0o755
    assert mode(shared / "keyring.json") == 0o600
    assert mode(settings.home) == 0o700
