"""A return plan (Guide: Return and Reintegration §1, §2). The return is voluntary and needs the
victim's written `return` consent (DNH-13); no personal data goes to the country of origin without
explicit permission (DNH-32); the stay before departure never depends on testifying (DNH-33); a
foreign victim with a restitution claim pending is told they may stay until it is resolved (DNH-11,
a warning a coordinator may override with a reason); and the plan records how the victim's lawyer
reaches them after return, so the claim is not lost at the border.
"""
from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

_RECIPIENT = re.compile(r"^[a-z0-9_.-]{2,60}$")  # the same shape as a data_sharing:<recipient> scope


class ReturnPlanIn(BaseModel):
    """What the coordinator plans with the victim; free text is encrypted at rest."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    destination: str = Field(description="country of return, ISO 3166 alpha-2 (e.g. MM)")
    travel_on: date
    helpline: str = Field(min_length=3, max_length=80,
                          description="the number the victim can call during the journey (Return §2)")
    receiving_contact: str | None = Field(None, max_length=200,
                                          description="embassy or agency that receives the victim on arrival")
    accompanied_by: str | None = Field(None, max_length=120, description="social worker or support person travelling")
    restitution_contact: str | None = Field(None, max_length=200,
                                            description="how the victim's lawyer reaches them after return")
    family_assessed: bool = Field(False, description="the home family and community were assessed with the victim")
    data_to_origin: str | None = Field(None, description="recipient id in the country of origin that receives data")
    stay_tied_to_testimony: bool = Field(False, description="the stay until departure was made to depend on testifying")

    @field_validator("destination")
    @classmethod
    def _country(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("an ISO 3166 alpha-2 country code in capitals, e.g. MM")
        return v

    @field_validator("data_to_origin")
    @classmethod
    def _recipient(cls, v: str | None) -> str | None:
        if v is not None and not _RECIPIENT.fullmatch(v):
            raise ValueError("a recipient id: 2-60 characters a-z, 0-9, '.', '_', '-'")
        return v


def plan_problems(plan: ReturnPlanIn, today: date, pending_claim: bool) -> list[tuple[str, str]]:
    problems = []
    if plan.travel_on < today:
        problems.append(("travel_on", f"{plan.travel_on.isoformat()} is in the past"))
    if pending_claim and not plan.restitution_contact:
        problems.append(("restitution_contact", "the victim has a restitution claim pending: record how their lawyer "
                                                "reaches them after return"))
    return problems
