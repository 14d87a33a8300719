"""The intake form: what a coordinator writes in a YAML or JSON file to open a case.

`witness schema intake` publishes this model's JSON schema. Validation collects every problem at once
so the coordinator can fix the file in one go.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from witness.domain.consent import Method, scope_error
from witness.domain.proceeding import Custody, Relationship
from witness.domain.support import ServiceKind

Channel = Literal["sms", "email", "call", "visit", "letter"]
Gender = Literal["female", "male", "non_binary", "unknown"]


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(_Form):
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{6,20}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class VictimIn(_Form):
    legal_name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list)
    date_of_birth: date | None = None
    age_estimate: int | None = Field(default=None, ge=0, le=120)
    age_determined: bool = Field(default=False, description="true only once age has been formally determined")
    gender: Gender = "unknown"
    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2")
    preferred_language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
    escort_gender_preference: Gender | None = None
    contact: ContactIn = ContactIn()
    address: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=5000)
    safe_channels: list[Channel] = Field(default_factory=list, description="channels the victim marked safe")


class GuardianIn(_Form):
    name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=60)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{6,20}$")
    language: str | None = None


class AccusedIn(_Form):
    label: str = Field(min_length=1, max_length=80, description="a pseudonymised label, never the accused's name")
    custody: Custody
    relationship: Relationship


class ProceedingIn(_Form):
    court: str = Field(min_length=1, max_length=200)
    docket: str = Field(min_length=1, max_length=80)
    prosecutor: str | None = None
    accused: list[AccusedIn] = Field(default_factory=list)


class ConsentIn(_Form):
    scope: str
    method: Method
    language: str
    interpreter: str | None = None
    guardian_agreed: bool = False
    given_at: datetime | None = None

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: str) -> str:
        problem = scope_error(v)
        if problem:
            raise ValueError(problem)
        return v


class IntakeForm(_Form):
    jurisdiction: str = Field(description="ASEAN state code: BN KH ID LA MY MM PH SG TH VN")
    coordinator: str = Field(min_length=1)
    opened_at: datetime | None = Field(default=None, description="defaults to now")
    reflection_days: int | None = Field(default=None, ge=1)
    victim: VictimIn
    guardian: GuardianIn | None = None
    proceedings: list[ProceedingIn] = Field(default_factory=list)
    consents: list[ConsentIn] = Field(default_factory=list)
    services: list[ServiceKind] = Field(default_factory=list)

    @field_validator("jurisdiction")
    @classmethod
    def _known(cls, v: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("jurisdictions")
        if known is not None and v not in known:
            raise ValueError(f"unknown jurisdiction; use one of {', '.join(sorted(known))}")
        return v

    @field_validator("opened_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-11-01T09:00:00+07:00")
        return v
