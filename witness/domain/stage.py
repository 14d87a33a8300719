"""Case stages and the transitions allowed between them (R-20)."""
from __future__ import annotations

from enum import StrEnum

from witness.errors import IllegalTransition


class Stage(StrEnum):
    reflection = "reflection"
    decision = "decision"
    investigation = "investigation"
    pre_trial = "pre_trial"
    trial = "trial"
    judgment = "judgment"
    appeal = "appeal"
    restitution = "restitution"
    withdrawn = "withdrawn"  # the victim no longer cooperates with the criminal process; support goes on
    closed = "closed"


S = Stage
# Moving backwards is a new recorded transition, never an edit of history. `withdrawn` is reachable
# from every cooperating stage because the victim may stop at any time (Guide: Criminal Justice §1).
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    S.reflection: frozenset({S.decision, S.withdrawn}),
    S.decision: frozenset({S.investigation, S.withdrawn, S.reflection}),
    S.investigation: frozenset({S.pre_trial, S.withdrawn, S.closed}),
    S.pre_trial: frozenset({S.trial, S.withdrawn, S.investigation}),
    S.trial: frozenset({S.judgment, S.withdrawn}),
    S.judgment: frozenset({S.appeal, S.restitution, S.closed}),
    S.appeal: frozenset({S.judgment, S.restitution, S.closed}),
    S.restitution: frozenset({S.appeal, S.closed}),
    S.withdrawn: frozenset({S.decision, S.closed}),
    S.closed: frozenset({S.decision}),
}

# Stages in which the victim is interviewed or testifies: entering them needs the matching consent,
# and inside the reflection period nothing else will do.
CONSENT_FOR_STAGE: dict[Stage, str] = {
    S.investigation: "interview",
    S.pre_trial: "testimony",
    S.trial: "testimony",
}


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise IllegalTransition(
            f"stage: unknown stage {value!r}; stages are {', '.join(s.value for s in Stage)}"
        ) from None


def check_transition(current: Stage, target: Stage) -> None:
    allowed = TRANSITIONS[current]
    if target not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "none"
        raise IllegalTransition(
            f"stage: cannot move from {current.value} to {target.value}; allowed from {current.value}: {names}"
        )
