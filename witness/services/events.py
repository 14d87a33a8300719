"""In-transaction events (R-24): a fact that changes a victim's situation is published inside the
unit of work that records it, so whatever reacts (notices: the transactional outbox) commits or
rolls back with it. The events are the frozen dataclasses of witness/domain/events.py; who handles
each is written in witness/wiring.py.
"""
from __future__ import annotations

from witness import wiring


def publish(uow, event) -> None:
    """Hand the event to each handler registered for its type, in order, in this transaction.
    An event type with no handler raises LookupError (a wiring mistake must not pass silently)."""
    handlers = wiring.handlers_for(type(event))
    if not event.case_ids:
        return
    for handler in handlers:
        handler(uow, event)
