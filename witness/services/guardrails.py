"""Gathering a case's facts and enforcing the Do No Harm rules (R-30, R-33) inside a unit of work.

Every service that carries out an action calls `enforce(uow, action, overrides)` before writing;
a change nobody is making by hand (the sweep, a flow) calls `automatic(...)` instead, which never
overrides and turns a stop into a worklist item for the coordinator. Each public service function
that takes (app, actor, ...) declares itself `@gated(ActionKind...)` or `@ungated("why")`, and
tests/unit/test_one_gate.py fails when one declares neither or a gated one never reaches the gate.
Other areas add facts (pending claims, notices sent since a custody change...) through the fact
providers registered in witness/wiring.py: `provider(conn, case_id, now) -> dict`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from sqlalchemy import and_, func, insert, select

from witness.domain.access import Actor, Role
from witness.domain.guardrails import (DETAILS, AccusedFacts, ActionKind, CaseFacts, Finding, Proposed, Severity,
                                       evaluate, gated, ungated, unresolved)
from witness.domain.proceeding import FREE_AGAIN, Custody
from witness.domain.victim import AgeStatus
from witness.errors import ActionBlocked, InputProblems, NotFound
from witness import wiring
from witness.store.records import consents_of_many, reflection_of
from witness.store.risk_tables import case_flags, guardrail_overrides, risk_assessments
from witness.services.worklist import add_items, item
from witness.store.tables import accused, case_proceedings, cases, identities, proceeding_accused, relationships
from witness.store.dialects import parts, select_for


def case_facts(conn, case_id: str, now: datetime) -> CaseFacts:
    """The facts the Do No Harm rules read about one case: `case_facts_many` for one id, so the
    two can never disagree. A missing case is NotFound (the id is a pseudonym: naming it is safe)."""
    facts = case_facts_many(conn, [case_id], now).get(case_id)
    if facts is None:
        raise NotFound(f"case: no case {case_id!r}")
    return facts


# The columns of a case the facts are made of (not the whole row: a sweep reads ~1,500 cases at a
# time, and converting the thirty columns of each was a third of the time it took).
_FACT_COLUMNS = (cases.c.id, cases.c.jurisdiction, cases.c.stage, cases.c.age_status, cases.c.gender,
                 cases.c.escort_gender_preference, cases.c.safe_channels, cases.c.nationality,
                 cases.c.reflection_started_at, cases.c.reflection_ends_at, cases.c.reflection_max_ends_at,
                 cases.c.decision, cases.c.decided_at)


def case_facts_many(conn, case_ids, now: datetime) -> dict[str, CaseFacts]:
    """The Do No Harm facts of many cases in a handful of queries, whatever their number (the relay
    checks a batch of notices at once: one by one it was ~9 queries per notice); a missing case is
    simply absent. Every accused in the victim's proceedings counts, not only those the victim
    named: any of them freed is a risk (R-51); the relationship is known only for those she named.
    Fact providers answer for the whole chunk where they can (wiring.fact_providers_many)."""
    out: dict[str, CaseFacts] = {}
    for chunk in parts(conn, sorted(set(case_ids))):
        rows = {r.id: r for r in select_for(conn, chunk, _fact_rows)}
        guarded = set(select_for(conn, chunk, _guarded).scalars())
        acc: dict[str, list[AccusedFacts]] = {}
        for r in select_for(conn, chunk, _accused_of):
            acc.setdefault(r.case_id, []).append(
                AccusedFacts(r.label, Custody(r.custody), r.custody_changed_at, r.relationship or "unknown"))
        flags: dict[str, set[str]] = {}
        for r in select_for(conn, chunk, _open_flags):
            flags.setdefault(r.case_id, set()).add(r.flag)
        latest = dict(select_for(conn, chunk, _latest_assessment).all())
        given = consents_of_many(conn, chunk)
        batched = {p: many(conn, chunk, now) for p, many in wiring.fact_providers_many().items()}
        for cid, row in rows.items():
            a = tuple(acc.get(cid, ()))
            f = flags.get(cid, set())
            last_freed = max((x.custody_changed_at for x in a if x.custody in FREE_AGAIN), default=None)
            reassessed = last_freed is not None and latest.get(cid) is not None and \
                _aware(latest[cid]) >= _aware(last_freed)
            facts = CaseFacts(
                case_id=cid, jurisdiction=row.jurisdiction, stage=row.stage, age_status=AgeStatus(row.age_status),
                has_guardian=cid in guarded, gender=row.gender, escort_gender_preference=row.escort_gender_preference,
                safe_channels=tuple(c for c in row.safe_channels.split(",") if c), consents=tuple(given.get(cid, ())),
                reflection=reflection_of(row), nationality=row.nationality, accused=a,
                stay_until_resolved_note="stay_until_resolved" in f,
                settlement_pressure_reported="settlement_pressure" in f,
                settlement_followed_up="settlement_followed_up" in f,
                reassessed_since_custody_change=reassessed)
            extra: dict = {}
            for provider in wiring.fact_providers():
                found = batched[provider].get(cid) if provider in batched else provider(conn, cid, now)
                extra.update(found or {})
            out[cid] = replace(facts, **extra) if extra else facts
    return out


# case_facts_many's statements, each a function of the condition on the case ids (select_for: for
# one case they are built once per process).

def _fact_rows(match):
    return select(*_FACT_COLUMNS).where(match(cases.c.id))


def _guarded(match):
    return select(identities.c.case_id).where(match(identities.c.case_id), identities.c.guardian_name.is_not(None))


def _accused_of(match):
    """Every accused in the cases' proceedings, with the relationship where the victim named one."""
    return (select(case_proceedings.c.case_id, accused.c.label, accused.c.custody, accused.c.custody_changed_at,
                   relationships.c.relationship).distinct()
            .join(proceeding_accused, proceeding_accused.c.accused_id == accused.c.id)
            .join(case_proceedings, case_proceedings.c.proceeding_id == proceeding_accused.c.proceeding_id)
            .outerjoin(relationships, and_(relationships.c.accused_id == accused.c.id,
                                           relationships.c.case_id == case_proceedings.c.case_id))
            .where(match(case_proceedings.c.case_id)).order_by(case_proceedings.c.case_id, accused.c.label))


