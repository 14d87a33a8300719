"""Backing up and restoring a store (R-101b): one sealed file, and a restore that verifies."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.private_files import refuse_unsafe_target
from witness.store import audit, backup
from witness.store.engine import make_engine
from witness.store.tables import audit_log


@dataclass
class Backup:
    kind: str
    size: int  # bytes written
    rows: int  # audit rows in the copy


@ungated("copies the store, sealed; records it in the audit log; no case changes")
def make_backup(app, actor: Actor, out: Path) -> Backup:
    """Seal a consistent copy of the store into `out` (a new 0600 file). The backup is audited first,
    so the copy holds its own record and the head that goes with it."""
    from witness.services.access import need_to_know

    need_to_know(app, actor, "store.backup")
    out = Path(out)
    refuse_unsafe_target(out, "--out")
    if out.exists():  # early, before the work and its audit entry; backup.write_new is what guarantees it
        raise backup.BackupRefused("--out: a file is already there; a backup never replaces one")
    with app.uow(actor) as uow:
        uow.audit("store.backup", "-", f"sealed copy to a file ({app.engine.dialect.name})")
        uow.commit()
    with app.engine.connect() as c:
        rows = c.execute(select(func.count()).select_from(audit_log)).scalar()
        version = c.execute(text("show server_version")).scalar() if c.dialect.name == "postgresql" else None
        c.rollback()
    if app.engine.dialect.name == "sqlite":
        payload, schema = backup.dump_sqlite(app.settings.url), None
    else:
        payload, schema = backup.dump_postgres(app.settings.url, version)
    heads = _head_lines(app)
    sealed = backup.seal(app.keyring, app.engine.dialect.name, payload, heads, schema)
    backup.write_new(out, sealed, "--out")
    return Backup(app.engine.dialect.name, len(sealed), rows)


def _head_lines(app) -> str:
    recorded = app.heads.read()  # the head file's, or the heads database's (several machines)
    return "".join(f'{{"seq": {h.seq}, "mac": "{h.mac}"}}\n' for h in (recorded.heads if recorded else []))


def restore(settings, ring, source: Path) -> Backup:
    """Restore the sealed copy `source` into the (empty) store `settings` names. Not a service of an
    actor: there is no account in an empty store; whoever holds the keyring and the database's owner
    role restores. The head file is written only if there is none: an existing one is never rewritten,
    so restoring an older copy over a store that had gone further shows as truncation in verify."""
    source = Path(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise backup.BackupRefused(f"FILE: cannot read it ({exc.strerror})") from None
    meta, payload = backup.open_sealed(ring, data, "FILE")
    engine = make_engine(settings.url)
    try:
        kind = engine.dialect.name
        if meta["kind"] != kind:
            raise backup.BackupRefused(f"FILE: a {meta['kind']} backup cannot be restored into a {kind} store")
        with engine.connect() as c:
            present = inspect(c).get_table_names(schema=meta.get("schema")) if kind == "postgresql" else inspect(c).get_table_names()
            version = c.execute(text("show server_version")).scalar() if kind == "postgresql" else None
            c.rollback()
        if present:
            raise backup.BackupRefused("the store already has tables; restore only into an empty database "
                                       "(a new SQLite file, or an empty PostgreSQL database)")
    finally:
        engine.dispose()
    if kind == "sqlite":
        backup.restore_sqlite(settings.url, payload)
    else:
        backup.restore_postgres(settings.url, payload, version)
    # With a heads database (several machines) the heads never left it: nothing to put back.
    if meta["heads"] and not settings.audit_head_url and not settings.audit_head_path.exists():
        for line in meta["heads"].splitlines():
            raw = json.loads(line)
            audit.write_head_file(settings.audit_head_path, audit.Head(int(raw["seq"]), str(raw["mac"])))
    engine = make_engine(settings.url)
    try:
        with engine.connect() as c:
            rows = c.execute(select(func.count()).select_from(audit_log)).scalar()
            c.rollback()
    finally:
        engine.dispose()
    return Backup(kind, len(data), rows)
