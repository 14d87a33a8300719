"""What the Today page shows first, and how an item may be put off (R-112).

An urgent release alert — an accused freed, or an urgent notice that has not reached the victim —
is pinned above everything and cannot be snoozed: hiding it for a while is exactly the failure the
Guide's safety planning warns about. Everything else may be put off with a reason from a list
(free text could carry a name; the audit log holds the reason in clear).
"""
from __future__ import annotations

from datetime import datetime, timedelta

URGENT_KINDS = frozenset({"release_escalation", "urgent_undelivered",
                          # issue 12 (care): a child detained, detention past its limit, a media breach,
                          # a guardian linked to an accused
                          "child_detention", "detention_limit", "media_breach", "guardian_complicity"})
# A call / visit task or a dead letter is urgent when the notice it stands for was: the relay marks
# its text "URGENT" (the worklist row has no flag of its own).
URGENT_WHEN_MARKED = frozenset({"notice_call", "notice_dead_letter"})
# Due now and about someone's safety or a court's deadline: before the routine follow-ups.
SAFETY_KINDS = frozenset({"reassess_risk", "initial_risk", "risk_review", "custody_feed_stale", "custody_reconcile",
                          "consent_withdrawn", "gate_stopped", "settlement_pressure", "measure_deadline",
                          "measure_late", "hearing_gap", "notice_call", "notice_dead_letter",
                          "interpreter_replace"})
# The order a person works through: urgent, due (safety first), due (the rest), not yet due.
URGENT, DUE_SAFETY, DUE, LATER = 0, 1, 2, 3
CLASS_WORDS = {URGENT: "URGENT", DUE_SAFETY: "due", DUE: "due", LATER: "later"}

SNOOZE_REASONS = {
    "waiting_for_victim": "waiting for the victim to be ready",
    "waiting_for_others": "waiting for another agency or colleague",
    "planned_later": "already planned for later",
}
SNOOZE_PERIODS = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1),
                  "3d": timedelta(days=3)}


def is_urgent(kind: str, detail: str = "") -> bool:
    return kind in URGENT_KINDS or (kind in URGENT_WHEN_MARKED and "URGENT" in detail)


def urgency(kind: str, detail: str, due_at: datetime, now: datetime) -> int:
    if is_urgent(kind, detail):
        return URGENT
    if due_at > now:
        return LATER
    return DUE_SAFETY if kind in SAFETY_KINDS else DUE


def ordered(items: list[dict], now: datetime) -> list[dict]:
    """Most urgent first: by urgency class, then by due time (oldest first), then by id."""
    return sorted(items, key=lambda i: (urgency(i["kind"], i["detail"], i["due_at"], now), i["due_at"], i["id"]))


DONE_REASONS = {
    "done": "done as the item asked",
    "contacted": "the victim (or guardian) was reached",
    "not_needed": "no longer needed (the situation changed)",
    "handled_elsewhere": "handled by another agency or colleague",
}


def done_problems(reason: str) -> list[tuple[str, str]]:
    if reason not in DONE_REASONS:
        return [("reason", f"use one of {', '.join(DONE_REASONS)}")]
    return []


def _key_part(key: str, prefix: str) -> str | None:
    """The record id a producer put in the item's key after `prefix:` (e.g. a hearing or measure)."""
    if not key.startswith(prefix + ":"):
        return None
    return key[len(prefix) + 1:].split(":", 1)[0] or None


def next_command(item: dict) -> str:
    """The command that deals with the item (or, where nothing else clears it, the one that closes
    it). An urgent alert is closed by recording contact; the rest are closed when done."""
    kind, case, key, ident = item["kind"], item.get("case_id") or "", item.get("key") or "", item["id"]
    close = f"witness worklist done {ident}"
    if is_urgent(kind, item.get("detail", "")) and case:
        return f"call or visit now, then: witness ack --case {case}"
    if kind in ("reassess_risk", "initial_risk", "risk_review") and case:
        return f"witness assess {case} ANSWERS.yaml, then: {close}"
    if kind == "hearing_gap" and (hearing := _key_part(key, "gap")):
        return f"witness plan {hearing}, then: {close}"
    if kind == "measure_deadline" and (measure := _key_part(key, "measure_deadline")):
        return f"witness measure request {measure}"
    if kind in ("measure_late", "measure_outcome") and case:
        return f"witness measures {case}, then: {close}"
    if kind in ("reflection_ending", "reflection_ended") and case:
        return f"witness reflection decide {case} DECISION (or extend), then: {close}"
    if kind in ("custody_feed_stale", "custody_reconcile"):
        return f"witness event FILE (the custody update), then: {close}"
    if kind.startswith("claim_") and case:
        return f"witness claims --overdue, then: {close}"
    if kind == "guardian_pending" and case:  # recording the guardian closes it
        return f"witness guardian record {case} GUARDIAN.yaml"
    if kind == "detention" and case:  # ending the detention closes it
        return f"witness detention end {case}"
    if kind == "shelter_stay_check" and case:
        return f"ask the victim; to leave: witness consent withdraw {case} shelter_stay, then: {close}"
    if case:
        return f"witness case show {case}, then: {close}"
    return close


def snooze_problems(kind: str, period: str, reason: str, detail: str = "") -> list[tuple[str, str]]:
    problems = []
    if is_urgent(kind, detail):
        problems.append(("item", "an urgent release alert cannot be snoozed; record contact or escalate"))
    if period not in SNOOZE_PERIODS:
        problems.append(("period", f"use one of {', '.join(SNOOZE_PERIODS)}"))
    if reason not in SNOOZE_REASONS:
        problems.append(("reason", f"use one of {', '.join(SNOOZE_REASONS)}"))
    return problems