def _open_flags(match):
    return select(case_flags.c.case_id, case_flags.c.flag).where(match(case_flags.c.case_id),
                                                                  case_flags.c.resolved_at.is_(None))


def _latest_assessment(match):
    return (select(risk_assessments.c.case_id, func.max(risk_assessments.c.at))
            .where(match(risk_assessments.c.case_id)).group_by(risk_assessments.c.case_id))


def _aware(at: datetime) -> datetime:
    # Compared in Python here, not in SQL: SQLite hands back naive UTC datetimes.
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def check(uow, kind: ActionKind, case_id: str, /, *, known: CaseFacts | None = None, **details) -> list[Finding]:
    """Dry run: the findings for this action, nothing written. (Positional-only parameters: a
    detail may be called `kind` or `case_id` without clashing.) `known`: this case's facts already
    read for a batch (`case_facts_many`, in the same transaction), so they are not read again."""
    facts = known if known is not None and known.case_id == case_id else case_facts(uow.conn, case_id, uow.now)
    return evaluate(Proposed(kind, facts, details), uow.now, _tighten(uow, facts))


def _tighten(uow, facts: CaseFacts) -> dict[str, str]:
    return uow.profiles.guardrails(facts.jurisdiction)  # without building the profiles' models (Profiles)


def enforce_known(uow, kind: ActionKind, facts: CaseFacts, /, **details) -> None:
    """`enforce` for a change no person makes, on facts already gathered (`case_facts_many`):
    nothing is overridden, a stop raises ActionBlocked as `enforce` does."""
    stopping = unresolved(evaluate(Proposed(kind, facts, details), uow.now, _tighten(uow, facts)), {})
    if stopping:
        raise ActionBlocked(f"{kind.value} on {facts.case_id} stopped by Do No Harm rules:\n"
                            + "\n".join(f.line() for f in stopping))


