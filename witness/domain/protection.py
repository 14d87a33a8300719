"""Court-protection measures for one witness at one hearing (R-60, R-61): lifecycle, eligibility
under the jurisdiction profile, and application deadlines.

recommended -> requested (application filed) -> granted / denied / partially_granted (by the court,
or the police for an escort) -> scheduled (booked for the hearing) -> delivered / failed.
`cancelled` ends a measure whose hearing was cancelled or whose testimony consent was withdrawn (R-22).

A measure the jurisdiction restricts is never dropped silently: `eligibility` says which condition
applies and whether the record shows it met (Indonesia: video testimony only for children and
traumatised witnesses, Guide: Criminal Justice §4).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from witness.domain.hearing import AppearanceMode
from witness.domain.jurisdiction import MeasureApplication, MeasureRule
from witness.domain.measure import MeasureKind
from witness.errors import IllegalTransition


class MeasureStatus(StrEnum):
    recommended = "recommended"
    requested = "requested"
    granted = "granted"
    denied = "denied"
    partially_granted = "partially_granted"
    scheduled = "scheduled"
    delivered = "delivered"
    failed = "failed"
    cancelled = "cancelled"


S = MeasureStatus
# Not yet delivered or refused: what a withdrawal of testimony consent or a cancelled hearing ends.
PENDING = frozenset({S.recommended, S.requested, S.granted, S.partially_granted, S.scheduled})
GRANTED = frozenset({S.granted, S.partially_granted, S.scheduled})  # what the scheduler books
DECISIONS = frozenset({S.granted, S.denied, S.partially_granted})
OUTCOMES = frozenset({S.delivered, S.failed})

_NEXT: dict[MeasureStatus, frozenset[MeasureStatus]] = {
    S.recommended: frozenset({S.requested, S.cancelled}),
    S.requested: frozenset({S.granted, S.denied, S.partially_granted, S.cancelled}),
    # failed straight from granted: the hearing came and the measure was never put in place
    S.granted: frozenset({S.scheduled, S.failed, S.cancelled}),
    S.partially_granted: frozenset({S.scheduled, S.failed, S.cancelled}),
    # back to granted when a moved hearing or a lost booking needs a new plan
    S.scheduled: frozenset({S.delivered, S.failed, S.granted, S.partially_granted, S.cancelled}),
    S.denied: frozenset({S.requested}),  # a new application, e.g. on new grounds
    S.delivered: frozenset(),
    S.failed: frozenset(),
    S.cancelled: frozenset({S.recommended}),  # the victim consents again; the measure starts over
}


def check_transition(current: MeasureStatus, target: MeasureStatus) -> None:
    allowed = _NEXT[current]
    if target not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "nothing (it is final)"
        raise IllegalTransition(f"status: a {current.value} measure cannot become {target.value}; allowed from "
                                f"{current.value}: {names}")


# The Guide's "Considerations for child-witnesses in the criminal justice process" (UNODC 2008),
# as catalogue entries: recommended for every child witness whatever the risk level.
CHILD_WITNESS_MEASURES = (
    MeasureKind.recorded_testimony, MeasureKind.video_link, MeasureKind.screen, MeasureKind.support_person,
    MeasureKind.intermediary, MeasureKind.no_defendant_cross_examination, MeasureKind.closed_hearing,
    MeasureKind.media_exclusion, MeasureKind.robes_removed,
)
CATALOGUE_ORDER = {k: i for i, k in enumerate(MeasureKind)}


def recommended_kinds(assessed: list[str] | None, mode: AppearanceMode, child: bool) -> dict[MeasureKind, str]:
    """What to recommend for one appearance, and where each recommendation comes from.

    - risk: the latest risk assessment's recommended measures (R-41);
    - guide: an escort residence -> court -> residence for a witness who travels (Guide: Criminal
      Justice §3, 'Provide police escorts ... when they are serving as witnesses');
    - child: the Guide's child-witness list;
    - appearance: what the chosen way of appearing needs (a video-link appearance needs the link).
    """
    out: dict[MeasureKind, str] = {}
    for name in assessed or []:
        try:
            out.setdefault(MeasureKind(name), "risk")
        except ValueError:
            continue  # a kind this catalogue does not know is not ours to invent
    if mode in (AppearanceMode.in_person, AppearanceMode.video_link):
        out.setdefault(MeasureKind.escort, "guide")
    if child:
        for k in CHILD_WITNESS_MEASURES:
            out.setdefault(k, "child")
    if mode is AppearanceMode.video_link:
        out.setdefault(MeasureKind.video_link, "appearance")
    if mode is AppearanceMode.recorded:
        out.setdefault(MeasureKind.recorded_testimony, "appearance")
    return dict(sorted(out.items(), key=lambda kv: CATALOGUE_ORDER[kv[0]]))


class Eligibility(StrEnum):
    eligible = "eligible"
    condition_met = "condition_met"  # restricted, and the record shows a condition that applies
    condition_unmet = "condition_unmet"  # restricted, and nothing on record shows a condition applies
    confirm = "confirm"  # restricted by a condition the system cannot check: a person confirms
    unavailable = "unavailable"  # the jurisdiction's courts do not grant it


BOOKABLE_ELIGIBILITY = frozenset({Eligibility.eligible, Eligibility.condition_met, Eligibility.confirm})


@dataclass(frozen=True)
class WitnessConditions:
    """Facts a profile's conditions can refer to. Nothing identifying."""

    child: bool
    traumatised: bool


