"""What each document template may see: validated plain data, never database rows (R-80).

The same models validate `templates/documents/<kind>/sample.yaml` and the data the documents
service assembles from a real case, so a sample cannot drift from what production renders.
Identity appears only as `Subject.legal_name`, which the service fills only when the guardrail
allowed it (R-81); everything else names the victim by pseudonym.

Every text field has the shared limits and refusals (witness.domain.fields): what a PDF prints is
what a terminal would, so a control character, a bidi override or ten megabytes in a `--data` file
are refused by name before WeasyPrint sees them. `Supplement` is what a `--data` file may add.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, \
    field_validator, model_validator

from witness.domain.claim import ClaimId, EvidenceRef, PaymentReference
from witness.domain.fields import (AccusedLabel, CalendarDate, CourtName, Docket, Instant, PersonName, UserId, label,
                                   text)
from witness.domain.jurisdiction import AseanCode, TimeZoneName
from witness.domain.measure import MeasureKind
from witness.domain.proceeding import Custody, Relationship
from witness.domain.risk import CASE_FACTORS, CONTEXT_QUESTIONS
from witness.domain.stage import Stage
from witness.domain.support import ServiceKind
from witness.errors import InputProblems

# Risk factors as the documents name them: "<group>.<key>" (the risk area writes "context: x",
# "accused custody: x", "relationship to accused: x" or a bare case factor; see services/documents.py).
FACTOR_KEYS = frozenset(
    [f"context.{q}" for q in CONTEXT_QUESTIONS] + [f"custody.{c.value}" for c in Custody]
    + [f"relationship.{r.value}" for r in Relationship] + [f"case.{f}" for f in CASE_FACTORS])

# R-90's categories of a restitution / compensation claim; intangible harm is first-class.
CLAIM_CATEGORIES = ("unpaid_wages", "medical_costs", "psychological_treatment", "lost_earnings",
                    "emotional_suffering", "transport_relocation", "lost_property", "other")
ClaimCategory = Literal["unpaid_wages", "medical_costs", "psychological_treatment", "lost_earnings",
                        "emotional_suffering", "transport_relocation", "lost_property", "other"]
Recipient = Literal["court", "police", "victim", "guardian", "coordinator", "prosecutor", "legal_aid"]
Lang = Annotated[str, Field(max_length=3, pattern=r"^[a-z]{2,3}$")]
Text = Annotated[text(2000), StringConstraints(min_length=1)]  # a legal basis, a late filing's reason
Short = label(200)  # a jurisdiction's name, a state fund's name
Description = Annotated[text(5000), StringConstraints(min_length=1)]  # an item's note (witness.domain.claim.Note)
# A hearing's id in this system (H-7K3Q9XAB) or the court's own, for the document only.
HearingRef = Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")]
VideoReason = Literal["child", "traumatised", "risk_of_reprisal", "fear_of_accused"]

# Digits 0-9 and one '.': Decimal() would also read "1e999999", "NaN" and "1_000", and a float has
# already lost the exact amount. An item has at most 15 whole digits (witness.domain.money);
# a total of 100 such items needs 17, and 18 still fits the store's 64-bit integer of minor units.
_AMOUNT = re.compile(r"[0-9]{1,18}(\.[0-9]{1,3})?", re.ASCII)


def _amount_text(v: Any) -> Any:
    if isinstance(v, Decimal) and v.is_finite() or (isinstance(v, int) and not isinstance(v, bool)):
        v = format(Decimal(v), "f")
    if not isinstance(v, str) or not _AMOUNT.fullmatch(v.strip()):
        raise ValueError("write the amount as text: at most 18 digits 0-9 with '.' as the decimal point, "
                         "e.g. '151200.00'")
    return Decimal(v.strip())


Amount = Annotated[Decimal, BeforeValidator(_amount_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Court(_Strict):
    name: CourtName
    docket: Docket


class Subject(_Strict):
    """The victim-witness as the document names them."""

    pseudonym: Annotated[str, Field(max_length=12, pattern=r"^W-[0-9A-Z]{4,10}$")]
    legal_name: PersonName | None = None  # only when name_disclosure consent covers document and recipient
    child: bool = False


class Issuer(_Strict):
    """Who sends the document. It is signed with `name` and `office` (the account's, see
    services/signatures.py); `user` is the login, kept for the register and never printed."""

    user: UserId
    role: Literal["coordinator", "prosecutor", "legal_aid"]
    name: PersonName | None = None
    office: label(200) | None = None


class Hearing(_Strict):
    id: HearingRef | None = None
    at: Instant


class Accused(_Strict):
    label: AccusedLabel
    custody: Custody


class Factor(_Strict):
    """A fact that raised the risk, as the court reads it: never its weight in the scoring (issue 14)."""

    key: str

    @field_validator("key")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in FACTOR_KEYS:
            raise ValueError("unknown risk factor; the documents have no translation for it")
        return v


Fear = Literal["none", "some", "afraid", "very"]


def fear_in_words(scale: int) -> str:
    """The victim's own fear (0-10, R-40) as the application says it: in words, never as a number the
    defence can argue with. 0 says nothing; 1-3 worried; 4-6 afraid; 7-10 very afraid."""
    return "none" if scale <= 0 else "some" if scale <= 3 else "afraid" if scale <= 6 else "very"


class Grounds(_Strict):
    """The latest risk assessment (R-41) as the court reads it: the date, the level, the facts that
    raised it and the victim's own fear in words. The scoring internals (weights, score, the 0-10
    scale) stay in the risk area; a filing states facts (issue 14, item 4)."""

    assessed_at: Instant
    level: Literal["low", "moderate", "high", "severe"]
    factors: list[Factor] = Field(max_length=len(FACTOR_KEYS))
    fear: Fear = "none"
    recommended: list[MeasureKind] = Field(default_factory=list)


class Filing(_Strict):
    """Whether the request meets the profile's deadline (R-61: late is flagged, never hidden)."""

    deadline: CalendarDate
    days_before: int = Field(ge=0, le=120, description="the profile's request_days_before_hearing")
    days_late: int = Field(ge=0, le=100_000)
    late_reason: Text | None = None

    @model_validator(mode="after")
    def _reason_when_late(self) -> "Filing":
        if self.days_late and not self.late_reason:
            raise ValueError("late_reason: the request is late; the court must be told why")
        return self


