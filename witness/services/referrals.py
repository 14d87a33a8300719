"""Referral and data sharing (issue 12, item 2): every share of a victim's data with another agency
is recorded — who received it, which fields, why, under which consent — and passes the gate first:
DNH-10 (no data_sharing:<recipient> consent), DNH-03 (identity to a recipient without need to know or
without name_disclosure), DNH-32 (data to the country of origin without written permission).
Withdrawing data_sharing:<recipient> revokes that recipient's shares (`revoke_for_withdrawn_consent`,
registered in witness.wiring.consent_withdrawn) and asks the coordinator to have them deleted.
"""
from __future__ import annotations

import uuid

from pydantic import ValidationError
from sqlalchemy import insert, select, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.referral import ShareIn, revoked_recipient
from witness.errors import InputProblems
from witness.services.access import need_to_know
from witness.services.guardrails import enforce
from witness.services.worklist import add_items, item
from witness.store.records import case_row, consents_of
from witness.store.referral_tables import data_shares


def parse(raw) -> ShareIn:
    if isinstance(raw, ShareIn):
        return raw
    try:
        return ShareIn.model_validate(raw)
    except ValidationError as exc:
        raise InputProblems([(".".join(str(p) for p in e["loc"]) or "share", e["msg"].removeprefix("Value error, "))
                             for e in exc.errors()]) from None


@gated(ActionKind.share_data)
def share(app, actor: Actor, case_id: str, raw, overrides: dict[str, str] | None = None) -> dict:
    """Record a share of these fields with this agency, after the gate; returns the share's id."""
    need_to_know(app, actor, "data.share", case=case_id)
    s = parse(raw)
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        enforce(uow, ActionKind.share_data, case_id, overrides, recipient=s.recipient,
                includes_identity=s.includes_identity, recipient_role=s.recipient_kind,
                recipient_country=s.recipient_country)
        scope = f"data_sharing:{s.recipient}"
        consent = next(c for c in reversed(consents_of(uow.conn, case_id)) if c.scope == scope and c.active_at(uow.now))
        sid = str(uuid.uuid4())
        uow.conn.execute(insert(data_shares).values(
            id=sid, case_id=case_id, recipient=s.recipient, recipient_kind=s.recipient_kind,
            recipient_country=s.recipient_country, fields=",".join(s.fields),
            purpose=uow.cipher.encrypt("data_shares", "purpose", sid, s.purpose, owner=case_id), consent_scope=scope,
            consent_method=consent.method.value, shared_at=uow.now, shared_by=actor.user))
        uow.audit("data.share", case_id, f"{s.recipient}: {','.join(s.fields)}")
        uow.commit()
    return {"share": sid, "case": case_id, "recipient": s.recipient, "fields": s.fields}


@ungated("a read (audited)")
def shares(app, actor: Actor, case_id: str) -> list[dict]:
    """Every share of this case's data, revoked ones included (who, what, why, under which consent)."""
    need_to_know(app, actor, "data.share", case=case_id)
    with app.uow(actor) as uow:
        rows = uow.conn.execute(select(data_shares).where(data_shares.c.case_id == case_id)
                                .order_by(data_shares.c.shared_at, data_shares.c.id)).all()
        out = [{"share": r.id, "recipient": r.recipient, "kind": r.recipient_kind, "country": r.recipient_country,
                "fields": r.fields.split(","), "purpose": uow.cipher.decrypt("data_shares", "purpose", r.id, r.purpose),
                "consent": f"{r.consent_scope} ({r.consent_method})", "shared_at": r.shared_at, "shared_by": r.shared_by,
                "revoked_at": r.revoked_at, "revoked_reason": r.revoked_reason} for r in rows]
        uow.audit("data.shares", case_id, f"{len(out)} shares")
        uow.commit()
    return out


def revoke_for_withdrawn_consent(uow, case_id: str, scope: str) -> int:
    """R-22: the victim withdrew data_sharing:<recipient>; every share with that recipient is revoked
    and the coordinator is asked to have the recipient delete what it received."""
    recipient = revoked_recipient(scope)
    if recipient is None:
        return 0
    conn, now = uow.conn, uow.now
    n = conn.execute(update(data_shares).where(
        data_shares.c.case_id == case_id, data_shares.c.recipient == recipient, data_shares.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=f"consent to {scope} withdrawn")).rowcount
    if n:
        row = case_row(conn, case_id)
        add_items(conn, [item(f"{case_id}:share_revoked:{recipient}:{now.isoformat()}", case_id, "share_revoked",
                              row.coordinator, now, now,
                              f"{case_id}: consent to share data with {recipient} withdrawn; {n} share(s) revoked. "
                              f"Ask {recipient} in writing to delete or return what it received, and record the answer.")])
    return n
