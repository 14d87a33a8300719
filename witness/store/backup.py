"""Backups of the store, encrypted at rest (R-101b).

SQLite is copied with its online backup API (a consistent copy while others write); PostgreSQL
with `pg_dump --format=custom` (restored with `pg_restore`). The copy is sealed with AES-GCM under
a key derived (HKDF) from a key-encryption key of the keyring, whose id is in the header: a backup
is as unreadable without the keyring as the store itself, and a bit flipped anywhere fails the
restore. The heads the audit head file had recorded travel with it, so a store restored on a new
machine verifies (`witness audit verify`) — and one restored over a store that had gone further
does not, because its head file is only ever appended to, never rewritten.

File: one header line `WITNESS-BACKUP 1 <json>` then nonce || ciphertext+tag; the header line is
the associated data. The whole copy is held in memory while sealed (fine to some GB; see
docs/deploy.md for larger stores) — and only there: no unsealed copy ever touches the disk, not even
a temporary one (deleted files stay readable on the disk until overwritten, and a crash or a kill
skips any clean-up). The sealed file is written under a temporary name and linked into place, which
fails if anything is at the name already: a backup never replaces a file, even one that appears
while the backup runs.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

from witness.errors import IntegrityFailure, InputProblems, WitnessError
from witness.private_files import make_private_folder, write_private
from witness.store.crypto import Keyring

MAGIC = b"WITNESS-BACKUP 1 "


class BackupRefused(WitnessError):
    pass


def _key(ring: Keyring, kek_id: str) -> bytes:
    kek = ring.data_keys.get(kek_id)
    if kek is None:
        raise IntegrityFailure(f"backup: sealed under key-encryption key {kek_id!r}, which this keyring does not hold")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"witness backup").derive(kek)


def seal(ring: Keyring, kind: str, payload: bytes, heads: str, schema: str | None) -> bytes:
    header = MAGIC + json.dumps({"kind": kind, "kek": ring.active, "schema": schema, "heads": heads,
                                 "at": datetime.now(timezone.utc).isoformat()}, sort_keys=True).encode() + b"\n"
    nonce = os.urandom(12)
    return header + nonce + AESGCM(_key(ring, ring.active)).encrypt(nonce, payload, header)


def open_sealed(ring: Keyring, data: bytes, field: str) -> tuple[dict, bytes]:
    line, sep, body = data.partition(b"\n")
    if not line.startswith(MAGIC) or not sep:
        raise InputProblems([(field, "not a witness backup")])
    header = line + b"\n"
    try:
        meta = json.loads(line[len(MAGIC):])
    except ValueError:
        raise InputProblems([(field, "not a witness backup")]) from None
    try:
        return meta, AESGCM(_key(ring, meta["kek"])).decrypt(body[:12], body[12:], header)
    except InvalidTag:
        raise IntegrityFailure(f"{field}: cannot be decrypted with this keyring (altered, or made with another keyring)") from None


# -- SQLite ------------------------------------------------------------------------------------
def sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[-1])


def dump_sqlite(url: str) -> bytes:
    """A consistent copy of the store, as the bytes of a database file, made in memory."""
    src, dst = sqlite3.connect(sqlite_path(url)), sqlite3.connect(":memory:")
    try:
        src.backup(dst)  # the online backup API: consistent even while another process writes
        return dst.serialize()
    finally:
        dst.close()
        src.close()


def restore_sqlite(url: str, payload: bytes) -> None:
    target = sqlite_path(url)
    make_private_folder(target.parent)
    src = sqlite3.connect(":memory:")
    try:
        # The copy of a store in WAL mode says so in its header (bytes 18-19 = 2), and SQLite cannot
        # open an in-memory image in WAL mode; as a rollback-journal image it reads the same pages.
        # The store's engine switches the restored file back to WAL when it first connects.
        image = bytearray(payload)
        if image[18:20] == b"\x02\x02":
            image[18:20] = b"\x01\x01"
        src.deserialize(bytes(image))
        old = os.umask(0o077)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            os.umask(old)
    finally:
        src.close()
    os.chmod(target, 0o600)


# -- PostgreSQL --------------------------------------------------------------------------------
def libpq(url: str) -> tuple[str, str | None, dict]:
    """The URL for pg_dump/pg_restore (no driver name, no search_path option, no password: that goes
    in PGPASSWORD, not on a command line every account can read with ps), the schema named by
    `options=-csearch_path=...` if any, and the environment to run them in."""
    u = make_url(url)
    options = u.query.get("options", "")
    found = re.search(r"search_path(?:%3D|=)([A-Za-z0-9_]+)", options)
    query = {k: v for k, v in u.query.items() if k != "options"}
    env = dict(os.environ)
    if u.password is not None:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", query=query, password=None).render_as_string(hide_password=False)
    return plain, found.group(1) if found else None, env


def _major(text: str) -> int:
    return int(re.search(r"(\d+)", text).group(1))


def check_client(tool: str, server_version: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupRefused(f"{tool}: not installed (Debian: postgresql-client-{_major(server_version)})")
    # "pg_dump (PostgreSQL) 15.20 (Debian ...)": an older client cannot read a newer server.
    client = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    mine = _major(client.split("PostgreSQL)", 1)[-1])
    if mine < _major(server_version):
        raise BackupRefused(f"{tool}: version {mine} is older than the server's {_major(server_version)}; "
                            f"install postgresql-client-{_major(server_version)}")
    return path


def dump_postgres(url: str, server_version: str) -> tuple[bytes, str | None]:
    tool = check_client("pg_dump", server_version)
    plain, schema, env = libpq(url)
    args = [tool, "--format=custom", "--no-owner", "--no-privileges", f"--dbname={plain}"]
    if schema:
        args.append(f"--schema={schema}")
    done = subprocess.run(args, capture_output=True, env=env)
    if done.returncode != 0:
        raise BackupRefused("pg_dump: " + done.stderr.decode(errors="replace").strip().splitlines()[-1])
    return done.stdout, schema


def restore_postgres(url: str, payload: bytes, server_version: str) -> None:
    tool = check_client("pg_restore", server_version)
    plain, _schema, env = libpq(url)
    # The dump goes through a pipe (pg_restore reads its standard input), never a file on disk.
    done = subprocess.run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           f"--dbname={plain}"], input=payload, capture_output=True, env=env)
    if done.returncode != 0:
        raise BackupRefused("pg_restore: " + done.stderr.decode(errors="replace").strip().splitlines()[-1])


# -- the sealed file ---------------------------------------------------------------------------
def write_new(out: Path, sealed: bytes, field: str = "--out") -> None:
    """Write the sealed copy to `out` as a new 0600 file, atomically, never replacing anything
    (`write_private(replace=False)`: linked into place, which fails if anything is there). A reader
    never sees a half-written backup."""
    try:
        write_private(out, sealed, field, replace=False)
    except FileExistsError:
        raise BackupRefused(f"{field}: a file is already there; a backup never replaces one") from None
