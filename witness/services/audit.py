"""Verifying the audit chain (R-72)."""
from __future__ import annotations

from witness.domain.access import Actor, require
from witness.store import audit


def verify(app, actor: Actor) -> audit.Verification:
    require(actor, "audit.verify")
    external = audit.read_head_file(app.settings.audit_head_path)
    with app.engine.connect() as conn:
        result = audit.verify(conn, app.keyring.audit_key, external)
        conn.rollback()
    return result
