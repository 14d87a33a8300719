"""A jurisdiction's laws and courts as a document names them in its own language (R-83).

A filing goes to court in the court's language, and the law it cites and the court it is addressed
to must be written in that language too: "Samut Sakhon Provincial Court" and "Witness Protection Act
2003" inside a Thai application are English the court has to translate. Each jurisdiction profile
(config/jurisdictions/*.yaml, `legal_texts`) gives, per language code, the names a document in that
language uses; English comes from the profile's own fields when no `en` entry is given.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LegalTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    witness_protection: list[str] = Field(
        default_factory=list, max_length=10,
        description="the national laws an application for protective measures cites, beside ACTIP Art. 14(6)")
    restitution_basis: str | None = Field(default=None, description="restitution.legal_basis in this language")
    state_fund: str | None = Field(default=None, description="restitution.state_fund.name in this language")
    courts: dict[str, str] = Field(default_factory=dict,
                                   description="a court's name as recorded on the proceeding -> as written in this language")


def in_language(profile, lang: str) -> LegalTexts:
    """The names a document in `lang` uses for `profile`'s laws and courts. A language the profile
    has no entry for gets the profile's own (English) names: a citation is never left out."""
    own = profile.legal_texts.get(lang)
    english = profile.legal_texts.get("en") or LegalTexts()
    fund = profile.restitution.state_fund
    return LegalTexts(
        witness_protection=(own.witness_protection if own and own.witness_protection else english.witness_protection),
        restitution_basis=(own.restitution_basis if own and own.restitution_basis else
                           english.restitution_basis or profile.restitution.legal_basis),
        state_fund=(own.state_fund if own and own.state_fund else english.state_fund or (fund.name if fund else None)),
        courts={**english.courts, **(own.courts if own else {})})


def court_name(texts: LegalTexts, recorded: str) -> str:
    return texts.courts.get(recorded, recorded)
