"""Protection resources (R-62) and the file they are loaded from (`witness resources load FILE`).

Escort officers (gender, unit, trained for trafficking cases), video-link suites, screens, waiting
rooms and secure accommodation, each with working hours and leave. Officers are listed by a call
sign or staff number, never by name: the plan and the escort feeds show these ids.
"""
from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from witness.domain.fields import CourtName, ResourceId, label
from witness.domain.jurisdiction import AseanCode
from witness.domain.measure import MeasureKind


class ResourceKind(StrEnum):
    escort_officer = "escort_officer"
    video_suite = "video_suite"
    screen = "screen"
    waiting_room = "waiting_room"
    secure_accommodation = "secure_accommodation"


# Granted measures that need something booked; every other measure is arranged by the court
# (closed hearing, pseudonym, ...) or by the coordinator (support person, intermediary).
MEASURE_RESOURCE: dict[MeasureKind, ResourceKind] = {
    MeasureKind.escort: ResourceKind.escort_officer,
    MeasureKind.video_link: ResourceKind.video_suite,
    MeasureKind.screen: ResourceKind.screen,
    MeasureKind.separate_waiting_room: ResourceKind.waiting_room,
    MeasureKind.secure_accommodation: ResourceKind.secure_accommodation,
}

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Hours(_Strict):
    """Working hours in the resource's own jurisdiction time zone."""

    days: list[Day] = Field(min_length=1, max_length=7)
    from_: time = Field(alias="from")
    to: time

    @model_validator(mode="after")
    def _order(self) -> "Hours":
        if self.to <= self.from_:
            raise ValueError("`to` must be after `from` (split a night shift into two entries)")
        return self


class Leave(_Strict):
    """Whole days, inclusive, in the resource's jurisdiction time zone."""

    from_: date = Field(alias="from")
    to: date
    reason: Literal["leave", "training", "sick", "maintenance", "other"] = "leave"

    @model_validator(mode="after")
    def _order(self) -> "Leave":
        if self.to < self.from_:
            raise ValueError("`to` is before `from`")
        return self


Unit = label(120, min_length=0)


class ResourceIn(_Strict):
    id: ResourceId = Field(description="call sign or number, never a name")
    kind: ResourceKind
    jurisdiction: AseanCode
    unit: Unit = ""
    gender: Literal["female", "male", "non_binary"] | None = None
    trained: bool = Field(default=False, description="escort officers: trained for trafficking cases")
    sites: list[CourtName] = Field(default_factory=list, max_length=50,
                                   description="courts or buildings served; empty = any in the jurisdiction")
    capacity: int = Field(default=1, ge=1, le=50, description="witnesses at once (a suite or room is used by one)")
    hours: list[Hours] = Field(default_factory=list, max_length=21, description="empty = always available")
    leave: list[Leave] = Field(default_factory=list, max_length=400)

    @model_validator(mode="after")
    def _officer_fields(self) -> "ResourceIn":
        if self.kind is ResourceKind.escort_officer and self.gender is None:
            raise ValueError("an escort officer needs a gender: victims may ask for a female or male escort")
        return self


class EscortPolicy(_Strict):
    team_size: int = Field(default=2, ge=1, le=6)
    same_gender_team: bool = Field(default=True, description="a victim's gender preference covers every officer "
                                                             "of the team (false: at least one)")
    arrival_minutes: int = Field(default=30, ge=0, le=240, description="at court this long before the hearing")
    travel_minutes: int = Field(default=60, ge=0, le=720, description="when an appearance gives none")


class SchedulingPolicy(_Strict):
    escort: EscortPolicy = EscortPolicy()
    setup_minutes: int = Field(default=30, ge=0, le=240, description="suites and screens ready this long before")
    accommodation_hours_before: int = Field(default=15, ge=0, le=72, description="secure accommodation from the evening before")
    accommodation_hours_after: int = Field(default=2, ge=0, le=48)


class ResourceFile(_Strict):
    policy: SchedulingPolicy = SchedulingPolicy()
    resources: list[ResourceIn] = Field(default_factory=list, max_length=20_000)

    @model_validator(mode="after")
    def _unique(self) -> "ResourceFile":
        seen: set[str] = set()
        for r in self.resources:
            if r.id in seen:
                raise ValueError(f"resource id {r.id!r} is listed twice")
            seen.add(r.id)
        return self
