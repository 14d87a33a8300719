"""Extending the reflection period and recording the victim's own decision (R-21)."""
from __future__ import annotations

import uuid

from sqlalchemy import insert, update

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.domain.reflection import VictimDecision
from witness.errors import ActionBlocked, InputProblems
from witness.services.access import need_to_know
from witness.store.records import case_row, reflection_of
from witness.store.risk_tables import guardrail_overrides
from witness.store.tables import cases, worklist

# How an extension past a maximum that is practice, not law, is recorded (guardrail_overrides.rule).
BEYOND_CAP = "reflection-cap-practice"


@ungated("more time for the victim to recover: no rule protects against it")
def extend(app, actor: Actor, case_id: str, days: int, reason: str, beyond_cap: bool = False) -> str:
    """Extend the period. `beyond_cap` lets a coordinator go past the profile's maximum where the
    profile marks that maximum as practice, not law (Thailand's 90 days; e.g. a pregnant victim):
    the reason is kept (encrypted) and audited. Where the maximum is law it is still refused."""
    need_to_know(app, actor, "case.reflection", case=case_id)
    if not reason.strip():
        raise InputProblems([("reason", "required: why the period is extended")])
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        if row.stage != "reflection":
            raise ActionBlocked(f"stage: case {case_id} is no longer in its reflection period ({row.stage})")
        rule = app.profile(row.jurisdiction).reflection
        current = reflection_of(row)
        if beyond_cap and rule.max_basis != "practice":
            raise ActionBlocked(f"beyond_cap: {row.jurisdiction}'s maximum of {rule.max_days} days is law; "
                                "the period cannot be extended past it")
        try:
            period = current.extend(days, uow.now, beyond_cap=beyond_cap)
        except ActionBlocked as exc:
            if rule.max_basis == "practice":  # say how, since here it can be done
                raise ActionBlocked(f"{exc}; {row.jurisdiction}'s maximum is practice, not law: "
                                    "extend past it with --beyond-cap and the reason") from None
            raise
        uow.conn.execute(update(cases).where(cases.c.id == case_id).values(
            reflection_ends_at=period.ends_at, reflection_max_ends_at=period.max_ends_at, updated_at=uow.now))
        if period.max_ends_at != current.max_ends_at:
            # The reason may name the victim's circumstances: kept encrypted with the other
            # recorded decisions to set a limit aside, and audited by its id only.
            oid = str(uuid.uuid4())
            uow.conn.execute(insert(guardrail_overrides).values(
                id=oid, case_id=case_id, rule=BEYOND_CAP, action="reflection_extend", actor=actor.user,
                role=actor.role.value, at=uow.now,
                reason=uow.cipher.encrypt("guardrail_overrides", "reason", oid, reason.strip(), owner=case_id)))
            uow.audit("reflection.extend_beyond_cap", case_id,
                      f"+{days} days past the {rule.max_days}-day practice maximum; reason {oid}")
        else:
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
