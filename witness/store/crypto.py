"""Field-level encryption at rest (R-71), as an envelope (R-101a).

AES-GCM with a fresh 96-bit nonce per value. The value's place — table, column, row id and key id —
is the associated data, so a ciphertext copied to another row or column fails to decrypt.

Two layers of keys. The keyring (a mounted secret every web process and worker reads: a file, or
the WITNESS_KEYRING variable) holds the key-encryption keys (KEKs). Values are encrypted under data
keys kept in the database only wrapped by a KEK (store/key_tables.py): one per victim for the
victim's identity and case history, one shared for the rest. So erasing a victim is destroying one
data key (crypto-shredding), and rotating the KEK rewraps the data keys without touching a value.

Stored forms: ``dk:<base64(nonce || ciphertext+tag)>`` under the owner's data key (``dk=<case>:...``
when the row is not bound to the case id but the value is the victim's); the older
``<kek_id>:<...>`` directly under a keyring key still decrypts until `witness keys migrate` has
moved it. Without a keyring, the system refuses to start rather than write plaintext.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from witness.errors import IntegrityFailure, KeyMissing
from witness.private_files import write_private
from witness.store.key_tables import SHARED, data_keys
from witness.store.dialects import among, dialect_of

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def _aesgcm(key: bytes) -> "AESGCM":
    # Imported on first use: a command that decrypts nothing (`witness case list`, the worklist)
    # need not load OpenSSL's bindings at start (issue 16, item 7).
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def new_key() -> bytes:
    """A fresh 256-bit AES key (what AESGCM.generate_key(256) returns: 32 bytes from os.urandom)."""
    return os.urandom(32)


@dataclass(frozen=True)
class Keyring:
    active: str
    # The key-encryption keys. Named as in the keyring files written before data keys existed, so
    # those load unchanged, and values still directly under them decrypt until migrated.
    data_keys: dict[str, bytes]
    audit_key: bytes
    index_key: bytes  # blind index: HMAC over normalised values, kept apart from the data keys

    @classmethod
    def generate(cls) -> "Keyring":
        return cls("k1", {"k1": new_key()}, secrets.token_bytes(32), secrets.token_bytes(32))

    def with_new_key(self) -> "Keyring":
        n = max(int(k[1:]) for k in self.data_keys) + 1
        keys = dict(self.data_keys)
        keys[f"k{n}"] = new_key()
        return Keyring(f"k{n}", keys, self.audit_key, self.index_key)

    def to_json(self) -> str:
        b = lambda v: base64.b64encode(v).decode()  # noqa: E731
        return json.dumps({"active": self.active, "data_keys": {k: b(v) for k, v in self.data_keys.items()},
                           "audit_key": b(self.audit_key), "index_key": b(self.index_key)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Keyring":
        raw = json.loads(text)
        d = base64.b64decode
        ring = cls(raw["active"], {k: d(v) for k, v in raw["data_keys"].items()}, d(raw["audit_key"]), d(raw["index_key"]))
        if ring.active not in ring.data_keys or any(len(k) != 32 for k in ring.data_keys.values()):
            raise ValueError("active key missing or a key is not 256 bits")
        return ring


def load_keyring(path: Path) -> Keyring:
    if not path.exists():
        raise KeyMissing(
            f"no encryption key at {path}: refusing to start rather than store identities in plaintext. "
            "Run `witness init` to create one, or set WITNESS_KEY_FILE to your key file."
        )
    try:
        return Keyring.from_json(path.read_text())
    except (ValueError, KeyError, TypeError):
        raise KeyMissing(f"{path}: not a valid witness keyring") from None


def save_keyring(path: Path, ring: Keyring) -> None:
    """Write atomically with owner-only permissions: a half-written keyring would lock every case."""
    write_private(path, ring.to_json(), "keyring")


def keyring_from(settings) -> Keyring:
    """The keyring from its provider: the WITNESS_KEYRING secret if set (a container's secret
    variable), else the mounted key file. Every process reads the same one, so none depends on
    one machine's disk."""
    secret = getattr(settings, "keyring", None)
    if secret is not None:
        try:
            return Keyring.from_json(secret.get_secret_value())
        except (ValueError, KeyError, TypeError):
            raise KeyMissing("WITNESS_KEYRING: not a valid witness keyring") from None
    return load_keyring(settings.keyring_path)


