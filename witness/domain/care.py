"""Care facts and rules (issue 12): where a victim stays, detention, a child's guardian, and what
intake records about the victim's situation. Pure: no I/O.

Guide: Victim Identification §1 (forms of exploitation; appoint a legal guardian), §2 (detention of
children for the shortest possible period); Recovery, Reflection and Shelter §2 (appropriate and
separate accommodation, options outside the formal shelter system, detention for the shortest
period possible), §4 (written consent upon entry; check regularly whether victims wish to stay);
Criminal Justice §6 (proceedings without undue delay), §7 (a guardian for a child deprived of
parental care, e.g. parental complicity).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from witness.domain.fields import LanguageTag, ResourceId, label
from witness.domain.guardrails import RECORDED_LINK, link_recorded  # noqa: F401 (used by services through care)
from witness.domain.jurisdiction import AseanCode
from witness.domain.support import ACCOMMODATION_KINDS, ServiceKind


class ExploitationType(StrEnum):
    """The Guide's list "Victims of trafficking are exploited for" (Victim Identification)."""

    labour = "labour"  # agriculture, construction, fishing and seafood processing, ...
    sexual = "sexual"  # forced prostitution, pornography
    domestic_servitude = "domestic_servitude"
    organ_removal = "organ_removal"
    forced_begging = "forced_begging"
    forced_marriage = "forced_marriage"
    surrogacy = "surrogacy"
    online_child_sexual_exploitation = "online_child_sexual_exploitation"
    drug_smuggling = "drug_smuggling"
    criminal_gangs = "criminal_gangs"
    armed_conflict = "armed_conflict"
    other = "other"


class Pregnancy(StrEnum):
    pregnant = "pregnant"
    nursing = "nursing"
    no = "no"


class DetentionKind(StrEnum):
    immigration_detention = "immigration_detention"
    protective_custody = "protective_custody"
    police_cell = "police_cell"
    prison = "prison"


# --- the accommodation provider directory (config/accommodation.yaml) ---------------------------

Operator = Literal["state", "ngo", "faith_based", "community", "private"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Accepts(_Strict):
    """Whom the provider can take. The Guide notes state shelters often take only women and girls."""

    genders: list[Literal["female", "male", "non_binary"]] = Field(min_length=1)
    adults: bool = True
    children: bool = False
    pregnant_or_nursing: bool = False
    accompanying_children: bool = False
    foreigners: bool = True
    disabilities: bool = False


class Provider(_Strict):
    id: ResourceId
    name: label(120)
    jurisdiction: AseanCode
    operator: Operator
    kinds: list[ServiceKind] = Field(min_length=1, description="accommodation kinds offered")
    accepts: Accepts
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)
    accredited: bool = Field(description="checked by the relevant government agency (Guide: Recovery §4)")
    separate_facilities: bool = Field(default=False, description="separate rooms for pregnant or nursing women "
                                                                 "and mothers with young children (Recovery §2)")

    @field_validator("kinds")
    @classmethod
    def _accommodation_only(cls, v: list[ServiceKind]) -> list[ServiceKind]:
        wrong = [k.value for k in v if k not in ACCOMMODATION_KINDS]
        if wrong:
            raise ValueError(f"not accommodation: {', '.join(wrong)}; use "
                             f"{', '.join(sorted(k.value for k in ACCOMMODATION_KINDS))}")
        return v


class ProviderDirectory(_Strict):
    providers: list[Provider] = Field(default_factory=list, max_length=5000)

    @model_validator(mode="after")
    def _unique_ids(self) -> "ProviderDirectory":
        seen: set[str] = set()
        for p in self.providers:
            if p.id in seen:
                raise ValueError(f"provider id {p.id} appears twice")
            seen.add(p.id)
        return self

    def get(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)


class Needs(_Strict):
    """What a placement must fit (from the case and its intake facts)."""

    jurisdiction: str
    gender: str
    child: bool
    foreign: bool
    pregnancy: Pregnancy | None = None
    accompanying_children: int = 0


def unsuitable(p: Provider, needs: Needs, kind: ServiceKind | None = None) -> list[str]:
    """Why this provider does not fit the victim (empty: it fits). Reasons name facts, never people."""
    why = []
    if p.jurisdiction != needs.jurisdiction:
        why.append(f"in {p.jurisdiction}, not {needs.jurisdiction}")
    if kind is not None and kind not in p.kinds:
        why.append(f"offers no {kind.value}")
    if needs.gender in ("female", "male", "non_binary") and needs.gender not in p.accepts.genders:
        why.append(f"does not take {needs.gender} residents")
    if needs.child and not p.accepts.children:
        why.append("does not take children")
    if not needs.child and not p.accepts.adults:
        why.append("takes children only")
    if needs.foreign and not p.accepts.foreigners:
        why.append("does not take foreign nationals")
    if needs.pregnancy in (Pregnancy.pregnant, Pregnancy.nursing) and not (
            p.accepts.pregnant_or_nursing and p.separate_facilities):
        why.append("no separate facilities for a pregnant or nursing woman")
    if needs.accompanying_children and not p.accepts.accompanying_children:
        why.append("cannot take the children who accompany the victim")
    return why


# --- a child's guardian ---------------------------------------------------------------------------

# Kinship words that make a guardian one of the victim's family: with an accused who is family, the
# guardian may be complicit (the Guide: "the majority of the perpetrators are related to the victims").
FAMILY_WORDS = ("mother", "father", "parent", "stepmother", "stepfather", "grandmother", "grandfather", "aunt",
                "uncle", "sister", "brother", "cousin", "family", "relative")


def guardian_accused_link(relationship: str, named_link: str | None,
                          accused: list[tuple[str, str]]) -> str | None:
    """Why the guardian is linked to an accused, or None. `accused` is (label, relationship to the
    victim) for each accused the victim named; `named_link` is an accused label the person recording
    the guardian said the guardian is linked to."""
    reasons = []
    if named_link:
        reasons.append(f"{RECORDED_LINK}{named_link}")
    words = relationship.lower()
    if any(w in words for w in FAMILY_WORDS):
        family = [lbl for lbl, rel in accused if rel == "family"]
        if family:
            reasons.append(f"the guardian is family and {', '.join(family)} is family too")
    return "; ".join(reasons)[:200] or None


# --- cadences ------------------------------------------------------------------------------------

def period_due(start: datetime, every: timedelta, now: datetime) -> tuple[int, datetime] | None:
    """The last whole period since `start` that has come due by `now`: (its number, its instant),
    or None before the first. A follow-up keys its item on the number, so a re-run adds nothing."""
    if now < start + every:
        return None
    n = (now - start) // every
    return n, start + n * every
