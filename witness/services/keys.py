"""Setting up a store, rotating the key-encryption key and erasing a victim's data key (R-71, R-101a)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update

from witness import wiring
from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ungated
from witness.private_files import make_private_folder, secure_store
from witness.settings import Settings
from witness.store import schema
from witness.errors import ActionBlocked, InputProblems, KeyMissing, NotFound
from witness.store.crypto import ENVELOPE, VICTIM_TABLES, Keyring, keyring_from, save_keyring, unwrap, wrap
from witness.store.key_tables import data_keys
from witness.store.tables import cases
from witness.store.engine import make_engine


def init(settings: Settings) -> dict:
    """Create the keyring (if none) and bring the schema to the latest migration. Safe to re-run."""
    make_private_folder(settings.home)
    secure_store(settings)
    created = False
    if settings.keyring is None and not settings.keyring_path.exists():
        save_keyring(settings.keyring_path, Keyring.generate())
        created = True
    keyring_from(settings)
    engine = make_engine(settings.url)
    schema.upgrade(engine)
    engine.dispose()
    if settings.audit_head_url:  # several machines: the heads' outside copy in a database they all reach
        from witness.store.audit import TableHeads

        heads = make_engine(settings.audit_head_url)
        TableHeads(heads).create()
        heads.dispose()
    return {"database": _redacted(settings.url), "keyring": "WITNESS_KEYRING" if settings.keyring is not None else str(settings.keyring_path), "key_created": created}


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


@ungated("rewraps data keys and moves older values under them; no case changes")
def rotate(app, actor: Actor, new_key: bool = True, batch: int = 200, max_batches: int | None = None) -> RotationReport:
    """Add a key-encryption key (KEK) and rewrap every data key under it; then move any value still
    directly under a keyring key (the form before data keys) under its owner's data key.

    Rotation touches no value that is already under a data key: only the `data_keys` rows. Both steps
    go in small committed batches and select only what is not done yet, so an interrupted run resumes
    (`witness keys resume`). The new KEK is saved before any key is rewrapped, so an interruption
    never leaves a data key under a KEK that is not in the keyring."""
    need_to_know(app, actor, "keys.rotate")
    if new_key:
        if app.settings.keyring is not None:
            raise KeyMissing("the keyring comes from WITNESS_KEYRING, which witness cannot write: rotate with "
                             "WITNESS_KEY_FILE pointing at the shared keyring file, then update the secret")
        app.keyring = app.keyring.with_new_key()
        save_keyring(app.settings.keyring_path, app.keyring)
    ring = app.keyring
    done, batches = 0, 0
    while max_batches is None or batches < max_batches:
        with app.uow(actor) as uow:
            rows = uow.conn.execute(select(data_keys).where(data_keys.c.wrapped.is_not(None),
                                                            data_keys.c.kek_id != ring.active)
                                    .order_by(data_keys.c.owner).limit(batch)).all()
            if not rows:
                break
            for r in rows:
                kek_id, wrapped = wrap(ring, r.owner, unwrap(ring, r.owner, r.kek_id, r.wrapped))
                uow.conn.execute(update(data_keys).where(data_keys.c.owner == r.owner, data_keys.c.kek_id == r.kek_id)
                                 .values(kek_id=kek_id, wrapped=wrapped))
            uow.audit("keys.rotate", "data_keys", f"{len(rows)} data keys rewrapped under {ring.active}")
            uow.commit()
        done += len(rows)
        batches += 1
    moved = migrate(app, actor, batch, None if max_batches is None else max(0, max_batches - batches))
    return RotationReport(ring.active, done + moved)


@ungated("moves stored values under their data keys; no case changes")
def migrate(app, actor: Actor, batch: int = 200, max_batches: int | None = None) -> int:
    """Re-encrypt values still directly under a keyring key under their owner's data key (the
    migration to envelope encryption). Resumable: each batch commits, and a later run selects only
    values not yet in the data-key form. Returns how many rows it changed."""
    need_to_know(app, actor, "keys.rotate")
    done, batches = 0, 0
    for table, pk, cols, bound_to in encrypted_columns():
        stale = or_(*[(table.c[c].is_not(None)) & ~table.c[c].startswith(ENVELOPE + ":")
                      & ~table.c[c].startswith(ENVELOPE + "=") for c in cols])
        while max_batches is None or batches < max_batches:
            with app.uow(actor) as uow:
                cipher = uow.cipher
                rows = uow.conn.execute(select(table).where(stale).limit(batch)).all()
                if not rows:
                    break
                for r in rows:
                    row_id = str(getattr(r, bound_to))  # the value the ciphertext was bound to when written
                    values = {c: cipher.encrypt(table.name, c, row_id, cipher.decrypt(table.name, c, row_id, getattr(r, c)))
                              for c in cols if cipher.needs_migration(getattr(r, c))}
                    uow.conn.execute(update(table).where(table.c[pk] == getattr(r, pk)).values(**values))
                uow.audit("keys.migrate", table.name, f"{len(rows)} rows moved under their data keys")
                uow.commit()
            done += len(rows)
            batches += 1
    return done


# Why a victim is erased, as codes: the audit log is append-only and outlives the erasure, so free
# text there ("X asked to be forgotten") would keep the very name the erasure destroys.
ERASE_REASONS = ("victim_request", "retention_ended", "court_order", "entered_in_error")


@dataclass
class Erasure:
    case: str
    values: int  # ciphertexts of the victim that no key can open any more


@ungated("destroys a closed case's data key: an admin's key operation, after the case's work is over")
def erase(app, actor: Actor, case_id: str, reason: str) -> Erasure:
    """Erase a victim (R-71): destroy the case's data key, so every value of the victim encrypted under
    it can never be decrypted again (crypto-shredding). Nothing else changes: the pseudonymised case,
    its rows and the audit chain stay, and the chain still verifies. Only a closed case: an open one
    still needs the victim's contact details to protect them."""
    need_to_know(app, actor, "case.erase", case=case_id)
    reason = reason.strip()
    if not reason:
        raise InputProblems([("reason", "say why the victim is erased: one of " + ", ".join(ERASE_REASONS))])
    if reason not in ERASE_REASONS:
        # Never echoed: free text here could be the very name being erased.
        raise InputProblems([("reason", "not a known reason; one of " + ", ".join(ERASE_REASONS))])
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(cases.c.stage).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"case {case_id}: no such case")
        if row.stage != "closed":
            raise ActionBlocked(f"case {case_id}: stage is {row.stage}; only a closed case can be erased")
        key = uow.conn.execute(select(data_keys.c.wrapped).where(data_keys.c.owner == case_id)).first()
        if key is not None and key.wrapped is None:
            raise ActionBlocked(f"case {case_id}: already erased")
        values = _move_under_own_key(uow, case_id)
        uow.conn.execute(update(data_keys).where(data_keys.c.owner == case_id)
                         .values(kek_id=None, wrapped=None, destroyed_at=uow.now, destroyed_by=actor.user))
        uow.audit("case.erase", case_id, f"data key destroyed ({values} values); reason: {reason}")
        uow.commit()
    return Erasure(case_id, values)


def _move_under_own_key(uow, case_id: str) -> int:
    """Count the victim's ciphertexts, first moving any still directly under a keyring key (a case
    from before data keys) under the victim's own key, which is about to go: a value left under the
    keyring key would survive the erasure."""
    n, cipher = 0, uow.cipher
    cipher.data_key(case_id, create=True)
    for table, pk, cols, bound_to in encrypted_columns():
        if table.name not in VICTIM_TABLES:  # rows of other areas that carry the victim's key by name
            mine = f"{ENVELOPE}={case_id}:"
            for c in cols:
                n += uow.conn.execute(select(func.count()).select_from(table).where(table.c[c].startswith(mine))).scalar()
            continue
        for r in uow.conn.execute(select(table).where(table.c[bound_to] == case_id)).all():
            values = {c: cipher.encrypt(table.name, c, case_id, cipher.decrypt(table.name, c, case_id, getattr(r, c)))
                      for c in cols if cipher.needs_migration(getattr(r, c))}
            if values:
                uow.conn.execute(update(table).where(table.c[pk] == getattr(r, pk)).values(**values))
            n += sum(1 for c in cols if getattr(r, c) is not None)
    return n
