"""Verifying the audit chain, and recording refused attempts (R-72)."""
from __future__ import annotations

from witness.domain.access import Actor
from witness.services.access import need_to_know
from witness.domain.guardrails import ungated
from witness.store import audit

DENIED = "access.denied"


@ungated("verifies the audit chain; reads only")
def verify(app, actor: Actor) -> audit.Verification:
    need_to_know(app, actor, "audit.verify")
    external = audit.read_head_file(app.settings.audit_head_path)
    with app.engine.connect() as conn:
        result = audit.verify(conn, app.keyring.audit_key, external)
        conn.rollback()
    return result


@ungated("records a refused attempt in the audit log")
def record_denial(app, actor: Actor, record: str, attempt: str) -> None:
    """One audit row per refused attempt: who tried, which record, what was refused.

    Written in a transaction of its own, because the refused action's transaction rolled back.
    `attempt` names the command and the refusal; refusal messages carry no personal data
    (witness.errors), and the audit store escapes control characters and cuts to column sizes.
    """
    with app.uow(actor) as uow:
        uow.audit(DENIED, record or "-", attempt)
        uow.commit()
