"""The event file (`witness event FILE`): custody changes and case events such as hearing outcomes,
as a police or court feed or a coordinator writes them. `witness schema event` publishes the schema.

Every event carries the source's own id: the same event read twice is acted on once (R-56), and an
event marked `historical` (an import, a replay) is recorded without notifying anyone. A file is
applied whole or not at all (witness.services.event_files.record_events).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from witness.domain.fields import AccusedLabel, Docket, Instant, label
from witness.domain.proceeding import Custody
from witness.domain.stage import Stage

CaseEventKind = Literal["stage_changed", "hearing_set", "hearing_moved", "hearing_cancelled", "reflection_ending",
                        "measure_decided", "judgment", "restitution_awarded", "restitution_paid", "risk_review_due"]


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# The source's own id and name: one visible line, as long as the columns that keep them (an ESC in an
# event id would rewrite the terminal line that reports it).
EventId = label(120)
SourceName = label(60)
AccusedId = label(36)
# A victim's pseudonym as the system prints it (W-7K3Q9X).
CaseRef = Annotated[str, Field(max_length=12, pattern=r"^W-[0-9A-Z]{4,10}$")]


class CustodyEventIn(_Form):
    type: Literal["custody"]
    event_id: EventId = Field(description="the source's id for this event")
    docket: Docket | None = Field(default=None, description="with `accused`: which accused")
    accused: AccusedLabel | None = Field(default=None, description="the accused's pseudonymised label")
    accused_id: AccusedId | None = None
    custody: Custody
    occurred_at: Instant
    source: SourceName = "file"
    historical: bool = Field(default=False, description="an import or replay: recorded, notifies no one")

    @model_validator(mode="after")
    def _which_accused(self) -> "CustodyEventIn":
        if not self.accused_id and not (self.docket and self.accused):
            raise ValueError("name the accused: accused_id, or docket and accused (the label)")
        return self


class CaseEventIn(_Form):
    type: Literal["case"]
    event_id: EventId
    kind: CaseEventKind
    # 500 named victims is more than any proceeding has: a longer list is a feed's mistake (a whole
    # proceeding is named by `docket`).
    cases: list[CaseRef] = Field(default_factory=list, max_length=500, description="pseudonyms of the victims concerned")
    docket: Docket | None = Field(default=None, description="or every victim in this proceeding")
    at: Instant | None = Field(default=None, description="hearing_*: when the hearing is (or was) to be")
    to_stage: Stage | None = Field(default=None, description="stage_changed: the new stage")
    occurred_at: Instant
    source: SourceName = "file"
    historical: bool = False

    @model_validator(mode="after")
    def _complete(self) -> "CaseEventIn":
        if not self.cases and not self.docket:
            raise ValueError("say whom it concerns: cases, or docket")
        if self.kind.startswith("hearing_") and self.at is None:
            raise ValueError(f"{self.kind} needs `at`, the hearing's date and time")
        if self.kind == "stage_changed" and not self.to_stage:
            raise ValueError("stage_changed needs `to_stage`")
        return self


Event = Annotated[Union[CustodyEventIn, CaseEventIn], Field(discriminator="type")]


class EventFile(_Form):
    """One event (a mapping with `type`), or several under `events`."""

    events: list[Event] = Field(min_length=1)


_TAGS = ("custody", "case")
_ONE = TypeAdapter(Event)


def parse_event_file(data: Any) -> tuple[list[CustodyEventIn | CaseEventIn | None], list[tuple[int, str, str]]]:
    """The events of a file (one event, or several under `events`), each checked on its own so
    that every bad event is reported, not only the first: (events, with None where one is bad;
    problems as (event index, `events.N.field`, message)). A problem with the file itself has
    index -1. Messages never carry the offending value, which may be personal."""
    if isinstance(data, dict) and "events" not in data:
        data = {"events": [data]}
    if not isinstance(data, dict):
        return [], [(-1, "(top level)", "expected a mapping of fields")]
    problems = [(-1, str(k), "Extra inputs are not permitted") for k in data if k != "events"]
    raw = data["events"]
    if not isinstance(raw, list) or not raw:
        return [], problems + [(-1, "events", "give a list of at least one event")]
    events: list[CustodyEventIn | CaseEventIn | None] = []
    for n, one in enumerate(raw):
        try:
            events.append(_ONE.validate_python(one))
        except ValidationError as exc:
            events.append(None)
            for e in exc.errors():
                loc = list(e["loc"])
                # pydantic puts the union's tag first (custody.occurred_at); the writer of the
                # file wrote no such level, so it is dropped.
                if loc and loc[0] in _TAGS:
                    del loc[0]
                problems.append((n, ".".join(["events", str(n), *map(str, loc)]), e["msg"].removeprefix("Value error, ")))
    return events, problems