def _aad(table: str, column: str, row_id: str, key_id: str) -> bytes:
    return f"{table}|{column}|{row_id}|{key_id}".encode()


ENVELOPE = "dk"  # the key id written for a value under its owner's data key
# Tables whose ciphertexts are bound to the case id: their values are the victim's and go under the
# victim's own data key. Other areas bind to their own row ids and use the shared data key.
VICTIM_TABLES = frozenset({"identities", "stage_history"})
_ERASED = b""
_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeyErased(IntegrityFailure):
    """The owner's data key was destroyed: nothing more is stored under it."""


def owner_of(table: str, row_id: str) -> str:
    return str(row_id) if table in VICTIM_TABLES else SHARED


def wrap(ring: Keyring, owner: str, key: bytes) -> tuple[str, str]:
    nonce = os.urandom(12)
    ct = _aesgcm(ring.data_keys[ring.active]).encrypt(nonce, key, _aad("data_keys", "wrapped", owner, ring.active))
    return ring.active, base64.b64encode(nonce + ct).decode()


def unwrap(ring: Keyring, owner: str, kek_id: str, wrapped: str) -> bytes:
    kek = ring.data_keys.get(kek_id)
    if kek is None:
        raise IntegrityFailure(f"data key of {owner}: wrapped under key-encryption key {kek_id!r}, not in the keyring")
    from cryptography.exceptions import InvalidTag

    raw = base64.b64decode(wrapped)
    try:
        return _aesgcm(kek).decrypt(raw[:12], raw[12:], _aad("data_keys", "wrapped", owner, kek_id))
    except InvalidTag:
        raise IntegrityFailure(f"data key of {owner}: does not belong here or was altered") from None