class _Document(_Strict):
    lang: Lang
    jurisdiction: AseanCode
    jurisdiction_name: Short
    time_zone: TimeZoneName
    issued_at: Instant
    recipient: Recipient
    subject: Subject
    issuer: Issuer


def _unique(measures: list[MeasureKind]) -> list[MeasureKind]:
    if len(set(measures)) != len(measures):
        raise ValueError("a measure is listed twice")
    return measures


class ProtectiveMeasuresApplication(_Document):
    kind: Literal["protective_measures"] = "protective_measures"
    court: Court
    witness_protection: list[Text] = Field(default_factory=list, max_length=10)  # national laws, in the document's language
    hearing: Hearing
    accused: list[Accused] = Field(default_factory=list, max_length=50)
    measures: list[MeasureKind] = Field(min_length=1)
    grounds: Grounds
    filing: Filing

    _measures = field_validator("measures")(_unique)


class VideoLinkRequest(_Document):
    kind: Literal["video_link"] = "video_link"
    court: Court
    witness_protection: list[Text] = Field(default_factory=list, max_length=10)  # national laws, in the document's language
    hearing: Hearing
    location: Literal["other_room", "other_building"] = "other_room"
    reasons: list[VideoReason] = Field(min_length=1, max_length=4)
    measures: list[MeasureKind] = Field(min_length=1)
    grounds: Grounds | None = None

    _measures = field_validator("measures")(_unique)

    @model_validator(mode="after")
    def _video_link_requested(self) -> "VideoLinkRequest":
        if MeasureKind.video_link not in self.measures:
            raise ValueError("measures: a video-link request must request video_link")
        return self


