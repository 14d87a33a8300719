"""Support services and the rule that they never depend on cooperation (R-23; Guide: Recovery §3).

Ending a service needs a reason from ENDING_REASONS. Declining or withdrawing from the criminal
process is not on that list and can never be: the Guide says to delink shelter and assistance from
participation in the criminal justice process. That refusal is the guardrail engine's rule DNH-02
(witness/domain/guardrails.py), not a second copy here.
"""
from __future__ import annotations

from enum import StrEnum



class ServiceKind(StrEnum):
    shelter = "shelter"  # a state-run (often closed) shelter
    # Other accommodation (Guide: Recovery §2, §4): open and community-based shelters, care outside
    # the formal shelter system (rented or community housing), family-based care for a child.
    open_shelter = "open_shelter"
    community_shelter = "community_shelter"
    community_housing = "community_housing"
    rented_housing = "rented_housing"
    foster_care = "foster_care"
    medical = "medical"
    legal = "legal"
    psychosocial = "psychosocial"
    interpretation = "interpretation"
    livelihood = "livelihood"


# Where the victim stays: each needs their written shelter_stay consent (DNH-13) and gets the
# "do you still wish to stay?" follow-up (services/accommodation.py).
ACCOMMODATION_KINDS = frozenset({ServiceKind.shelter, ServiceKind.open_shelter, ServiceKind.community_shelter,
                                 ServiceKind.community_housing, ServiceKind.rented_housing, ServiceKind.foster_care})

ENDING_REASONS = frozenset({"victim_request", "completed", "transferred", "returned_home", "victim_died"})
# Reasons that tie support to cooperation; named so the refusal can say what went wrong.
COOPERATION_REASONS = frozenset({"declined_cooperation", "withdrew_from_process", "consent_withdrawn",
                                 "refused_testimony", "case_withdrawn"})


def end_reason_problem(reason: str) -> str | None:
    """What is wrong with `reason` as typed, or None. A cooperation reason is a known reason: the
    Do No Harm engine refuses it (DNH-02), here and in `witness check` alike, so it is not refused twice."""
    if reason in ENDING_REASONS or reason in COOPERATION_REASONS:
        return None
    return f"use one of {', '.join(sorted(ENDING_REASONS))}"
