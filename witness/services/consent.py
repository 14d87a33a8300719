"""Giving and withdrawing consent (R-22). A withdrawal cancels what depends on it at once and is
never a reason to end support (R-23)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select, update

from witness.domain.access import Actor
from witness.domain.guardrails import ActionKind, gated, ungated
from witness.domain.consent import Method, dependents_of, scope_error
from witness.domain.fields import LanguageTag, UserId, problem
from witness.domain.information import SILENCE, SILENCE_IS_NOT_CONSENT, needs_explanation
from witness.domain.victim import AgeStatus, presumed_child
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness.services.access import need_to_know
from witness.services.custody import mark_reassessment_due
from witness.services.guardrails import enforce
from witness.services.interpreters import check_assignment, record_assignment
from witness import wiring
from witness.services.worklist import add_items, item
from witness.store.records import case_row, consents_of
from witness.store.return_tables import information_sheets
from witness.store.tables import appointments, consents, identities
from witness.store.dialects import select_for


def _language_problems(language: str, interpreter: str | None) -> list[tuple[str, str]]:
    problems = []
    if not language:
        problems.append(("language", "required: the language the victim was informed in"))
    elif problem(LanguageTag, language):
        problems.append(("language", problem(LanguageTag, language)))
    if interpreter is not None and problem(UserId, interpreter):
        problems.append(("interpreter", problem(UserId, interpreter)))
    return problems


def _record_explanation(uow, case_id: str, scope: str, at: datetime, language: str, interpreter: str | None) -> None:
    if interpreter:  # explaining through an interpreter assigns them to the case (DNH-06, DNH-30)
        check_assignment(uow, case_id, interpreter, language=language)
        record_assignment(uow, case_id, interpreter, "information_sheet", at, language=language)
    uow.conn.execute(insert(information_sheets).values(
        case_id=case_id, scope=scope, explained_at=at, language=language, interpreter=interpreter,
        recorded_by=uow.actor.user, recorded_at=uow.now))


@gated(ActionKind.assign_interpreter)  # only when the sheet was explained through an interpreter
def explain(app, actor: Actor, case_id: str, scope: str, language: str, interpreter: str | None = None,
            explained_at: datetime | None = None) -> dict:
    """Record that the information sheet for `scope` was explained to the victim (when, in which
    language, through which interpreter): what DNH-31 asks before consent to testimony, name
    disclosure, a medical examination or a return."""
    need_to_know(app, actor, "consent.record", case=case_id)
    problems = [("scope", scope_error(scope))] if scope_error(scope) else []
    problems += _language_problems(language, interpreter)
    if problems:
        raise InputProblems(problems)
    with app.uow(actor) as uow:
        case_row(uow.conn, case_id, lock=True)
        at = explained_at or uow.now
        if at > uow.now:
            raise InputProblems([("explained_at", "an explanation cannot be recorded before it was given")])
        _record_explanation(uow, case_id, scope, at, language, interpreter)
        uow.audit("consent.explain", case_id, scope)
        uow.commit()
    return {"case": case_id, "scope": scope, "explained_at": at}


def _guardian_may_agree(conn, case_id: str, now) -> None:
    """A guardian's agreement counts only from a guardian on record who is not linked to an accused
    (R-15, DNH-21/DNH-22): intake refuses the same for a guardian not yet recorded."""
    from witness.domain.care import link_recorded
    from witness.services.guardians import case_facts as guardian_facts

    if conn.execute(select(identities.c.guardian_name).where(identities.c.case_id == case_id)).scalar() is None:
        raise ActionBlocked("guardian_agreed: no guardian is recorded yet; record the guardian first "
                            "(witness guardian record)")
    link = guardian_facts(conn, case_id, now).get("guardian_accused_link")
    if link_recorded(link):  # a suspected link only escalates (DNH-21); a recorded one is DNH-22
        raise ActionBlocked(f"guardian_agreed: the child's guardian is linked to an accused ({link}); their agreement "
                            "does not count: record an independent guardian first (witness guardian record)")


@gated(ActionKind.give_consent, ActionKind.assign_interpreter)
def give(app, actor: Actor, case_id: str, scope: str, method: str, language: str,
         interpreter: str | None = None, guardian_agreed: bool = False, explained: bool = False) -> None:
    """Record the victim's consent. `explained`: the information sheet was explained just now, in
    `language` through `interpreter` (the same as `witness consent explain` first)."""
    need_to_know(app, actor, "consent.record", case=case_id)
    problems = []
    if scope_error(scope):
        problems.append(("scope", scope_error(scope)))
    if (method or "").strip().lower() in SILENCE:
        problems.append(("method", SILENCE_IS_NOT_CONSENT))
    elif method not in {m.value for m in Method}:
        problems.append(("method", "use written or oral"))
    problems += _language_problems(language, interpreter)
    if problems:
        raise InputProblems(problems)
    with app.uow(actor) as uow:
        row = case_row(uow.conn, case_id, lock=True)
        if presumed_child(AgeStatus(row.age_status)) and not guardian_agreed:
            raise ActionBlocked("guardian_agreed: the victim is (presumed) a child; the guardian must be a party "
                                "to every consent (R-15)")
        if guardian_agreed and presumed_child(AgeStatus(row.age_status)):
            _guardian_may_agree(uow.conn, case_id, uow.now)
        if explained and needs_explanation(scope):
            _record_explanation(uow, case_id, scope, uow.now, language, interpreter)
        elif interpreter:  # consent recorded through an interpreter: never a blocked or conflicted one (DNH-06)
            check_assignment(uow, case_id, interpreter, language=language)
            record_assignment(uow, case_id, interpreter, "consent", uow.now, language=language)
        # A notification channel must be safe (DNH-09); informed scopes need the sheet explained (DNH-31).
        enforce(uow, ActionKind.give_consent, case_id, None, scope=scope)
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


def case_facts(conn, case_id: str, now: datetime) -> dict:
    """Guardrail facts (witness.wiring.fact_providers): the scopes whose information sheet was
    explained to the victim by now (DNH-31)."""
    from sqlalchemy import select

    from witness.domain.information import Explanation, explained_scopes

    rows = conn.execute(select(information_sheets).where(information_sheets.c.case_id == case_id)).all()
    return {"explained_scopes": explained_scopes(
        [Explanation(r.scope, r.explained_at, r.language, r.interpreter, r.recorded_by) for r in rows], now)}


def _sheets_of(match):
    return select(information_sheets).where(match(information_sheets.c.case_id))


def case_facts_many(conn, case_ids: list[str], now: datetime) -> dict[str, dict]:
    """`case_facts` for many cases in one query (the relay's batches)."""
    from witness.domain.information import Explanation, explained_scopes

    by_case: dict[str, list] = {cid: [] for cid in case_ids}
    for r in select_for(conn, case_ids, _sheets_of):
        by_case[r.case_id].append(Explanation(r.scope, r.explained_at, r.language, r.interpreter, r.recorded_by))
    return {cid: {"explained_scopes": explained_scopes(found, now)} for cid, found in by_case.items()}
