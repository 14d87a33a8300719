"""Data keys (R-71, R-101a): one per victim, one shared, each stored only wrapped by a key-encryption key.

The key-encryption keys (KEKs) live in the keyring, a mounted secret outside the database and the
repository; the database holds data keys only as AES-GCM ciphertexts under a KEK. Rotating the KEK
rewraps these rows and touches no value. Erasing a victim sets `wrapped` to NULL: with the key
gone, every value encrypted under it is noise (crypto-shredding), while the rows, the pseudonymised
case and the audit chain stay as they were.
"""
from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from witness.store.tables import UTC, metadata

SHARED = "*shared*"  # the owner of the data key for values that belong to no one victim (accounts, claims...)

data_keys = Table(
    "data_keys", metadata,
    Column("owner", String(64), primary_key=True),  # a case id (the victim's pseudonym), or SHARED
    Column("kek_id", String(16)),  # the keyring key it is wrapped under; NULL once destroyed
    Column("wrapped", Text),  # base64(nonce || AES-GCM(kek, data key)); NULL once destroyed
    Column("created_at", UTC, nullable=False),
    Column("destroyed_at", UTC),
    Column("destroyed_by", String(80)),
)
