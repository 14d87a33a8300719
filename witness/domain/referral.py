"""Sharing a victim's data with another agency (Guide: Criminal Justice §2 — not sharing details
without their permission; the data-confidentiality box — need to know). Every share is recorded:
who received it, which fields, why, and under which consent; DNH-10 refuses it without the victim's
`data_sharing:<recipient>` consent, DNH-03 refuses identity fields to a recipient without need to know
or without `name_disclosure` consent, DNH-32 refuses data to the country of origin without written
permission. Withdrawing the consent revokes the recipient's shares (R-22).
"""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The fields that can be shared, and those among them that identify the victim.
SHAREABLE_FIELDS = ("pseudonym", "gender", "age_status", "nationality", "preferred_language", "needs",
                    "case_summary", "legal_name", "aliases", "date_of_birth", "phone", "email", "address")
IDENTITY = frozenset({"legal_name", "aliases", "date_of_birth", "phone", "email", "address"})
RECIPIENT_KINDS = ("ngo", "shelter", "clinic", "authority", "embassy", "legal_aid", "prosecutor", "court")
_RECIPIENT = re.compile(r"^[a-z0-9_.-]{2,60}$")


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    recipient: str = Field(description="the agency's id, as in the consent scope data_sharing:<recipient>")
    recipient_kind: str
    recipient_country: str | None = Field(None, description="ISO 3166 alpha-2, when the agency is abroad")
    fields: list[str] = Field(min_length=1)
    purpose: str = Field(min_length=3, max_length=300)

    @field_validator("recipient")
    @classmethod
    def _recipient(cls, v: str) -> str:
        if not _RECIPIENT.fullmatch(v):
            raise ValueError("2-60 characters a-z, 0-9, '.', '_', '-' (as in data_sharing:<recipient>)")
        return v

    @field_validator("recipient_kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in RECIPIENT_KINDS:
            raise ValueError(f"use one of {', '.join(RECIPIENT_KINDS)}")
        return v

    @field_validator("recipient_country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("an ISO 3166 alpha-2 country code in capitals, e.g. MM")
        return v

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in SHAREABLE_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(sorted(set(unknown)))}; use {', '.join(SHAREABLE_FIELDS)}")
        return sorted(set(v))

    @property
    def includes_identity(self) -> bool:
        return bool(IDENTITY & set(self.fields))


def revoked_recipient(scope: str) -> str | None:
    """The recipient whose shares a withdrawn consent revokes (None for any other scope)."""
    return scope.split(":", 1)[1] if scope.startswith("data_sharing:") else None
