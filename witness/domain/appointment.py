"""Consent-dependent acts: interviews, testimony, medical examinations (R-21, R-22).

Nothing here may be scheduled inside the reflection period without the victim's recorded consent
to that specific act, and a withdrawal cancels what is still pending.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from witness.errors import ActionBlocked


class AppointmentKind(StrEnum):
    interview = "interview"
    testimony = "testimony"
    medical_exam = "medical_exam"


def check_can_schedule(at: datetime, now: datetime) -> None:
    """Consent to the act (and, inside the reflection period, the period itself) is the Do No Harm
    engine's (DNH-01, DNH-13: `witness/domain/guardrails.py`), so `witness check` and `witness
    schedule` always agree; what is left here is the calendar."""
    if at < now:
        raise ActionBlocked(f"at: {at.isoformat()} is in the past")
