"""Setting up a store and rotating the data keys (R-71)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from witness import wiring
from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ungated
from witness.private_files import make_private_folder, secure_store
from witness.settings import Settings
from witness.store import schema
from witness.store.crypto import FieldCipher, Keyring, load_keyring, save_keyring
from witness.store.engine import make_engine


def init(settings: Settings) -> dict:
    """Create the keyring (if none) and bring the schema to the latest migration. Safe to re-run."""
    make_private_folder(settings.home)
    secure_store(settings)
    created = False
    if not settings.keyring_path.exists():
        save_keyring(settings.keyring_path, Keyring.generate())
        created = True
    load_keyring(settings.keyring_path)
    engine = make_engine(settings.url)
    schema.upgrade(engine)
    engine.dispose()
    return {"database": _redacted(settings.url), "keyring": str(settings.keyring_path), "key_created": created}


def _redacted(url: str) -> str:
    # Never print a password that may sit in the URL.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@dataclass
class RotationReport:
    active: str
    rows: int


def encrypted_columns() -> list[tuple]:
    """(table, primary key, encrypted columns, column the ciphertext is bound to), as registered
    in witness/wiring.py from each table module's ENCRYPTED list."""
    return list(wiring.encrypted_columns())


@ungated("re-encrypts stored values under a new key; no case changes")
def rotate(app, actor: Actor, new_key: bool = True, batch: int = 200, max_batches: int | None = None) -> RotationReport:
    """Re-encrypt every value under the active key, in small committed batches.

    Interrupted, it resumes where it stopped: each batch commits, and the next run selects only
    values whose stored key id is not the active one. The new key is saved before any value is
    re-encrypted, so an interruption never leaves a value under a key that is not in the keyring.
    """
    need_to_know(app, actor, "keys.rotate")
    if new_key:
        app.keyring = app.keyring.with_new_key()
        save_keyring(app.settings.keyring_path, app.keyring)
    cipher = FieldCipher(app.keyring)
    prefix = app.keyring.active + ":"
    done, batches = 0, 0
    for table, pk, cols, bound_to in encrypted_columns():
        stale = or_(*[(table.c[c].is_not(None)) & ~table.c[c].startswith(prefix) for c in cols])
        while max_batches is None or batches < max_batches:
            with app.uow(actor) as uow:
                rows = uow.conn.execute(select(table).where(stale).limit(batch)).all()
                if not rows:
                    break
                for r in rows:
                    row_id = str(getattr(r, bound_to))  # the value the ciphertext was bound to when written
                    values = {c: cipher.encrypt(table.name, c, row_id, cipher.decrypt(table.name, c, row_id, getattr(r, c)))
                              for c in cols if cipher.needs_rotation(getattr(r, c))}
                    uow.conn.execute(update(table).where(table.c[pk] == getattr(r, pk)).values(**values))
                uow.audit("keys.rotate", table.name, f"{len(rows)} rows re-encrypted under {app.keyring.active}")
                uow.commit()
            done += len(rows)
            batches += 1
    return RotationReport(app.keyring.active, done)