class FieldCipher:
    """Encrypts and decrypts field values. Bound to a connection (`on(conn)`, as the unit of work
    does), data keys are read and created in that transaction; with only an engine, in short
    transactions of their own; with neither, values go directly under the keyring's active key
    (the older form; bulk loaders and benchmarks). `reload` re-reads the keyring provider when a
    data key is wrapped under a KEK this process does not know yet (another machine rotated)."""

    def __init__(self, ring: Keyring, conn: Connection | None = None, engine: Engine | None = None,
                 reload: Callable[[], Keyring] | None = None):
        self.ring, self.conn, self.engine, self.reload = ring, conn, engine, reload
        self._keys: dict[str, bytes] = {}  # owner -> data key (or _ERASED), for this cipher's life only
        self._aeads: dict[bytes, AESGCM] = {}  # key -> its AES-GCM context, as short-lived as _keys

    def on(self, conn: Connection) -> "FieldCipher":
        return FieldCipher(self.ring, conn=conn, engine=self.engine, reload=self.reload)

    # -- data keys ---------------------------------------------------------------------------
    def _read(self, conn: Connection, owner: str):
        return conn.execute(select(data_keys.c.kek_id, data_keys.c.wrapped, data_keys.c.destroyed_at)
                            .where(data_keys.c.owner == owner)).first()

    def _unwrap(self, owner: str, row) -> bytes:
        if row.wrapped is None:
            return _ERASED
        if row.kek_id not in self.ring.data_keys and self.reload is not None:
            self.ring = self.reload()
        return unwrap(self.ring, owner, row.kek_id, row.wrapped)

    def data_key(self, owner: str, create: bool = False) -> bytes | None:
        """The owner's data key; _ERASED once destroyed; None if it has none (and `create` is off)."""
        if owner in self._keys:
            return self._keys[owner]
        if self.conn is not None:
            row = self._read(self.conn, owner)
        else:
            with self.engine.connect() as c:
                row = self._read(c, owner)
                c.rollback()
        if row is None:
            if not create:
                return None
            row = self._create(owner)
        key = self._keys[owner] = self._unwrap(owner, row)
        return key

    def preload(self, owners) -> None:
        """Read and unwrap the data keys of these owners now, in one query per few hundred, not one
        each: a relay batch decrypts the identities of a hundred victims. The keys stay in this
        cipher only, which lives as long as its unit of work (one batch); nothing is written. An
        owner without a key is left out, and `data_key` answers for it as before."""
        wanted = sorted({str(o) for o in owners} - set(self._keys))
        if not wanted or (self.conn is None and self.engine is None):
            return

        def read(conn: Connection) -> None:
            for i in range(0, len(wanted), 500):
                for row in conn.execute(select(data_keys.c.owner, data_keys.c.kek_id, data_keys.c.wrapped)
                                        .where(among(conn, data_keys.c.owner, wanted[i:i + 500]))):
                    self._keys[row.owner] = self._unwrap(row.owner, row)
        if self.conn is not None:
            read(self.conn)
        else:
            with self.engine.connect() as c:
                read(c)
                c.rollback()

    def _aead(self, key: bytes) -> AESGCM:
        aead = self._aeads.get(key)
        if aead is None:
            aead = self._aeads[key] = _aesgcm(key)
        return aead

    def _create(self, owner: str):
        kek_id, wrapped = wrap(self.ring, owner, new_key())
        values = dict(owner=owner, kek_id=kek_id, wrapped=wrapped, created_at=datetime.now(timezone.utc))

        def insert_once(conn: Connection):
            # Two transactions may create the same owner's key at once (the shared key, first
            # use on two machines): the second keeps the first one's, never a key of its own.
            dialect = dialect_of(conn).insert
            conn.execute(dialect(data_keys).values(**values).on_conflict_do_nothing(index_elements=["owner"]))
            return self._read(conn, owner)
        if self.conn is not None:
            return insert_once(self.conn)
        with self.engine.begin() as c:
            return insert_once(c)

    # -- values ------------------------------------------------------------------------------
    def encrypt(self, table: str, column: str, row_id: str, plaintext: str | None,
                owner: str | None = None) -> str | None:
        """`owner`: the case whose victim this value is about, for a table whose rows are not bound
        to the case id (a risk assessment, a pickup address, a claim's note): the value goes under
        that victim's data key, so erasing the victim shreds it too. The owner is written with the
        value (``dk=<case>:...``) and bound as associated data, so decrypting needs no owner."""
        if plaintext is None:
            return None
        row_id = str(row_id)
        if self.conn is None and self.engine is None:
            key_id, key = self.ring.active, self.ring.data_keys[self.ring.active]
        else:
            if owner is not None and not _OWNER.match(str(owner)):
                raise ValueError(f"owner {owner!r} is not a case id")
            key_id = ENVELOPE if owner is None else f"{ENVELOPE}={owner}"
            owner = owner_of(table, row_id) if owner is None else str(owner)
            key = self.data_key(owner, create=True)
            if key == _ERASED:
                raise KeyErased(f"{table}.{column} of {row_id}: the data key was destroyed (erased); nothing is stored under it")
        nonce = os.urandom(12)
        ct = self._aead(key).encrypt(nonce, plaintext.encode(), _aad(table, column, row_id, key_id))
        return f"{key_id}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, table: str, column: str, row_id: str, stored: str | None) -> str | None:
        """The plaintext; None for a value whose owner was erased (its key no longer exists)."""
        if stored is None:
            return None
        row_id = str(row_id)
        key_id, _, body = stored.partition(":")
        if key_id == ENVELOPE or key_id.startswith(ENVELOPE + "="):
            owner = key_id.split("=", 1)[1] if "=" in key_id else owner_of(table, row_id)
            key = self.data_key(owner) if (self.conn is not None or self.engine is not None) else None
            if key == _ERASED:
                return None
        else:
            key = self.ring.data_keys.get(key_id)
        if key is None:
            raise IntegrityFailure(f"{table}.{column} of {row_id}: encrypted under unknown key {key_id!r}")
        from cryptography.exceptions import InvalidTag

        raw = base64.b64decode(body)
        try:
            return self._aead(key).decrypt(raw[:12], raw[12:], _aad(table, column, row_id, key_id)).decode()
        except InvalidTag:
            raise IntegrityFailure(
                f"{table}.{column} of {row_id}: value does not belong here or was altered (decryption failed)"
            ) from None

    def needs_migration(self, stored: str | None) -> bool:
        """Still directly under a keyring key (the form before data keys)."""
        return stored is not None and not stored.startswith((ENVELOPE + ":", ENVELOPE + "="))

    needs_rotation = needs_migration  # a value never needs re-encryption for a KEK rotation, only this move

    def blind_index(self, value: str) -> str:
        normalised = " ".join(value.casefold().split())
        return hmac.new(self.ring.index_key, normalised.encode(), hashlib.sha256).hexdigest()
