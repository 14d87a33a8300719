"""Events: past-tense facts that change a victim's situation (R-24, R-50, R-51).

A service publishes one inside the unit of work that records the fact
(`witness.services.events.publish(uow, event)`), so whatever reacts — the notices' transactional
outbox, the planner — commits or rolls back with it. Who reacts to which event is written in one
place, `witness.wiring`; an event nobody handles is refused rather than dropped.

Events are frozen: a handler cannot change what another handler will see.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import ClassVar

from witness.domain.proceeding import Custody, Order, frees


@dataclass(frozen=True, kw_only=True)
class CaseEvent:
    """Something that happened to these victims' cases. `event_id` is the source's id: the same
    event published twice makes its notices once."""

    kind: ClassVar[str]
    case_ids: tuple[str, ...]
    event_id: str | None = None

    def __post_init__(self) -> None:
        # Callers hold lists; a frozen event keeps an immutable copy.
        object.__setattr__(self, "case_ids", tuple(self.case_ids))

    def params(self) -> dict:
        """Every field but the cases, leaving out what was not given: the notices' idempotency keys
        were built from exactly these values before events were classes, so they stay the same."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "case_ids" and getattr(self, f.name) is not None}


@dataclass(frozen=True, kw_only=True)
class StageChanged(CaseEvent):
    kind: ClassVar[str] = "stage_changed"
    to_stage: str
    from_stage: str | None = None


@dataclass(frozen=True, kw_only=True)
class HearingSet(CaseEvent):
    kind: ClassVar[str] = "hearing_set"
    at: datetime
    hearing: str | None = None


@dataclass(frozen=True, kw_only=True)
class HearingMoved(CaseEvent):
    kind: ClassVar[str] = "hearing_moved"
    at: datetime
    hearing: str | None = None
    previous: str | None = None  # the old start, ISO-8601


@dataclass(frozen=True, kw_only=True)
class HearingCancelled(CaseEvent):
    kind: ClassVar[str] = "hearing_cancelled"
    at: datetime
    hearing: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReflectionEnding(CaseEvent):
    kind: ClassVar[str] = "reflection_ending"
    ends_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class MeasureDecided(CaseEvent):
    kind: ClassVar[str] = "measure_decided"
    measure: str | None = None
    decision: str | None = None
    hearing: str | None = None


@dataclass(frozen=True, kw_only=True)
class Judgment(CaseEvent):
    kind: ClassVar[str] = "judgment"


@dataclass(frozen=True, kw_only=True)
class RestitutionAwarded(CaseEvent):
    kind: ClassVar[str] = "restitution_awarded"
    claim: str | None = None
    amount: str | None = None
    currency: str | None = None
    order_date: str | None = None
    instalments: int | None = None


@dataclass(frozen=True, kw_only=True)
class RestitutionPaid(CaseEvent):
    kind: ClassVar[str] = "restitution_paid"
    claim: str | None = None
    amount: str | None = None
    currency: str | None = None
    balance: str | None = None
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class RiskReviewDue(CaseEvent):
    kind: ClassVar[str] = "risk_review_due"


CASE_EVENTS: dict[str, type[CaseEvent]] = {cls.kind: cls for cls in (
    StageChanged, HearingSet, HearingMoved, HearingCancelled, ReflectionEnding, MeasureDecided, Judgment,
    RestitutionAwarded, RestitutionPaid, RiskReviewDue)}


def case_event(kind: str, case_ids, **params) -> CaseEvent:
    """The event named by a court or prison feed (`witness event FILE` names kinds as text). A
    feed may send `at` or `to_stage` with any kind; what the kind does not carry is left out."""
    try:
        cls = CASE_EVENTS[kind]
    except KeyError:
        raise ValueError(f"unknown case event kind {kind!r}") from None
    known = {f.name for f in fields(cls)}
    return cls(case_ids=case_ids, **{k: v for k, v in params.items() if k in known})


@dataclass(frozen=True, kw_only=True)
class AccusedCustodyChanged:
    """An accused's custody changed (R-51): every victim in every proceeding of that accused is
    concerned, not only those who named them."""

    event_id: str
    accused_id: str
    accused_label: str
    previous: Custody  # the recorded custody before this event (see `order` for how far to trust it)
    custody: Custody
    occurred_at: datetime
    historical: bool
    order: Order = Order.in_order
    case_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_ids", tuple(self.case_ids))

    @property
    def frees_accused(self) -> bool:
        return frees(self.previous, self.custody, self.order)


EVENTS: tuple[type, ...] = (*CASE_EVENTS.values(), AccusedCustodyChanged)