ANONYMITY_MEASURES = frozenset({MeasureKind.closed_hearing, MeasureKind.pseudonym, MeasureKind.media_exclusion,
                                MeasureKind.voice_image_distortion, MeasureKind.screen, MeasureKind.one_way_mirror})


class ClosedHearingRequest(_Document):
    kind: Literal["closed_hearing"] = "closed_hearing"
    court: Court
    witness_protection: list[Text] = Field(default_factory=list, max_length=10)  # national laws, in the document's language
    hearing: Hearing
    measures: list[MeasureKind] = Field(min_length=1)
    grounds: Grounds | None = None

    _measures = field_validator("measures")(_unique)

    @model_validator(mode="after")
    def _anonymity_only(self) -> "ClosedHearingRequest":
        other = [m.value for m in self.measures if m not in ANONYMITY_MEASURES]
        if other:
            raise ValueError(f"measures: not closed-hearing or anonymity measures: {', '.join(other)}")
        if not {MeasureKind.closed_hearing, MeasureKind.pseudonym} & set(self.measures):
            raise ValueError("measures: request closed_hearing or pseudonym")
        return self


class EscortRequest(_Document):
    """To the police. Carries a pickup reference, never an address (R-63)."""

    kind: Literal["escort_request"] = "escort_request"
    court: Court
    hearing: Hearing
    pickup_reference: Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9-]{3,40}$")]
    pickup_at: Instant
    escort_gender: Literal["female", "male", "any"]
    measures: list[MeasureKind] = Field(min_length=1)
    coordinator: UserId

    _measures = field_validator("measures")(_unique)

    @model_validator(mode="after")
    def _escort(self) -> "EscortRequest":
        if MeasureKind.escort not in self.measures:
            raise ValueError("measures: an escort request must request escort")
        if self.pickup_at >= self.hearing.at:
            raise ValueError("pickup_at: must be before the hearing")
        if self.subject.legal_name is not None:
            raise ValueError("subject.legal_name: the police escort request never names the victim")
        return self


class Money(_Strict):
    amount: Amount
    currency: Annotated[str, Field(max_length=3, pattern=r"^[A-Z]{3}$")]
    minor_units: int = Field(ge=0, le=3)

    @model_validator(mode="after")
    def _minor_units(self) -> "Money":
        if not self.amount.is_finite() or self.amount < 0:
            raise ValueError("amount: must be a non-negative number")
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-self.minor_units)):
            raise ValueError(f"amount: {self.currency} has {self.minor_units} minor units")
        return self


class ClaimItem(_Strict):
    category: ClaimCategory
    description: Description | None = None
    amount: Money
    evidence: EvidenceRef | None = None


class StateFund(_Strict):
    name: Short
    basis: Text


class RestitutionClaim(_Document):
    kind: Literal["restitution_claim"] = "restitution_claim"
    court: Court
    claim_id: ClaimId | None = None
    accused: list[Accused] = Field(default_factory=list, max_length=50)
    items: list[ClaimItem] = Field(min_length=1, max_length=100)
    total: Money
    statutory: bool
    legal_basis: Text
    alternatives: list[Text] = Field(default_factory=list, max_length=20)
    state_fund: StateFund | None = None

    @model_validator(mode="after")
    def _itemised_total(self) -> "RestitutionClaim":
        if any(i.amount.currency != self.total.currency for i in self.items):
            raise ValueError("items: every item must be in the claim's currency")
        if sum((i.amount.amount for i in self.items), Decimal(0)) != self.total.amount:
            raise ValueError("total: is not the sum of the items")
        if not self.statutory and not self.alternatives:
            raise ValueError("alternatives: without a statutory basis the claim must name the alternatives")
        return self


class LetterHearing(_Strict):
    at: Instant
    court: CourtName