def enforce(uow, kind: ActionKind, case_id: str, overrides: dict[str, str] | None = None, /,
            **details) -> list[Finding]:
    """Stop the action if a rule blocks it; record each override (reason encrypted, audited).

    Returns the findings that let the action go ahead (overridden warnings, escalations) so the
    caller can show them. The system role never overrides: only a person answers for an override."""
    overrides = {} if uow.actor.role is Role.system else (overrides or {})
    findings = check(uow, kind, case_id, **details)
    stopping = unresolved(findings, overrides)
    if stopping:
        lines = [f.line() for f in stopping]
        if any(f.overridable for f in stopping):
            lines.append("A person may override the rules marked overridable, with a recorded reason (--override RULE=REASON).")
        raise ActionBlocked(f"{kind.value} on {case_id} stopped by Do No Harm rules:\n" + "\n".join(lines))
    for f in findings:
        reason = (overrides.get(f.rule) or "").strip()
        if f.overridable and reason and f.severity is not Severity.escalate:
            oid = str(uuid.uuid4())
            uow.conn.execute(insert(guardrail_overrides).values(
                id=oid, case_id=case_id, rule=f.rule, action=kind.value, actor=uow.actor.user,
                role=uow.actor.role.value, at=uow.now, reason=uow.cipher.encrypt("guardrail_overrides", "reason", oid, reason, owner=case_id)))
            uow.audit("guardrail.override", case_id, f"{f.rule} on {kind.value}; override {oid}")
    return findings


@dataclass(frozen=True)
class Verdict:
    go: bool  # the automatic change may be made
    listed: int = 0  # worklist items added now (0 when the stop was already on the list)


def automatic(uow, kind: ActionKind, case_id: str, coordinator: str, occasion: str, what: str, /, *,
              known: CaseFacts | None = None, **details) -> Verdict:
    """The gate for a change no person is making (the sweep, a flow): nothing is overridden. When a
    rule would stop it (block or warn), the change is not made and the coordinator gets a worklist
    item (once per occasion, so a re-run adds nothing) to act on it themselves, with an override if
    they judge it right."""
    stopping = unresolved(check(uow, kind, case_id, known=known, **details), {})
    if not stopping:
        return Verdict(True)
    return Verdict(False, to_worklist(uow, stopping, kind, case_id, coordinator, occasion,
                                      f"{what} was not done automatically"))


def to_worklist(uow, stopping: list[Finding], kind: ActionKind, case_id: str, coordinator: str, occasion: str,
                what: str) -> int:
    """Put what the rules said about an action no person decided on the coordinator's worklist
    (once per occasion). Returns how many items were new."""
    rules = "; ".join(f"{f.rule} ({f.severity.value}): {f.explanation}" for f in stopping)
    detail = (f"{case_id}: {what}. {rules}. Decide with the victim; act yourself (with --override "
              "RULE=REASON for a warning) if it is right.")
    key = f"{case_id}:gate:{kind.value}:{occasion}"[:160]
    return add_items(uow.conn, [item(key, case_id, "gate_stopped", coordinator, uow.now, uow.now, detail[:500])])


@ungated("a dry run: it records only that the rules were consulted")
def dry_run(app, actor: Actor, kind: str, case_id: str, details: dict) -> list[Finding]:
    """`witness check`: what the rules would say, without doing anything (audited as a read)."""
    from witness.services.access import need_to_know

    need_to_know(app, actor, "case.read", case=case_id)
    try:
        action = ActionKind(kind)
    except ValueError:
        raise InputProblems([("action", f"use one of {', '.join(k.value for k in ActionKind)}")]) from None
    known = DETAILS[action]
    unknown = sorted(set(details) - known)
    if unknown:
        reads = ", ".join(sorted(known)) or "no details"
        raise InputProblems([(f"detail.{k}", f"{action.value} reads {reads}") for k in unknown])
    with app.uow(actor) as uow:
        findings = check(uow, action, case_id, **details)
        uow.audit("guardrail.check", case_id, f"{action.value}: {len(findings)} findings")
        uow.commit()
    return findings
