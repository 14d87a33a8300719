"""Proceedings and accused persons (R-11, R-12), and how a custody event is placed against the
accused's recorded custody."""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Custody(StrEnum):
    at_large = "at_large"
    arrested = "arrested"
    detained = "detained"
    bailed = "bailed"
    released = "released"
    escaped = "escaped"
    convicted = "convicted"
    acquitted = "acquitted"


# The accused can reach the victim again: the risk must be reassessed and the victim told.
FREE_AGAIN = frozenset({Custody.released, Custody.escaped, Custody.bailed, Custody.acquitted})

# A feed's clock may run a little ahead of ours. Anything further ahead is a typo (2062 for 2026) or
# a forged date, and once recorded it would outrank every real event that follows.
MAX_AHEAD = timedelta(minutes=5)


def ahead_of_clock(occurred_at: datetime, now: datetime) -> str | None:
    """Why an event's date cannot be accepted as of `now`, or None."""
    if occurred_at > now + MAX_AHEAD:
        minutes = int(MAX_AHEAD.total_seconds() // 60)
        return f"is in the future (more than {minutes} minutes ahead of the clock); give the time it happened"
    return None


class Order(StrEnum):
    """Where a custody event falls against the accused's recorded custody."""

    in_order = "in_order"  # not older than the recorded custody: it becomes the recorded custody
    late = "late"  # older than the recorded custody: that stays, a coordinator reconciles the two
    # The recorded custody is dated ahead of the clock (left by a feed before such dates were
    # refused): it cannot outrank a real event, so this one replaces it and a coordinator checks.
    over_future = "over_future"


def place(occurred_at: datetime, recorded_at: datetime, now: datetime) -> Order:
    if ahead_of_clock(recorded_at, now):
        return Order.over_future
    return Order.late if occurred_at < recorded_at else Order.in_order


def frees(previous: Custody, custody: Custody, order: Order = Order.in_order) -> bool:
    """Does this event free the accused, as far as the victim's safety goes?

    Into a free state from a held one, yes. When the order is not certain (a late event, or one
    after a record dated ahead of the clock) the state before it is not known, so every event into
    a free state counts: a needless alert costs a phone call, a missed one can cost a life. This is
    what keeps a bad date from silencing the alerts that follow it."""
    if custody not in FREE_AGAIN:
        return False
    return order is not Order.in_order or previous not in FREE_AGAIN


class Relationship(StrEnum):
    """The Guide's victim–trafficker relationships (family, romance, trauma bonding, fear) change risk."""

    family = "family"
    intimate_partner = "intimate_partner"
    employer = "employer"
    recruiter_agent = "recruiter_agent"
    community = "community"
    stranger = "stranger"
    other = "other"
