"""Acknowledgements (R-53): the victim sends an alert's code back, or the coordinator records that
they reached the victim; either closes the alert. Also the guardrail fact that follows from it,
`victim_notified_since_custody_change` (DNH-07): an urgent notice reached the victim since the
accused was freed.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import and_, bindparam, func, or_, select, update

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.domain.notice import URGENT_KINDS, Channel, Recipient, Status, normalise_code
from witness.domain.proceeding import FREE_AGAIN
from witness.errors import InputProblems, NotFound
from witness.services.access import need_to_know
from witness.services.outbox import ack_hash
from witness.services.worklist import close_urgent
from witness.store.notice_tables import notices
from witness.store.tables import accused, case_proceedings, cases, proceeding_accused
from witness.store.dialects import among, select_for


@ungated("records the victim's acknowledgement of a notice")
def acknowledge(app, actor: Actor, code_text: str) -> list[str]:
    """The victim (or guardian) sent the code back: the alert reached them. Returns the pseudonyms."""
    # The code is the victim's own answer, so whoever types it in acts for them: the role decides.
    need_to_know(app, actor, "notice.ack")
    code = normalise_code(code_text)
    if code is None:
        raise InputProblems([("code", "not an acknowledgement code (6 letters and digits)")])
    with app.uow(actor) as uow:
        groups = list(uow.conn.execute(select(notices.c.group_key, notices.c.case_id).distinct().where(
            notices.c.ack_code_hash == ack_hash(uow.cipher, code), notices.c.acknowledged_at.is_(None))))
        if not groups:
            raise NotFound("code: no open alert has this code (already acknowledged, or mistyped)")
        _close_groups(uow, [g.group_key for g in groups], f"code:{actor.user}")
        cases_ = sorted({g.case_id for g in groups if g.case_id})
        close_urgent(uow.conn, cases_, uow.now, f"code:{actor.user}")  # the victim answered: no call needed now
        for c in cases_:
            uow.audit("notice.ack", c, "alert acknowledged with its code")
        uow.commit()
    return cases_


@ungated("records that the coordinator reached the victim")
def record_contact(app, actor: Actor, case_id: str) -> int:
    """The coordinator reached the victim in person or by phone: every open alert of the case is
    acknowledged. Returns how many alerts were closed."""
    need_to_know(app, actor, "notice.ack", case=case_id)
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(cases.c.coordinator).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"case: no case {case_id!r}")
        groups = list(uow.conn.execute(select(notices.c.group_key).distinct().where(
            notices.c.case_id == case_id, notices.c.urgent.is_(True), notices.c.acknowledged_at.is_(None),
            notices.c.recipient.in_([Recipient.victim.value, Recipient.guardian.value]))).scalars())
        _close_groups(uow, groups, f"contact:{actor.user}")
        answered = close_urgent(uow.conn, [case_id], uow.now, f"contact:{actor.user}")
        uow.audit("notice.contact", case_id, f"contact recorded; {len(groups)} alerts acknowledged, "
                                             f"{answered} urgent worklist items closed")
        uow.commit()
    return len(groups)


def _close_groups(uow, groups: list[str], by: str) -> None:
    if not groups:
        return
    conn, now = uow.conn, uow.now
    conn.execute(update(notices).where(notices.c.group_key.in_(groups), notices.c.acknowledged_at.is_(None))
                 .values(acknowledged_at=now, acknowledged_by=by, updated_at=now))
    # What has not gone out yet (repeats, a second channel still retrying) is no longer needed.
    conn.execute(update(notices).where(notices.c.group_key.in_(groups), notices.c.status == Status.queued.value)
                 .values(status=Status.cancelled.value, updated_at=now))


# ---------------------------------------------------------------------------------------------
# Guardrail fact for DNH-07


# Built once: the relay asks for these facts before every send, and building a statement costs more
# than running it.
_LAST_FREED = (select(func.max(accused.c.custody_changed_at))
               .join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
               .join(case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
               .where(case_proceedings.c.case_id == bindparam("case_id"),
                      accused.c.custody.in_([c.value for c in FREE_AGAIN])))
_REACHED = (select(notices.c.id).where(
    notices.c.case_id == bindparam("case_id"), notices.c.kind.in_([k.value for k in URGENT_KINDS]),
    notices.c.recipient.in_([Recipient.victim.value, Recipient.guardian.value]),
    or_(notices.c.acknowledged_at >= bindparam("since"),
        and_(notices.c.status == Status.sent.value, notices.c.channel != Channel.worklist.value,
             notices.c.sent_at >= bindparam("since")))).limit(1))


def case_facts(conn, case_id: str, now: datetime) -> dict:
    """victim_notified_since_custody_change: since the last release or escape of an accused in one
    of the victim's proceedings, an urgent notice reached the victim (or guardian) — delivered on a
    digital channel, or acknowledged (code or recorded contact). A call task alone is not contact."""
    last_freed = conn.execute(_LAST_FREED, {"case_id": case_id}).scalar()
    if last_freed is None:
        return {}
    reached = conn.execute(_REACHED, {"case_id": case_id, "since": last_freed}).first()
    return {"victim_notified_since_custody_change": reached is not None}


def _last_freed_of(match):
    """When an accused in each case's proceedings was last freed (select_for)."""
    return (select(case_proceedings.c.case_id, func.max(accused.c.custody_changed_at))
            .join(proceeding_accused, proceeding_accused.c.proceeding_id == case_proceedings.c.proceeding_id)
            .join(accused, accused.c.id == proceeding_accused.c.accused_id)
            .where(match(case_proceedings.c.case_id), accused.c.custody.in_([c.value for c in FREE_AGAIN]))
            .group_by(case_proceedings.c.case_id))


def case_facts_many(conn, case_ids: list[str], now: datetime) -> dict[str, dict]:
    """`case_facts` for many cases in two queries (the relay's batches); the same test, in Python."""
    freed = dict(select_for(conn, case_ids, _last_freed_of).all())
    freed = {cid: at for cid, at in freed.items() if at is not None}
    reached: set[str] = set()
    if freed:
        for r in conn.execute(select(notices.c.case_id, notices.c.acknowledged_at, notices.c.status, notices.c.channel,
                                     notices.c.sent_at).where(
                among(conn, notices.c.case_id, freed), notices.c.kind.in_([k.value for k in URGENT_KINDS]),
                notices.c.recipient.in_([Recipient.victim.value, Recipient.guardian.value]))):
            since = _aware(freed[r.case_id])
            if (r.acknowledged_at is not None and _aware(r.acknowledged_at) >= since) or (
                    r.status == Status.sent.value and r.channel != Channel.worklist.value
                    and r.sent_at is not None and _aware(r.sent_at) >= since):
                reached.add(r.case_id)
    return {cid: {"victim_notified_since_custody_change": cid in reached} for cid in freed}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
