"""The reflection and recovery period (R-21; Guide: Recovery, Reflection and Shelter §1).

It starts when the case opens, its length comes from the jurisdiction profile, it can be extended
("be flexible"), and it ends early only on the victim's own recorded decision.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from witness.errors import ActionBlocked


class VictimDecision(StrEnum):
    cooperate = "cooperate"
    not_cooperate = "not_cooperate"


@dataclass(frozen=True)
class ReflectionPeriod:
    started_at: datetime
    ends_at: datetime
    max_ends_at: datetime
    decision: VictimDecision | None = None
    decided_at: datetime | None = None

    @classmethod
    def start(cls, opened_at: datetime, days: int, max_days: int) -> "ReflectionPeriod":
        if days > max_days:
            raise ActionBlocked(f"reflection_days: {days} is longer than the jurisdiction's maximum of {max_days}")
        return cls(opened_at, opened_at + timedelta(days=days), opened_at + timedelta(days=max_days))

    def is_running(self, now: datetime) -> bool:
        """True while the victim is still recovering and deciding: no interview or testimony without consent."""
        return self.decided_at is None and now < self.ends_at

    def extend(self, days: int, now: datetime, beyond_cap: bool = False) -> "ReflectionPeriod":
        """`beyond_cap` moves the maximum with the end: only where the cap is practice, not law (the
        service decides that from the jurisdiction profile and records the reason)."""
        if days < 1:
            raise ActionBlocked("days: an extension must be at least one day")
        new_end = max(self.ends_at, now) + timedelta(days=days)
        if new_end > self.max_ends_at:
            if beyond_cap:
                return replace(self, ends_at=new_end, max_ends_at=new_end)
            raise ActionBlocked(
                f"days: the period would end after the jurisdiction's maximum ({self.max_ends_at.date().isoformat()})"
            )
        return replace(self, ends_at=new_end)

    def record_decision(self, decision: VictimDecision, now: datetime) -> "ReflectionPeriod":
        """Only the victim's recorded decision ends the period early; nobody else's wish does."""
        return replace(self, decision=decision, decided_at=now)
