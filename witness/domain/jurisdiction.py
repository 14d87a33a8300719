"""Jurisdiction profiles (R-13): data about each ASEAN state, validated when loaded.

The model is pure; reading the YAML files lives in witness/profiles.py.
"""
from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from witness.domain.legal_texts import LegalTexts
from witness.domain.measure import MeasureKind

ASEAN_CODES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")


def _asean_code(v: str) -> str:
    if v not in ASEAN_CODES:
        raise ValueError(f"must be one of {', '.join(ASEAN_CODES)}")
    return v


def _iana_zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {v!r}") from None
    return v


# Field types shared by every model that names a state or a time zone (profiles, resources, documents).
AseanCode = Annotated[str, Field(max_length=2), AfterValidator(_asean_code)]
TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_iana_zone)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Currency(_Strict):
    code: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    minor_units: int = Field(ge=0, le=3, description="ISO 4217 minor units (IDR 2, VND 0, ...)")


class Languages(_Strict):
    court: str = Field(description="BCP 47 code of the language filings are made in")
    official: list[str] = Field(min_length=1)
    common: list[str] = Field(default_factory=list, description="other languages victims often speak")


class ReflectionRule(_Strict):
    default_days: int = Field(ge=1, le=365)
    max_days: int = Field(ge=1, le=730)
    basis: str = Field(min_length=3, description="where the period comes from (law, referral mechanism, Bali Process)")
    ending_soon_days: int = Field(default=3, ge=0, le=30, description="worklist warning this many days before the end")
    max_basis: Literal["law", "practice"] = Field(
        default="law", description="'practice' where max_days is not law: a coordinator may then extend past it "
                                   "with a recorded reason (e.g. a pregnant victim); 'law' refuses that")

    @model_validator(mode="after")
    def _default_within_max(self) -> "ReflectionRule":
        if self.default_days > self.max_days:
            raise ValueError("default_days is larger than max_days")
        return self


class MeasureRule(_Strict):
    available: bool
    conditions: list[str] = Field(default_factory=list, description="who may get it, e.g. children, traumatised witnesses")
    note: str = ""


class MeasureApplication(_Strict):
    request_days_before_hearing: int = Field(ge=0, le=120)
    response_days: int = Field(ge=0, le=60)


class StateFund(_Strict):
    name: str
    basis: str


class Restitution(_Strict):
    statutory: bool = Field(description="False where the law has no statutory restitution (Singapore)")
    legal_basis: str = Field(description="the Guide's citation (Criminal Justice §6), or why there is none")
    covers: list[str] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list, description="routes to point to where there is no statutory basis")
    state_fund: StateFund | None = None
    post_judgment_deadline_days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _basis_or_alternatives(self) -> "Restitution":
        if not self.statutory and not self.alternatives:
            raise ValueError("a state without statutory restitution must list alternatives")
        return self


class NoticeRules(_Strict):
    urgent_delivery_deadline_minutes: int = Field(default=15, ge=1, le=1440)
    custody_feed_stale_hours: int = Field(default=72, ge=1, le=2160)


class CareRules(_Strict):
    """Cadences for shelter, detention and child cases (Guide: Recovery §2 and §4, Victim
    Identification §2, Criminal Justice §6). Operational defaults to confirm locally."""

    stay_check_days: int = Field(default=14, ge=1, le=90,
                                 description="ask the victim this often whether they still wish to stay")
    detention_limit_hours: int = Field(default=48, ge=1, le=720,
                                       description="a victim held in detention beyond this escalates ('shortest period possible')")
    child_detention_limit_hours: int = Field(default=24, ge=1, le=720,
                                             description="the same for a (presumed) child, who should not be detained at all")
    child_stall_days: int = Field(default=60, ge=7, le=365,
                                  description="a child's case with no stage change or hearing for this long is followed up")

    @model_validator(mode="after")
    def _child_not_longer(self) -> "CareRules":
        if self.child_detention_limit_hours > self.detention_limit_hours:
            raise ValueError("child_detention_limit_hours is longer than detention_limit_hours")
        return self


class JurisdictionProfile(_Strict):
    code: AseanCode
    name: str
    time_zone: TimeZoneName
    currency: Currency
    languages: Languages
    reflection: ReflectionRule
    measures: dict[MeasureKind, MeasureRule]
    measure_application: MeasureApplication
    restitution: Restitution
    legal_texts: dict[str, LegalTexts] = Field(
        default_factory=dict, description="by language code: the laws and courts as documents in that language name them")
    notices: NoticeRules = Field(default_factory=NoticeRules)
    care: CareRules = Field(default_factory=CareRules)
    guardrails: dict[str, Literal["warn", "escalate", "block"]] = Field(
        default_factory=dict, description="rule id -> stricter severity in this jurisdiction (never looser)")
    sources: list[str] = Field(default_factory=list)

    @field_validator("guardrails")
    @classmethod
    def _known_rules(cls, v: dict) -> dict:
        from witness.domain.guardrails import RULES_BY_ID

        unknown = sorted(set(v) - set(RULES_BY_ID))
        if unknown:
            raise ValueError(f"unknown guardrail rule(s): {', '.join(unknown)}")
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def reflection_days(self, requested: int | None) -> int:
        return self.reflection.default_days if requested is None else requested
