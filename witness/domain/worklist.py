"""What the Today page shows first, and how an item may be put off (R-112).

An urgent release alert — an accused freed, or an urgent notice that has not reached the victim —
is pinned above everything and cannot be snoozed: hiding it for a while is exactly the failure the
Guide's safety planning warns about. Everything else may be put off with a reason from a list
(free text could carry a name; the audit log holds the reason in clear).
"""
from __future__ import annotations

from datetime import timedelta

URGENT_KINDS = frozenset({"release_escalation", "urgent_undelivered"})

SNOOZE_REASONS = {
    "waiting_for_victim": "waiting for the victim to be ready",
    "waiting_for_others": "waiting for another agency or colleague",
    "planned_later": "already planned for later",
}
SNOOZE_PERIODS = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1),
                  "3d": timedelta(days=3)}


def is_urgent(kind: str) -> bool:
    return kind in URGENT_KINDS


def snooze_problems(kind: str, period: str, reason: str) -> list[tuple[str, str]]:
    problems = []
    if is_urgent(kind):
        problems.append(("item", "an urgent release alert cannot be snoozed; record contact or escalate"))
    if period not in SNOOZE_PERIODS:
        problems.append(("period", f"use one of {', '.join(SNOOZE_PERIODS)}"))
    if reason not in SNOOZE_REASONS:
        problems.append(("reason", f"use one of {', '.join(SNOOZE_REASONS)}"))
    return problems