class VictimLetter(_Document):
    """To the victim (or guardian) in their language: never the legal name, never an address (R-55)."""

    kind: Literal["victim_letter"] = "victim_letter"
    stage: Stage
    reflection_ends_at: Instant | None = None
    next_hearing: LetterHearing | None = None
    measures_requested: list[MeasureKind] = Field(default_factory=list, max_length=len(MeasureKind))
    services: list[ServiceKind] = Field(default_factory=list, max_length=len(ServiceKind))
    coordinator: UserId

    @model_validator(mode="after")
    def _no_name(self) -> "VictimLetter":
        if self.subject.legal_name is not None:
            raise ValueError("subject.legal_name: a letter may be read over the victim's shoulder; use no name")
        return self


class Restitution(_Strict):
    statutory: bool
    legal_basis: Text
    state_fund: Short | None = None


class InformationSheet(_Document):
    """The rights-and-process sheet (Guide: Criminal Justice §1): process, rights, options, services, time."""

    kind: Literal["information_sheet"] = "information_sheet"
    reflection_days: int = Field(ge=1, le=730)
    reflection_ends_at: Instant | None = None
    court: Court | None = None
    services: list[ServiceKind] = Field(default_factory=list, max_length=len(ServiceKind))
    restitution: Restitution
    coordinator: UserId

    @model_validator(mode="after")
    def _no_name(self) -> "InformationSheet":
        if self.subject.legal_name is not None:
            raise ValueError("subject.legal_name: the information sheet never names the victim")
        return self


class ConsentEntry(_Strict):
    scope: Annotated[str, Field(max_length=80, pattern=r"^(interview|testimony|medical_exam|shelter_stay|return|name_disclosure"
                                        r"|data_sharing:[a-z0-9_.-]{2,60}|notification:(sms|email|call|visit|letter))$")]
    given_at: Instant
    method: Literal["written", "oral"]
    language: Lang
    interpreter: UserId | None = None
    guardian_agreed: bool = False
    withdrawn_at: Instant | None = None


class ConsentRecord(_Document):
    kind: Literal["consent_record"] = "consent_record"
    court: Court | None = None
    consents: list[ConsentEntry]


# --- what a --data file may add (services/documents.py SUPPLEMENT_FIELDS) ---------------------------


class GivenHearing(_Strict):
    id: HearingRef | None = None
    at: Instant


class GivenItem(_Strict):
    category: ClaimCategory
    description: Description | None = None
    amount: Amount
    evidence: EvidenceRef | None = None


class Supplement(_Strict):
    """What the case does not hold yet, from `witness doc --data FILE`. Everything about the victim
    comes from the case, never from a file; the document built from both is validated again."""

    hearing: GivenHearing | None = None
    docket: Docket | None = None
    measures: list[MeasureKind] | None = Field(default=None, max_length=len(MeasureKind))
    late_reason: Text | None = None
    location: Literal["other_room", "other_building"] | None = None
    reasons: list[VideoReason] | None = Field(default=None, max_length=4)
    pickup_at: Instant | None = None
    items: list[GivenItem] | None = Field(default=None, max_length=100)
    claim_id: ClaimId | None = None
    next_hearing: LetterHearing | None = None
    measures_requested: list[MeasureKind] | None = Field(default=None, max_length=len(MeasureKind))


def read_supplement(data: dict) -> dict:
    """The --data file's fields, validated, as the plain values the documents service reads (only
    those the file gave). Raises InputProblems naming `data.field.path`, never the value."""
    try:
        given = Supplement.model_validate(data)
    except ValidationError as exc:
        raise InputProblems([("data." + ".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, "))
                             for e in exc.errors()]) from None
    return given.model_dump(exclude_unset=True)


DocumentData = Annotated[Union[ProtectiveMeasuresApplication, VideoLinkRequest, ClosedHearingRequest, EscortRequest,
                               RestitutionClaim, VictimLetter, InformationSheet, ConsentRecord],
                         Field(discriminator="kind")]

SCHEMAS: dict[str, type[_Document]] = {
    m.model_fields["kind"].default: m
    for m in (ProtectiveMeasuresApplication, VideoLinkRequest, ClosedHearingRequest, EscortRequest,
              RestitutionClaim, VictimLetter, InformationSheet, ConsentRecord)}
