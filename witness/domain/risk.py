"""Risk assessment (R-40…R-42; Guide: Criminal Justice, "Lack of protection — reprisal").

Pure scoring: answers + case facts + policy -> level, contributing factors with their weights, and
recommended measures. The victim's own assessment can raise the level, never lower it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from witness.domain.fields import WholeNumber, text
from witness.domain.measure import MeasureKind
from witness.domain.risk_level import LEVEL_ORDER, Level
from witness.domain.proceeding import Custody, Relationship


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # built on first use: imports stay cheap


class LevelRule(_Strict):
    min_score: int = Field(ge=0)
    review_days: int = Field(ge=1, le=365)


class ScalePoint(_Strict):
    from_: int = Field(alias="from", ge=0, le=10)
    at_least: Level


CONTEXT_QUESTIONS = ("trafficking_known_locally", "organised_crime_control", "reprisals_planned_or_carried_out",
                     "law_enforcement_unreliable", "corruption")
CASE_FACTORS = ("threats_to_victim", "threats_to_family", "accused_knows_residence", "contact_with_network_by_phone",
                "child", "disability", "foreign_or_irregular_status", "media_exposure",
                "informal_settlement_pressure", "upcoming_testimony")


class RiskPolicy(_Strict):
    """config/risk.yaml, validated on load."""

    version: Literal[1]
    levels: dict[Level, LevelRule]
    context: dict[str, int]
    custody: dict[Custody, int]
    relationship: dict[Relationship, int]
    factors: dict[str, int]
    victim_scale: list[ScalePoint]
    recommended: dict[Level, list[MeasureKind]]
    child_measures: list[MeasureKind]

    @model_validator(mode="after")
    def _complete(self) -> "RiskPolicy":
        missing = [f"levels.{lv.value}" for lv in Level if lv not in self.levels]
        missing += [f"context.{q}" for q in CONTEXT_QUESTIONS if q not in self.context]
        missing += [f"factors.{f}" for f in CASE_FACTORS if f not in self.factors]
        missing += [f"custody.{c.value}" for c in Custody if c not in self.custody]
        missing += [f"relationship.{r.value}" for r in Relationship if r not in self.relationship]
        missing += [f"recommended.{lv.value}" for lv in Level if lv not in self.recommended]
        if missing:
            raise ValueError("missing: " + ", ".join(missing))
        unknown = [f"context.{k}" for k in self.context if k not in CONTEXT_QUESTIONS]
        unknown += [f"factors.{k}" for k in self.factors if k not in CASE_FACTORS]
        if unknown:
            raise ValueError("unknown: " + ", ".join(unknown))
        scores = [self.levels[lv].min_score for lv in LEVEL_ORDER]
        if scores != sorted(scores) or scores[0] != 0:
            raise ValueError("levels: min_score must start at 0 and rise from low to severe")
        if any(w < 0 for w in [*self.context.values(), *self.factors.values(), *self.custody.values(),
                               *self.relationship.values()]):
            raise ValueError("weights must not be negative")
        return self


class ContextAnswers(_Strict):
    trafficking_known_locally: bool = False
    organised_crime_control: bool = False
    reprisals_planned_or_carried_out: bool = False
    law_enforcement_unreliable: bool = False
    corruption: bool = False


class CaseAnswers(_Strict):
    threats_to_victim: bool = False
    threats_to_family: bool = False
    accused_knows_residence: bool = False
    contact_with_network_by_phone: bool = False
    disability: bool = False
    irregular_status: bool = False
    media_exposure: bool = False
    informal_settlement_pressure: bool = False
    upcoming_testimony: bool = False


OwnWords = text(5000)


class VictimView(_Strict):
    own_words: OwnWords = Field(min_length=1, description="the victim's own assessment, in their words")
    fear_scale: WholeNumber = Field(ge=0, le=10, description="0 = not afraid at all, 10 = extremely afraid")


Trigger = Literal["initial", "scheduled", "accused_released", "accused_escaped", "accused_bailed", "accused_acquitted",
                  "threat_reported", "residence_changed", "hearing_soon", "consent_withdrawn", "measure_denied", "other"]


class AssessmentForm(_Strict):
    """What the coordinator records (`witness assess ID FILE`; schema: `witness schema assessment`).
    Custody, relationship, child and foreign status are read from the case, not asked again."""

    trigger: Trigger
    context: ContextAnswers = Field(default_factory=ContextAnswers)  # no instance at import: nothing built until used
    case: CaseAnswers = Field(default_factory=CaseAnswers)
    victim: VictimView


@dataclass(frozen=True)
class CaseRiskFacts:
    child: bool
    foreign: bool
    custody: tuple[Custody, ...]
    relationships: tuple[Relationship, ...]


@dataclass(frozen=True)
class Factor:
    factor: str
    weight: int


@dataclass(frozen=True)
class RiskResult:
    level: Level
    score: int
    factors: tuple[Factor, ...]
    level_by_score: Level
    raised_by_victim: bool
    recommended: tuple[MeasureKind, ...]
    review_days: int

    def next_review(self, at: datetime) -> datetime:
        return at + timedelta(days=self.review_days)


def _level_for(score: int, policy: RiskPolicy) -> Level:
    reached = Level.low
    for lv in LEVEL_ORDER:
        if score >= policy.levels[lv].min_score:
            reached = lv
    return reached


def assess(form: AssessmentForm, facts: CaseRiskFacts, policy: RiskPolicy) -> RiskResult:
    factors: list[Factor] = []
    for q in CONTEXT_QUESTIONS:
        if getattr(form.context, q) and policy.context[q]:
            factors.append(Factor(f"context: {q}", policy.context[q]))
    if facts.custody:
        worst = max(facts.custody, key=lambda c: policy.custody[c])
        if policy.custody[worst]:
            factors.append(Factor(f"accused custody: {worst.value}", policy.custody[worst]))
    if facts.relationships:
        closest = max(facts.relationships, key=lambda r: policy.relationship[r])
        if policy.relationship[closest]:
            factors.append(Factor(f"relationship to accused: {closest.value}", policy.relationship[closest]))
    present = {f for f in CASE_FACTORS if getattr(form.case, f, False)}
    if facts.child:
        present.add("child")
    if facts.foreign or form.case.irregular_status:
        present.add("foreign_or_irregular_status")
    for f in CASE_FACTORS:
        if f in present and policy.factors[f]:
            factors.append(Factor(f, policy.factors[f]))
    score = sum(f.weight for f in factors)
    by_score = _level_for(score, policy)
    floor = Level.low
    for point in sorted(policy.victim_scale, key=lambda p: p.from_):
        if form.victim.fear_scale >= point.from_:
            floor = max(floor, point.at_least, key=LEVEL_ORDER.index)
    level = max(by_score, floor, key=LEVEL_ORDER.index)
    measures: list[MeasureKind] = []
    for lv in LEVEL_ORDER[: LEVEL_ORDER.index(level) + 1]:
        measures += policy.recommended[lv]
    if facts.child:
        measures += policy.child_measures
    return RiskResult(level, score, tuple(factors), by_score, LEVEL_ORDER.index(level) > LEVEL_ORDER.index(by_score),
                      tuple(dict.fromkeys(measures)), policy.levels[level].review_days)
