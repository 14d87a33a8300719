"""Need to know at the top of every service (R-70, R-111): who is on the record, the one rule
(witness.domain.access.may_act_on), and an audit row for every refusal.

Every read and write service starts with `need_to_know(app, actor, action, <record>=id)`, so the
command line, the web and the flows meet the same rule, and every refusal is audited here, in one
place, whoever called (the web answers them 404, the command line exit 1 — neither audits again).
"""
from __future__ import annotations

from witness.domain.access import NOT_BOUND_TO_CASES, PERMISSIONS, Actor, CaseAccess, may_act_on, require_on
from witness.domain.guardrails import ungated
from witness.errors import Forbidden
from witness.store import records

DENIED = "access.denied"

# How each kind of record finds who is on it.
_LOADERS = {
    "case": records.case_access,
    "claim": records.claim_access,
    "hearing": records.hearing_access,
    "measure": records.measure_access,
    "notice": records.notice_access,
}


@ungated("checks who may act; writes only the audit row of a refusal")
def need_to_know(app, actor: Actor, action: str, *, case: str | None = None, claim: str | None = None,
                 hearing: str | None = None, measure: str | None = None, notice: str | None = None,
                 docket: str | None = None, jurisdiction: str | None = None,
                 access: CaseAccess | None = None) -> CaseAccess | None:
    """Refuse unless `actor` may do `action` on the record named (at most one; none for an action
    about no one record). Returns who is on the record, when it had to be read. A record that does
    not exist raises NotFound as the service itself would; a refusal raises Forbidden after its
    audit row is committed. `access` is a record the caller built (a staff calendar)."""
    named = {k: v for k, v in (("case", case), ("claim", claim), ("hearing", hearing), ("measure", measure),
                               ("notice", notice), ("docket", docket)) if v is not None}
    record = access.record if access is not None else next(iter(named.values()), "-")
    granted = actor.role in PERMISSIONS.get(action, frozenset())
    if granted and (not named and access is None or actor.role in NOT_BOUND_TO_CASES):
        return None  # the role decides: nothing to read
    found = None
    try:
        if granted:
            found = access if access is not None else _load(app, actor, named, jurisdiction)
        require_on(actor, found, action)
    except Forbidden as exc:
        refused(app, actor, record, action, exc)
        raise
    return found


@ungated("records a refused attempt in the audit log")
def record_denial(app, actor: Actor, record: str, attempt: str) -> None:
    """One audit row per refused attempt: who tried, which record, what was refused.

    Written in a transaction of its own, because the refused action's transaction rolled back.
    `attempt` names the command and the refusal; refusal messages carry no personal data
    (witness.errors), and the audit store escapes control characters and cuts to column sizes.
    Here, not in services/audit.py: verifying the chain asks need_to_know, so audit.py importing
    this module and this module importing audit.py was an import loop.
    """
    with app.uow(actor) as uow:
        uow.audit(DENIED, record or "-", attempt)
        uow.commit()


@ungated("writes only the audit row of a refusal")
def refused(app, actor: Actor, record: str, action: str, exc: Forbidden) -> None:
    """Audit one refusal (who, which record, what) and mark it so the edges do not audit it again."""
    record_denial(app, actor, record, str(exc))  # the message names the action and the record, no personal data
    exc.audited = True


def _load(app, actor: Actor, named: dict[str, str], jurisdiction: str | None) -> CaseAccess:
    with app.uow(actor).reading() as uow:  # only reads: no writer lock
        if "docket" in named:
            return records.proceeding_access(uow.conn, named["docket"], jurisdiction)
        (kind, ident), = named.items()
        return _LOADERS[kind](uow.conn, ident)


def allowed_cases(conn, actor: Actor, action: str, case_ids) -> set[str]:
    """Of these cases, those `actor` may do `action` on: lists keep only these rows (a list shows
    no case its reader is not on, so it confirms none exists)."""
    if actor.role in NOT_BOUND_TO_CASES:
        return set(case_ids) if actor.role in PERMISSIONS.get(action, frozenset()) else set()
    return {cid for cid, a in records.cases_access(conn, case_ids).items() if may_act_on(actor, a, action)}
