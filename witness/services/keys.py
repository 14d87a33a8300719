"""Setting up a store, rotating the key-encryption key and erasing a victim's data key (R-71, R-101a)."""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update

from witness import wiring
from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ungated
from witness.private_files import make_private_folder, secure_store
from witness.settings import Settings, redacted_url
from witness.store import schema
from witness.errors import ActionBlocked, InputProblems, KeyMissing, NotFound
from witness.store.claim_tables import claims
from witness.store.crypto import (ENVELOPE, VICTIM_TABLES, KeyErased, Keyring, keyring_from, save_keyring,
                                   unwrap, wrap)
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
    return {"database": redacted_url(settings.url), "keyring": "WITNESS_KEYRING" if settings.keyring is not None else str(settings.keyring_path), "key_created": created}




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


# Whose values each encrypted table holds (R-71: erasing a victim must shred every value about her).
# A table bound to the case id (crypto.VICTIM_TABLES) holds its victim's; a table with a case_id
# column holds that case's victim's, written as dk=<case>:...; a table whose rows name their case
# through a parent row says so in _THROUGH. The rest stay under the shared data key, each with the
# reason here, so a new encrypted table that says nothing makes `migrate` fail in its tests rather
# than silently leave a victim's words under a key that erasure does not destroy.
SHARED_VALUES = {
    "accounts": "a staff member's second factor",
    "interpreters": "why an interpreter was blocked: about the interpreter",
    "hearing_changes": "why a hearing moved or was cancelled: one hearing, often several victims",
    "notices": "an acknowledgement code: random, one per notice group, and a group may span recipients",
}
_THROUGH = {"claim_items": "claim_id", "claim_payments": "claim_id"}  # -> claims.case_id


def victim_of(table, bound_to: str):
    """(rows to select from, the column naming the case) for a table holding victims' values; None for
    a table whose values are no victim's."""
    if table.name in VICTIM_TABLES:
        return table, table.c[bound_to]
    if table.name in SHARED_VALUES:
        return None
    if table.name in _THROUGH:
        return table.join(claims, claims.c.id == table.c[_THROUGH[table.name]]), claims.c.case_id
    if "case_id" in table.c:
        return table, table.c.case_id
    raise LookupError(f"{table.name}: say whose its encrypted values are (SHARED_VALUES in witness/services/keys.py)")


def _in_data_key_form(column):
    return column.startswith(ENVELOPE + ":") | column.startswith(ENVELOPE + "=")


def _stale(table, cols, victim) -> list:
    """The SQL condition for a row holding a value not yet under the key it belongs under."""
    if victim is None or table.name in VICTIM_TABLES:
        # Only the older form, directly under a keyring key: for these tables dk: is the right key.
        return [or_(*[table.c[c].is_not(None) & ~_in_data_key_form(table.c[c]) for c in cols])]
    # Also dk: (the shared data key, where an earlier `keys migrate` put a victim's value).
    return [victim[1].is_not(None), or_(*[table.c[c].is_not(None) & ~table.c[c].startswith(ENVELOPE + "=") for c in cols])]


def _moved(cipher, table, cols, row, row_id: str, owner: str | None, victim_table: bool) -> tuple[dict, int]:
    """New stored values for a row's stale columns, and how many of them were shredded: a value of a
    victim erased before this move (when erasure did not yet reach it) gets no key at all — it is
    replaced by random bytes in the erased key's form, so it reads as erased, as it should have."""
    values, shredded = {}, 0
    for c in cols:
        stored = getattr(row, c)
        if stored is None or stored.startswith(ENVELOPE + "=") or (stored.startswith(ENVELOPE + ":")
                                                                   and (owner is None or victim_table)):
            continue
        try:
            values[c] = cipher.encrypt(table.name, c, row_id, cipher.decrypt(table.name, c, row_id, stored),
                                       owner=None if victim_table else owner)
        except KeyErased:
            body = base64.b64decode(stored.partition(":")[2])
            prefix = ENVELOPE if victim_table else f"{ENVELOPE}={owner}"
            values[c] = f"{prefix}:{base64.b64encode(os.urandom(len(body))).decode()}"
            shredded += 1
    return values, shredded


@ungated("moves stored values under their data keys; no case changes")
def migrate(app, actor: Actor, batch: int = 200, max_batches: int | None = None) -> int:
    """Re-encrypt every value under the data key it belongs under: a victim's value (her identity,
    her case history, and her words in any other area: risk answers, a pickup address, a claim's
    notes...) under her own data key, so erasing her destroys it; any other value under the shared
    data key. Moves values still directly under a keyring key (the form before data keys) and victims'
    values an earlier version of this command left under the shared data key.

    Resumable and idempotent: each transaction handles at most `batch` rows, commits, and is audited;
    a later run selects only values not yet in their place. Returns how many rows it changed."""
    need_to_know(app, actor, "keys.rotate")
    done, batches = 0, 0
    for table, pk, cols, bound_to in encrypted_columns():
        victim = victim_of(table, bound_to)
        source, owner_col = victim if victim is not None else (table, None)
        picked = [*table.c] + ([owner_col.label("victim_case")] if owner_col is not None else [])
        after = None  # keyset paging: a row left as it was (changed meanwhile) is not picked again
        while max_batches is None or batches < max_batches:
            with app.uow(actor) as uow:
                q = select(*picked).select_from(source).where(*_stale(table, cols, victim))
                if after is not None:
                    q = q.where(table.c[pk] > after)
                rows = uow.conn.execute(q.order_by(table.c[pk]).limit(batch)).all()
                if not rows:
                    break
                changed = shredded = 0
                for r in rows:
                    owner = None if owner_col is None else r._mapping["victim_case"]
                    values, n = _moved(uow.cipher, table, cols, r, str(getattr(r, bound_to)), owner,
                                       table.name in VICTIM_TABLES)
                    if not values:
                        continue
                    # Only if no one changed the row meanwhile (a service writes new values in place).
                    same = [table.c[c] == getattr(r, c) for c in values]
                    if uow.conn.execute(update(table).where(table.c[pk] == getattr(r, pk), *same).values(**values)).rowcount:
                        changed += 1
                        shredded += n
                after = getattr(rows[-1], pk)
                note = f"{changed} rows moved under their data keys"
                if shredded:
                    note += f"; {shredded} values of erased victims made unreadable"
                uow.audit("keys.migrate", table.name, note)
                uow.commit()
            done += changed
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
    """Count the victim's ciphertexts, first moving any not yet under the victim's own key (written
    before data keys, or left under the shared data key) under it, which is about to go: a value left
    under another key would survive the erasure."""
    n, cipher = 0, uow.cipher
    cipher.data_key(case_id, create=True)
    for table, pk, cols, bound_to in encrypted_columns():
        victim = victim_of(table, bound_to)
        if victim is None:  # no victim's values by design; count any written under this victim's key all the same
            mine = f"{ENVELOPE}={case_id}:"
            for c in cols:
                n += uow.conn.execute(select(func.count()).select_from(table).where(table.c[c].startswith(mine))).scalar()
            continue
        source, owner_col = victim
        for r in uow.conn.execute(select(*table.c).select_from(source).where(owner_col == case_id)).all():
            values, _ = _moved(cipher, table, cols, r, str(getattr(r, bound_to)), case_id, table.name in VICTIM_TABLES)
            if values:
                uow.conn.execute(update(table).where(table.c[pk] == getattr(r, pk)).values(**values))
            n += sum(1 for c in cols if getattr(r, c) is not None)
    return n
