"""Consent-dependent acts: interviews, testimony, medical examinations (R-21, R-22).

Nothing here may be scheduled inside the reflection period without the victim's recorded consent
to that specific act, and a withdrawal cancels what is still pending.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from witness.domain.consent import Consent, has_consent
from witness.domain.reflection import ReflectionPeriod
from witness.errors import ActionBlocked


class AppointmentKind(StrEnum):
    interview = "interview"
    testimony = "testimony"
    medical_exam = "medical_exam"


def check_can_schedule(kind: AppointmentKind, at: datetime, consents: list[Consent],
                       reflection: ReflectionPeriod, guardian_needed: bool, now: datetime) -> None:
    scope = kind.value
    if not has_consent(consents, scope, now):
        where = " inside the reflection period" if reflection.is_running(now) or reflection.is_running(at) else ""
        raise ActionBlocked(
            f"{kind.value}: cannot be scheduled{where} without the victim's recorded consent to {scope} "
            f"(R-21/R-22; Guide: Recovery, Reflection and Shelter §1)"
        )
    if guardian_needed and not any(c.scope == scope and c.active_at(now) and c.guardian_agreed for c in consents):
        raise ActionBlocked(f"{kind.value}: the victim is (presumed) a child; the guardian must be party to the consent (R-15)")
    if at < now:
        raise ActionBlocked(f"at: {at.isoformat()} is in the past")
