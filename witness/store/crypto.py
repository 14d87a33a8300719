"""Field-level encryption at rest (R-71).

AES-GCM with a fresh 96-bit nonce per value. The value's place — table, column, row id and key id —
is the associated data, so a ciphertext copied to another row or column fails to decrypt.
Stored form: ``<key_id>:<base64(nonce || ciphertext+tag)>``; the key id in clear lets rotation find
rows still under an old key with a plain LIKE.

Keys live in a keyring file outside the database and the repository. Without one, the system refuses
to start rather than write plaintext.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from witness.errors import IntegrityFailure, KeyMissing
from witness.private_files import write_private


@dataclass(frozen=True)
class Keyring:
    active: str
    data_keys: dict[str, bytes]
    audit_key: bytes
    index_key: bytes  # blind index: HMAC over normalised values, kept apart from the data keys

    @classmethod
    def generate(cls) -> "Keyring":
        return cls("k1", {"k1": AESGCM.generate_key(bit_length=256)}, secrets.token_bytes(32), secrets.token_bytes(32))

    def with_new_key(self) -> "Keyring":
        n = max(int(k[1:]) for k in self.data_keys) + 1
        keys = dict(self.data_keys)
        keys[f"k{n}"] = AESGCM.generate_key(bit_length=256)
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


def _aad(table: str, column: str, row_id: str, key_id: str) -> bytes:
    return f"{table}|{column}|{row_id}|{key_id}".encode()


class FieldCipher:
    def __init__(self, ring: Keyring):
        self.ring = ring

    def encrypt(self, table: str, column: str, row_id: str, plaintext: str | None) -> str | None:
        if plaintext is None:
            return None
        key_id = self.ring.active
        nonce = os.urandom(12)
        ct = AESGCM(self.ring.data_keys[key_id]).encrypt(nonce, plaintext.encode(), _aad(table, column, row_id, key_id))
        return f"{key_id}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, table: str, column: str, row_id: str, stored: str | None) -> str | None:
        if stored is None:
            return None
        key_id, _, body = stored.partition(":")
        key = self.ring.data_keys.get(key_id)
        if key is None:
            raise IntegrityFailure(f"{table}.{column} of {row_id}: encrypted under unknown key {key_id!r}")
        raw = base64.b64decode(body)
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(table, column, row_id, key_id)).decode()
        except InvalidTag:
            raise IntegrityFailure(
                f"{table}.{column} of {row_id}: value does not belong here or was altered (decryption failed)"
            ) from None

    def needs_rotation(self, stored: str | None) -> bool:
        return stored is not None and not stored.startswith(self.ring.active + ":")

    def blind_index(self, value: str) -> str:
        normalised = " ".join(value.casefold().split())
        return hmac.new(self.ring.index_key, normalised.encode(), hashlib.sha256).hexdigest()
