"""Giving and withdrawing consent (R-22). A withdrawal cancels what depends on it at once and is
never a reason to end support (R-23)."""
from __future__ import annotations

import uuid

from sqlalchemy import insert, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.consent import Method, dependents_of, scope_error
from witness.domain.fields import LanguageTag, UserId, problem
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness.services.access import need_to_know
from witness.services.custody import mark_reassessment_due
from witness.services.guardrails import enforce
from witness import wiring
from witness.services.worklist import add_items, item
from witness.store.records import case_row, consents_of
from witness.store.tables import appointments, consents


@gated(ActionKind.give_consent)
def give(app, actor: Actor, case_id: str, scope: str, method: str, language: str,
         interpreter: str | None = None, guardian_agreed: bool = False) -> None:
    need_to_know(app, actor, "consent.record", case=case_id)
    problems = []
    if scope_error(scope):
        problems.append(("scope", scope_error(scope)))
    if method not in {m.value for m in Method}:
        problems.append(("method", "use written or oral"))
    if not language:
        problems.append(("language", "required: the language the victim was informed in"))
    elif problem(LanguageTag, language):
        problems.append(("language", problem(LanguageTag, language)))
    if interpreter is not None and problem(UserId, interpreter):
        problems.append(("interpreter", problem(UserId, interpreter)))
    if problems:
        raise InputProblems(problems)
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        if presumed_child(AgeStatus(row.age_status)) and not guardian_agreed:
            raise ActionBlocked("guardian_agreed: the victim is (presumed) a child; the guardian must be a party "
                                "to every consent (R-15)")
        enforce(uow, ActionKind.give_consent, case_id, None, scope=scope)  # a notification channel must be safe (DNH-09)
        if any(c.scope == scope and c.active_at(uow.now) for c in consents_of(uow.conn, case_id)):
            raise ActionBlocked(f"scope: consent to {scope} is already recorded and active")
        uow.conn.execute(insert(consents).values(
            id=str(uuid.uuid4()), case_id=case_id, scope=scope, method=method, language=language,
            interpreter=interpreter, guardian_agreed=guardian_agreed, given_at=uow.now, recorded_by=actor.user))
        uow.audit("consent.give", case_id, scope)
        uow.commit()


@ungated("the victim's withdrawal takes effect at once and no rule may delay it (R-22)")
def withdraw(app, actor: Actor, case_id: str, scope: str) -> dict:
    """Withdraw at once; cancel pending dependents; leave every support service as it is."""
    need_to_know(app, actor, "consent.record", case=case_id)
    with app.uow(actor) as uow:
        conn, now = uow.conn, uow.now
        row = case_row(conn, case_id, lock=True)
        n = conn.execute(update(consents).where(consents.c.case_id == case_id, consents.c.scope == scope,
                                                consents.c.withdrawn_at.is_(None))
                         .values(withdrawn_at=now, withdrawn_by=actor.user)).rowcount
        if not n:
            raise NotFound(f"scope: no active consent to {scope} on case {case_id}")
        cancelled = 0
        for dep in dependents_of(scope):
            family, _, kind = dep.partition(":")
            if family == "appointment":
                cancelled += conn.execute(
                    update(appointments).where(appointments.c.case_id == case_id, appointments.c.kind == kind,
                                               appointments.c.status == "scheduled", appointments.c.at >= now)
                    .values(status="cancelled", cancelled_at=now, cancel_reason=f"consent to {scope} withdrawn")
                ).rowcount
        # Other areas cancel what they hold for this consent (testimony measures, escorts, data shares).
        cancelled += sum(cancel(uow, case_id, scope) for cancel in wiring.consent_withdrawn())
        detail = (f"{case_id}: consent to {scope} withdrawn; {cancelled} pending act(s) cancelled. "
                  "Support continues unchanged (R-23). Tell the victim what was cancelled.")
        if scope == "shelter_stay":
            detail += " Arrange accommodation outside the shelter if the victim wishes."
        add_items(conn, [item(f"{case_id}:consent_withdrawn:{scope}:{now.isoformat()}", case_id, "consent_withdrawn",
                              row.coordinator, now, now, detail)])
        # A withdrawal can signal pressure or fear: look again at the risk.
        mark_reassessment_due(uow, [case_id], "consent_withdrawn", now)
        uow.audit("consent.withdraw", case_id, f"{scope}; {cancelled} cancelled")
        uow.commit()
    return {"case": case_id, "scope": scope, "cancelled": cancelled}