# Condition texts as the profiles write them -> the fact that meets them.
KNOWN_CONDITIONS = {
    "child witness": lambda w: w.child,
    "traumatised witness": lambda w: w.traumatised,
}


@dataclass(frozen=True)
class EligibilityResult:
    status: Eligibility
    note: str = ""  # plain words for the coordinator and the prosecutor; no personal data


def eligibility(kind: MeasureKind, rule: MeasureRule | None, jurisdiction: str, witness: WitnessConditions) -> EligibilityResult:
    if rule is None or not rule.available:
        note = f"{jurisdiction}'s courts do not grant {kind.value}"
        return EligibilityResult(Eligibility.unavailable, f"{note}: {rule.note}" if rule and rule.note else note)
    if not rule.conditions:
        return EligibilityResult(Eligibility.eligible)
    listed = ", ".join(rule.conditions)
    met = [c for c in rule.conditions if c in KNOWN_CONDITIONS and KNOWN_CONDITIONS[c](witness)]
    if met:
        return EligibilityResult(Eligibility.condition_met, f"{jurisdiction} allows {kind.value} only for: {listed}; "
                                                            f"applies here: {', '.join(met)}")
    unknown = [c for c in rule.conditions if c not in KNOWN_CONDITIONS]
    if unknown:
        return EligibilityResult(Eligibility.confirm, f"{jurisdiction} allows {kind.value} only for: {listed}; "
                                                      f"confirm whether {', '.join(unknown)} applies")
    return EligibilityResult(
        Eligibility.condition_unmet,
        f"{jurisdiction} allows {kind.value} only for: {listed}; nothing on record shows that one applies to this "
        "witness. Record the condition if it applies (e.g. `witness measure condition CASE traumatised_witness`), "
        "or plan another measure")


@dataclass(frozen=True)
class Deadlines:
    request_by: datetime  # the application must be filed by then
    response_days: int  # how long the other parties have to respond once it is filed


def deadlines(hearing_starts_at: datetime, rule: MeasureApplication) -> Deadlines:
    return Deadlines(hearing_starts_at - timedelta(days=rule.request_days_before_hearing), rule.response_days)


@dataclass(frozen=True)
class Filing:
    requested_at: datetime
    response_due_at: datetime
    late: bool  # filed after the profile's deadline: flagged, never hidden
    response_after_hearing: bool  # the other parties' window runs past the hearing

    def note(self) -> str:
        parts = []
        if self.late:
            parts.append("LATE: filed after the application deadline; ask the court to accept it")
        if self.response_after_hearing:
            parts.append("the response window ends after the hearing starts")
        return "; ".join(parts)


def file_request(requested_at: datetime, hearing_starts_at: datetime, request_by: datetime, response_days: int) -> Filing:
    due = requested_at + timedelta(days=response_days)
    return Filing(requested_at, due, requested_at > request_by, due > hearing_starts_at)
