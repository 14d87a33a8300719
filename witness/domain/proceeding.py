"""Proceedings and accused persons (R-11, R-12)."""
from __future__ import annotations

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


class Relationship(StrEnum):
    """The Guide's victim–trafficker relationships (family, romance, trauma bonding, fear) change risk."""

    family = "family"
    intimate_partner = "intimate_partner"
    employer = "employer"
    recruiter_agent = "recruiter_agent"
    community = "community"
    stranger = "stranger"
    other = "other"
