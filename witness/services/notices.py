"""Notices as people read them (the list and the dead-letter list, each send attempt), and the
victim's choice of which notices they receive (opt-outs, R-24). Writing notices is the outbox's
job (outbox.py), closing alerts the acknowledgements' (acknowledgements.py).
"""
from __future__ import annotations

from sqlalchemy import insert, select

from witness.domain.access import Actor, CaseAccess, may_act_on
from witness.domain.guardrails import ungated
from witness.domain.notice import OPT_OUT_ALLOWED, STAFF, NoticeKind, Status
from witness.errors import InputProblems, NotFound
from witness.services.access import allowed_cases, need_to_know
from witness.store.notice_tables import notice_attempts, notice_opt_outs, notices
from witness.store.records import cases_access
from witness.store.tables import cases


@ungated("the victim's own choice of what they are told")
def set_opt_out(app, actor: Actor, case_id: str, kind: str, opted_out: bool = True) -> None:
    need_to_know(app, actor, "notice.opt_out", case=case_id)
    try:
        k = NoticeKind(kind)
    except ValueError:
        raise InputProblems([("kind", f"use one of {', '.join(sorted(x.value for x in OPT_OUT_ALLOWED))}")]) from None
    if k not in OPT_OUT_ALLOWED:
        raise InputProblems([("kind", f"{kind} keeps the victim safe and cannot be switched off; mark which "
                                      "channels are safe instead (a call or visit is always possible)")])
    with app.uow(actor) as uow:
        row = uow.conn.execute(select(cases.c.coordinator).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"case: no case {case_id!r}")
        uow.conn.execute(notice_opt_outs.delete().where(notice_opt_outs.c.case_id == case_id,
                                                        notice_opt_outs.c.kind == k.value))
        if opted_out:
            uow.conn.execute(insert(notice_opt_outs).values(case_id=case_id, kind=k.value, at=uow.now, by=actor.user))
        uow.audit("notice.opt_out", case_id, f"{k.value}: {'off' if opted_out else 'on'}")
        uow.commit()


# ---------------------------------------------------------------------------------------------
# Reading: the notice list and the dead-letter list


@ungated("a read (audited)")
def list_notices(app, actor: Actor, case_id: str | None = None, status: str | None = None) -> list[dict]:
    """Notices as a person without need-to-know may read them: pseudonyms, kinds, channels, states.
    A coordinator sees the notices of the cases they are on and their own; admin and auditor see all."""
    need_to_know(app, actor, "notice.read", case=case_id)
    if status is not None and status not in {s.value for s in Status}:
        raise InputProblems([("status", f"use one of {', '.join(s.value for s in Status)}")])
    with app.uow(actor).reading() as uow:  # a read: no writer lock; the listing is audited before it is returned
        # Why the last try failed ("no sms transport configured", "SMTP server unreachable"): a
        # notice queued for its third try must not look as if it were merely waiting its turn.
        last_error = (select(notice_attempts.c.error)
                      .where(notice_attempts.c.notice_id == notices.c.id, notice_attempts.c.error.is_not(None))
                      .order_by(notice_attempts.c.attempt.desc()).limit(1).scalar_subquery())
        q = (select(notices, cases.c.coordinator, last_error.label("last_error"))
             .outerjoin(cases, cases.c.id == notices.c.case_id)
             .order_by(notices.c.created_at, notices.c.urgent.desc(), notices.c.case_id, notices.c.recipient,
                       notices.c.channel, notices.c.repeat_no))
        if case_id:
            q = q.where(notices.c.case_id == case_id)
        if status:
            q = q.where(notices.c.status == status)
        rows = uow.conn.execute(q).all()
        on = cases_access(uow.conn, {r.case_id for r in rows if r.case_id})
        out = []
        for r in rows:
            own = r.recipient in STAFF and r.recipient_ref == actor.user  # addressed to them
            if not own and not may_act_on(actor, on.get(r.case_id) or CaseAccess(r.id), "notice.read"):
                continue
            out.append({"id": r.id, "key": r.idempotency_key, "case": r.case_id, "kind": r.kind,
                        "recipient": r.recipient if r.recipient not in STAFF else f"{r.recipient}:{r.recipient_ref}",
                        "channel": r.channel, "language": r.language, "urgent": bool(r.urgent), "repeat": r.repeat_no,
                        "status": r.status, "attempts": r.attempts, "next_attempt_at": r.next_attempt_at,
                        "sent_at": r.sent_at, "acknowledged_at": r.acknowledged_at,
                        "escalation": r.escalation_level, "dead_reason": r.dead_reason, "last_error": r.last_error,
                        "created_at": r.created_at})
        uow.audit("notice.read", case_id or "*", f"{len(out)} notices listed{' (' + status + ')' if status else ''}")
        uow.commit()
    return out


@ungated("a read (audited)")
def urgent_channels(app, actor: Actor, case_ids) -> dict[str, list[tuple[str, str]]]:
    """For each of these cases whose notices `actor` may read: the (channel, state) pairs of its
    unacknowledged urgent notices to the victim or guardian — what the Today page shows beside an
    urgent alert as "tried". One read for all the cases and one audit row per case, written in one
    transaction: case by case it was a connection, ~14 queries and a durable write each, at every
    Today page. A case the person may not read is left out, as in every list."""
    need_to_know(app, actor, "notice.read")
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    with app.uow(actor).reading() as uow:
        mine = sorted(allowed_cases(uow.conn, actor, "notice.read", ids))
        out: dict[str, set[tuple[str, str]]] = {cid: set() for cid in mine}
        for i in range(0, len(mine), 500):  # bounded IN lists
            for r in uow.conn.execute(select(notices.c.case_id, notices.c.channel, notices.c.status).where(
                    notices.c.case_id.in_(mine[i:i + 500]), notices.c.urgent.is_(True),
                    notices.c.acknowledged_at.is_(None), notices.c.recipient.in_(("victim", "guardian")))):
                out[r.case_id].add((r.channel, r.status))
        for cid in mine:
            uow.audit("notice.read", cid, f"{len(out[cid])} urgent channels tried")
        uow.commit()
    return {cid: sorted(pairs) for cid, pairs in out.items()}


@ungated("a read (audited)")
def attempts_of(app, actor: Actor, notice_id: str) -> list[dict]:
    need_to_know(app, actor, "notice.read", notice=notice_id)
    with app.uow(actor) as uow:
        rows = [dict(r._mapping) for r in uow.conn.execute(
            select(notice_attempts).where(notice_attempts.c.notice_id == notice_id).order_by(notice_attempts.c.id))]
        uow.audit("notice.read", notice_id, f"{len(rows)} attempts")
        uow.commit()
    return rows
