"""The intake form: what a coordinator writes in a YAML or JSON file to open a case.

`witness schema intake` publishes this model's JSON schema. Validation collects every problem at once
so the coordinator can fix the file in one go.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from witness.domain.care import ExploitationType, Pregnancy
from witness.domain.consent import Method, scope_error
from witness.domain.fields import (AccusedLabel, CalendarDate, CourtName, Docket, Email, Instant, LanguageTag,
                                   PersonName, UserId, WholeNumber, few, label, text)
from witness.domain.phone import e164
from witness.domain.proceeding import Custody, Relationship
from witness.domain.support import ServiceKind

Channel = Literal["sms", "email", "call", "visit", "letter"]
Gender = Literal["female", "male", "non_binary", "unknown"]
Phone = Field(default=None, max_length=21, pattern=r"^\+?[0-9 ()-]{6,20}$")
Address = text(500)
Notes = text(5000)
Kinship = label(60)  # mother, aunt, legal guardian appointed by the court


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _e164(v: str | None, info: ValidationInfo) -> str | None:
    # The case's state, put in the validation context by IntakeForm before its fields are read.
    return None if v is None else e164(v, (info.context or {}).get("region"))


class ContactIn(_Form):
    phone: str | None = Phone
    email: Email | None = None

    _phone = field_validator("phone")(_e164)


class VictimIn(_Form):
    legal_name: PersonName
    aliases: list[PersonName] = few(20)
    date_of_birth: CalendarDate | None = None
    age_estimate: WholeNumber | None = Field(default=None, ge=0, le=120)
    age_determined: bool = Field(default=False, description="true only once age has been formally determined")
    gender: Gender = "unknown"
    nationality: str | None = Field(default=None, max_length=2, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2")
    preferred_language: LanguageTag
    escort_gender_preference: Gender | None = None
    contact: ContactIn = ContactIn()
    address: Address | None = None
    notes: Notes | None = None
    safe_channels: list[Channel] = Field(default_factory=list, max_length=5, description="channels the victim marked safe")


class GuardianIn(_Form):
    name: PersonName
    relationship: Kinship
    phone: str | None = Phone
    language: LanguageTag | None = None
    accused_link: AccusedLabel | None = Field(
        default=None, description="label of an accused the guardian is linked to (parental complicity): escalated")

    _phone = field_validator("phone")(_e164)


class CircumstancesIn(_Form):
    """What the Guide asks to know about the victim's situation (Victim Identification §1;
    Recovery §2; Criminal Justice §2). Health facts are stored encrypted."""

    exploitation: list[ExploitationType] = Field(default_factory=list, max_length=len(ExploitationType),
                                                 description="forms of exploitation (the Guide's list)")
    pregnancy: Pregnancy | None = Field(default=None, description="pregnant, nursing or no: asks for separate facilities")
    accompanying_children: WholeNumber = Field(default=0, ge=0, le=20, description="children with the victim")
    media_breach: bool = Field(default=False, description="the victim's identity or story already reached the media: "
                                                          "urgent worklist item and a risk reassessment")


class AccusedIn(_Form):
    label: AccusedLabel = Field(description="a pseudonymised label, never the accused's name")
    custody: Custody
    relationship: Relationship


class ProceedingIn(_Form):
    court: CourtName
    docket: Docket
    prosecutor: UserId | None = None
    accused: list[AccusedIn] = few(50)


class ConsentIn(_Form):
    scope: str = Field(max_length=80)
    method: Method
    language: LanguageTag
    interpreter: UserId | None = None
    guardian_agreed: bool = False
    given_at: Instant | None = None
    # Testimony, name disclosure, a medical examination and return need the information sheet
    # explained first (DNH-31); at intake the explanation is recorded with the consent, in its
    # language and through its interpreter, at the time given.
    explained: bool = Field(default=False, description="the information sheet was explained before this consent")

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: str) -> str:
        problem = scope_error(v)
        if problem:
            raise ValueError(problem)
        return v


class IntakeForm(_Form):
    jurisdiction: str = Field(max_length=2, description="ASEAN state code: BN KH ID LA MY MM PH SG TH VN")
    coordinator: UserId
    opened_at: Instant | None = Field(default=None, description="defaults to now")
    reflection_days: WholeNumber | None = Field(default=None, ge=1, le=3650)
    victim: VictimIn
    guardian: GuardianIn | None = None
    proceedings: list[ProceedingIn] = few(20)
    consents: list[ConsentIn] = few(30)
    services: list[ServiceKind] = few(20)
    circumstances: CircumstancesIn = CircumstancesIn()

    @model_validator(mode="before")
    @classmethod
    def _region(cls, data, info: ValidationInfo):
        # Phone numbers are read in the case's state (`081 234 5678` in TH is +66 81 234 5678).
        if isinstance(data, dict) and isinstance(info.context, dict) and isinstance(data.get("jurisdiction"), str):
            info.context["region"] = data["jurisdiction"]
        return data

    @field_validator("jurisdiction")
    @classmethod
    def _known(cls, v: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("jurisdictions")
        if known is not None and v not in known:
            raise ValueError(f"unknown jurisdiction; use one of {', '.join(sorted(known))}")
        return v
