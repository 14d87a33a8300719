"""Hearings (R-11, R-61): per proceeding, scheduled, moved (adjourned to a new date), cancelled or
held; and which victims appear at each, and how (Guide: Criminal Justice §2-§4).

Pure: no I/O. The service layer (witness/services/hearings.py) stores and plans them.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from witness.domain.access import require as shared_require
from witness.domain.fields import LanguageTag, ResourceId, UserId, WholeNumber, text
from witness.domain.victim import PSEUDONYM_ALPHABET
from witness.errors import IllegalTransition


class HearingStatus(StrEnum):
    scheduled = "scheduled"
    moved = "moved"  # adjourned to a new date: still to come
    cancelled = "cancelled"
    held = "held"


ACTIVE = frozenset({HearingStatus.scheduled, HearingStatus.moved})
_NEXT: dict[HearingStatus, frozenset[HearingStatus]] = {
    HearingStatus.scheduled: frozenset({HearingStatus.moved, HearingStatus.cancelled, HearingStatus.held}),
    HearingStatus.moved: frozenset({HearingStatus.moved, HearingStatus.cancelled, HearingStatus.held}),
    HearingStatus.cancelled: frozenset(),
    HearingStatus.held: frozenset(),
}


def check_transition(current: HearingStatus, target: HearingStatus) -> None:
    allowed = _NEXT[current]
    if target not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "nothing (it is final)"
        raise IllegalTransition(f"status: a {current.value} hearing cannot become {target.value}; allowed: {names}")


class AppearanceMode(StrEnum):
    in_person = "in_person"
    video_link = "video_link"  # from another room or building (Guide: Criminal Justice §3)
    recorded = "recorded"  # a recorded statement is played; the witness does not attend


# The witness travels (to the courtroom or to a video-link suite): an escort is needed both ways.
TRAVELS = frozenset({AppearanceMode.in_person, AppearanceMode.video_link})


class AppearanceStatus(StrEnum):
    planned = "planned"
    withdrawn = "withdrawn"  # the victim withdrew consent to testify: nothing is kept booked
    appeared = "appeared"
    absent = "absent"


PickupAddress = text(500)


class AppearanceIn(BaseModel):
    """One witness at one hearing, as a coordinator or prosecutor enters it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    case: str = Field(max_length=12, pattern=r"^W-[0-9A-Z]{4,10}$", description="the victim's pseudonym")
    mode: AppearanceMode = AppearanceMode.in_person
    travel_minutes: WholeNumber | None = Field(default=None, ge=0, le=720, description="one way, pick-up to court")
    interpreter: UserId | None = Field(default=None, description="interpreter id, never a name")
    language: LanguageTag | None = None
    pickup_address: PickupAddress | None = Field(default=None, description="stored encrypted; never in a feed")
    escorts: list[ResourceId] = Field(default_factory=list, max_length=6, description="officers the victim asked for")
    defendant_cross_examines: bool = Field(default=False, description="the defendant questions the witness in person")


MAX_HOURS = 12
HEARING_KINDS = ("trial", "pre_trial", "witness_examination", "cross_examination", "sentencing", "appeal", "other")


def time_problems(starts_at: datetime, ends_at: datetime, now: datetime) -> list[tuple[str, str]]:
    problems = []
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return [("at", "needs a UTC offset, e.g. 2026-12-14T09:00:00+07:00")]
    if ends_at <= starts_at:
        problems.append(("hours", "the hearing must end after it starts"))
    elif ends_at - starts_at > timedelta(hours=MAX_HOURS):
        problems.append(("hours", f"a hearing day is at most {MAX_HOURS} hours; record each day as its own hearing"))
    if starts_at <= now:
        problems.append(("at", "the hearing must be in the future"))
    return problems


def new_hearing_id(rng: secrets.SystemRandom | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return "H-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(8))


def new_pickup_ref(rng: secrets.SystemRandom | None = None) -> str:
    """What the escort feed carries instead of an address: the team leader asks the coordinator,
    by phone, where a reference such as P-7K3Q9X is. A random token links to nothing outside the database."""
    rng = rng or secrets.SystemRandom()
    return "P-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(6))


# Permissions for hearings, measures, resources and calendars live with the rest of the policy
# in witness.domain.access.PERMISSIONS; this area's services import `require` from here.
require = shared_require

