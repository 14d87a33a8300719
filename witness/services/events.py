"""In-transaction case events (R-24): a fact that changes a victim's situation is published inside
the unit of work that records it, so whatever reacts (notices: the transactional outbox) commits or
rolls back with it. Handlers are `on_case_event(uow, kind, case_ids, params)` functions in any
service module, found by name.

Kinds (R-50): stage_changed, hearing_set, hearing_moved, hearing_cancelled, reflection_ending,
measure_decided, judgment, restitution_awarded, restitution_paid, risk_review_due.
Custody changes have their own hook (`on_custody_change`, see custody.py).
"""
from __future__ import annotations

from witness.areas import attributes

KINDS = frozenset({"stage_changed", "hearing_set", "hearing_moved", "hearing_cancelled", "reflection_ending",
                   "measure_decided", "judgment", "restitution_awarded", "restitution_paid", "risk_review_due"})


def publish(uow, kind: str, case_ids: list[str], **params) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown case event kind {kind!r}")
    if not case_ids:
        return
    for handler in handlers("on_case_event"):
        handler(uow, kind, list(case_ids), params)


def handlers(name: str) -> list:
    """Functions called `name` in the service modules, in module-name order."""
    return [fn for fn in attributes("witness.services", name) if callable(fn)]
