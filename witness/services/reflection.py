"""Extending the reflection period and recording the victim's own decision (R-21)."""
from __future__ import annotations

from sqlalchemy import update

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.domain.reflection import VictimDecision
from witness.errors import ActionBlocked, InputProblems
from witness.services.access import need_to_know
from witness.store.records import case_row, reflection_of
from witness.store.tables import cases, worklist


@ungated("more time for the victim to recover: no rule protects against it")
def extend(app, actor: Actor, case_id: str, days: int, reason: str) -> str:
    need_to_know(app, actor, "case.reflection", case=case_id)
    if not reason.strip():
        raise InputProblems([("reason", "required: why the period is extended")])
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        if row.stage != "reflection":
            raise ActionBlocked(f"stage: case {case_id} is no longer in its reflection period ({row.stage})")
        period = reflection_of(row).extend(days, uow.now)
        uow.conn.execute(update(cases).where(cases.c.id == case_id).values(reflection_ends_at=period.ends_at,
                                                                           updated_at=uow.now))
        uow.audit("reflection.extend", case_id, f"+{days} days")
        uow.commit()
    return period.ends_at.astimezone(app.profile(row.jurisdiction).tz).isoformat()


@ungated("records the victim's own decision; the stage move that follows passes the gate in the sweep")
def decide(app, actor: Actor, case_id: str, decision: str) -> None:
    """Record the victim's informed decision. The sweep then moves the stage."""
    need_to_know(app, actor, "case.reflection", case=case_id)
    try:
        choice = VictimDecision(decision)
    except ValueError:
        raise InputProblems([("decision", "use cooperate or not_cooperate")]) from None
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        if row.stage != "reflection":
            raise ActionBlocked(f"stage: case {case_id} is at {row.stage}; a decision belongs to the reflection stage")
        uow.conn.execute(update(cases).where(cases.c.id == case_id).values(
            decision=choice.value, decided_at=uow.now, updated_at=uow.now))
        # The reminders about the period are moot once the victim has decided.
        uow.conn.execute(update(worklist).where(worklist.c.case_id == case_id, worklist.c.done_at.is_(None),
                                                worklist.c.kind.in_(("reflection_ending", "reflection_ended")))
                         .values(done_at=uow.now, done_by=actor.user))
        uow.audit("reflection.decide", case_id, choice.value)
        uow.commit()
