"""Private files: everything witness writes to disk is readable by its owner only.

A document may carry a legal name, a calendar a hearing date, the store every identity. So every
file is created 0600 and every folder 0700, whatever the umask, and an existing file's
permissions are never inherited: the data goes to a fresh private temporary file in the same
folder, is flushed to disk, and then renamed over the target. The rename replaces a symbolic link
rather than following it, but we refuse one outright: whoever planted it expected us to write
through it, and the user should know.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from witness.errors import InputProblems

FILE_MODE = 0o600
FOLDER_MODE = 0o700


class UnsafePath(InputProblems):
    """The place given for an output cannot be written safely (symbolic link, folder, no access)."""

    def __init__(self, field: str, message: str):
        super().__init__([(field, message)])


def write_private(path: Path, data: bytes | str, field: str | None = None, *, replace: bool = True) -> None:
    """Write `data` to `path` as a new 0600 file, atomically; refuse a symbolic link at `path`.

    `field` names the path in an error (`--out`, `--csv`); messages never repeat the path itself,
    which a user may have named after a person.

    With `replace=False` nothing at `path` is ever replaced: the temporary file is hard-linked into
    place instead of renamed, and link() fails if any file, folder or symbolic link is at `path` in
    the same step that would create it — no moment between a check and the write for another file
    to appear. Something already there raises FileExistsError (the caller words the refusal). On a
    file system without hard links the file is created at `path` directly with
    O_CREAT|O_EXCL|O_NOFOLLOW.
    """
    path = Path(path)
    field = field or str(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    refuse_unsafe_target(path, field)
    try:
        make_private_folder(path.parent)
        # mkstemp opens with O_EXCL and mode 0600: a fresh inode nobody else can have opened.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot(field, exc) from None
    try:
        _write_synced(fd, data)
        if replace:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path, data, field)
    except FileExistsError:
        raise
    except OSError as exc:
        raise _cannot(field, exc) from None
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass  # renamed into place
    _sync_folder(path.parent)


def _write_synced(fd: int, data: bytes) -> None:
    """Write all of data to this open file and fsync it (closing it): on disk before it is named."""
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _cannot(field: str, exc: OSError) -> UnsafePath:
    return UnsafePath(field, f"cannot write there ({exc.strerror or 'not allowed'})")


def _link_new(tmp: str, path: Path, data: bytes, field: str) -> None:
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
            raise
        _create_exclusive(path, data)


def _create_exclusive(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        _write_synced(fd, data)
    except BaseException:
        os.unlink(path)  # ours: created by the open above, and incomplete
        raise


def refuse_unsafe_target(path: Path, field: str) -> None:
    """Commands call this before the work that produces the file (and audits it), so that a
    refused path leaves no register entry for a document that was never written."""
    path = Path(path)
    if path.is_symlink():
        raise UnsafePath(field, "is a symbolic link; refusing to write through it (the file it points to is left as it is)")
    if path.is_dir():
        raise UnsafePath(field, "is a folder; give a file name")


def _sync_folder(folder: Path) -> None:
    # Without this a crash after the rename may bring back the old file (or none) on some file systems.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_private_folder(path: Path) -> None:
    """Create `path` and any missing parents 0700. Folders that already exist are left alone:
    an output may go into the user's working directory, which is theirs to set."""
    path = Path(path)
    missing = []
    while not path.exists() and not path.is_symlink() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)  # the umask can only narrow 0700, never widen it
        except FileExistsError:
            continue  # created meanwhile by another process


def secure_folder(path: Path) -> None:
    """Create `path` 0700, or tighten it to 0700 if it is ours and looser (a store from an older
    version, or created under a permissive umask)."""
    path = Path(path)
    make_private_folder(path)
    _tighten(path, FOLDER_MODE)


def secure_file(path: Path) -> None:
    """Tighten an existing file of ours to 0600; a missing file is fine."""
    _tighten(Path(path), FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    # A file owned by another account (e.g. an audit head kept out of the application's reach) is
    # that account's to set; chmod would fail anyway.
    if st.st_uid != os.geteuid():
        return
    # A sticky world-writable folder (/tmp) given as a home by mistake is shared by design:
    # closing it would break every other program on the machine.
    if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX:
        return
    if stat.S_IMODE(st.st_mode) & ~mode:
        os.chmod(path, mode)


def secure_store(settings) -> None:
    """Owner-only permissions on what the witness home holds: the home and the keys folder 0700,
    the keyring and the audit head 0600. Stores made by older versions were 0755/0644; every
    start tightens them (the SQLite files are tightened where the
    engine is made, witness/store/engine.py)."""
    if settings.home.exists():
        secure_folder(settings.home)
        for folder in {settings.keyring_path.parent, settings.audit_head_path.parent}:
            # Only folders inside the home: a key file set elsewhere may sit in a shared folder
            # (/etc, a mounted volume) whose permissions are not ours to change.
            if folder.exists() and folder.resolve().is_relative_to(settings.home.resolve()):
                secure_folder(folder)
    secure_file(settings.keyring_path)
    secure_file(settings.audit_head_path)


_umask_lock = threading.Lock()
_umask_depth = 0
_umask_saved = 0


@contextmanager
def private_umask():
    """Files created inside (SQLite's database, -wal and -shm files) are 0600 and folders 0700.

    The umask belongs to the whole process: a counter makes nested and concurrent uses restore the
    original value only when the last one leaves, never a value another thread had set meanwhile.
    """
    global _umask_depth, _umask_saved
    with _umask_lock:
        if _umask_depth == 0:
            _umask_saved = os.umask(0o077)
        _umask_depth += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_depth -= 1
            if _umask_depth == 0:
                os.umask(_umask_saved)
