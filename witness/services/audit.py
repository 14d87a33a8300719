"""Verifying the audit chain (R-72). Refused attempts are recorded by services/access.py."""
from __future__ import annotations

from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ungated
from witness.store import audit


@ungated("verifies the audit chain; reads only")
def verify(app, actor: Actor) -> audit.Verification:
    need_to_know(app, actor, "audit.verify")
    external = app.heads.read()
    with app.engine.connect() as conn:
        result = audit.verify(conn, app.keyring.audit_key, external)
        conn.rollback()
    return result
