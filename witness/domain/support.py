"""Support services and the rule that they never depend on cooperation (R-23; Guide: Recovery §3).

Ending a service needs a reason from ENDING_REASONS. Declining or withdrawing from the criminal
process is not on that list and can never be: the Guide says to delink shelter and assistance from
participation in the criminal justice process.
"""
from __future__ import annotations

from enum import StrEnum

from witness.errors import ActionBlocked


class ServiceKind(StrEnum):
    shelter = "shelter"
    medical = "medical"
    legal = "legal"
    psychosocial = "psychosocial"
    interpretation = "interpretation"
    livelihood = "livelihood"


ENDING_REASONS = frozenset({"victim_request", "completed", "transferred", "returned_home", "victim_died"})
# Reasons that tie support to cooperation; named so the refusal can say what went wrong.
COOPERATION_REASONS = frozenset({"declined_cooperation", "withdrew_from_process", "consent_withdrawn",
                                 "refused_testimony", "case_withdrawn"})


def check_end_reason(reason: str) -> None:
    if reason in COOPERATION_REASONS:
        raise ActionBlocked(
            f"reason: support can never end because the victim does not cooperate with the criminal process "
            f"(R-23; Guide: Recovery, Reflection and Shelter §3). Allowed reasons: {', '.join(sorted(ENDING_REASONS))}"
        )
    if reason not in ENDING_REASONS:
        raise ActionBlocked(f"reason: unknown reason {reason!r}; allowed: {', '.join(sorted(ENDING_REASONS))}")
