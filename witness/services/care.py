"""What a coordinator needs to see about a victim's care at a glance (issue 12): guardian pending or
recorded (and any accused link), detention, where they stay and with whom, and the intake facts
(exploitation, pregnancy, accompanying children, media exposure). A read for `witness care show`
and for a web page."""
from __future__ import annotations

from sqlalchemy import select

from witness.domain.access import Actor, Role
from witness.domain.guardrails import ungated
from witness.domain.support import ACCOMMODATION_KINDS
from witness.domain.victim import AgeStatus, presumed_child
from witness.services.access import need_to_know
from witness.store.care_tables import circumstances, detentions, guardian_records, placements
from witness.store.records import case_row
from witness.store.tables import identities, services

_ACCOMMODATION = tuple(sorted(k.value for k in ACCOMMODATION_KINDS))


@ungated("a read (audited)")
def summary(app, actor: Actor, case_id: str) -> dict:
    need_to_know(app, actor, "case.read", case=case_id)
    with app.uow(actor) as uow:
        conn = uow.conn
        row = case_row(conn, case_id)
        tz = app.profile(row.jurisdiction).tz
        child = presumed_child(AgeStatus(row.age_status))
        has_guardian = conn.execute(select(identities.c.guardian_name).where(identities.c.case_id == case_id)).scalar() \
            is not None
        link = conn.execute(select(guardian_records.c.accused_link).where(guardian_records.c.case_id == case_id)
                            .order_by(guardian_records.c.id.desc()).limit(1)).scalar()
        # Where the victim stays or is held — the provider, the kind of detention — is the
        # coordinator's to know, as the address is (IDENTITY_BY_ROLE): a prosecutor, a lawyer or an
        # auditor reads None (not shown), never an empty list that would say "nowhere".
        mine = actor.role is Role.coordinator
        held = None if not mine else conn.execute(select(detentions.c.kind, detentions.c.started_at).where(
            detentions.c.case_id == case_id, detentions.c.ended_at.is_(None))).first()
        stays = None if not mine else conn.execute(select(services.c.kind, services.c.started_at, placements.c.provider)
                             .outerjoin(placements, placements.c.service_id == services.c.id)
                             .where(services.c.case_id == case_id, services.c.status == "active",
                                    services.c.kind.in_(_ACCOMMODATION)).order_by(services.c.started_at)).all()
        c = conn.execute(select(circumstances).where(circumstances.c.case_id == case_id)).first()
        # Pregnancy is health data: the coordinator's, as the identity is (need to know, R-70).
        pregnancy = (uow.cipher.decrypt("circumstances", "pregnancy", case_id, c.pregnancy)
                     if c is not None and c.pregnancy and actor.role is Role.coordinator else None)
        uow.audit("care.read", case_id, "care summary")
        uow.commit()
    return {
        "case": case_id,
        "guardian": (None if not child else "linked to an accused: " + link if has_guardian and link
                     else "recorded" if has_guardian else "pending"),
        "detention": ({"kind": held.kind, "since": held.started_at.astimezone(tz).isoformat()} if held else None),
        "accommodation": None if stays is None else [
            {"kind": s.kind, "since": s.started_at.astimezone(tz).isoformat(), "provider": s.provider} for s in stays],
        "exploitation": [e for e in (c.exploitation.split(",") if c is not None else []) if e],
        "pregnancy": pregnancy,
        "accompanying_children": c.accompanying_children if c is not None else 0,
        "media_exposure": bool(c.media_exposure) if c is not None else False,
    }
