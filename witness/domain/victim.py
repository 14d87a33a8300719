"""Who the victim is, as far as the coordination file needs to know (R-10, R-15).

Identity fields are held here in clear only in memory; the store encrypts them (R-71).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# No 0/O, 1/I/L, U: pseudonyms are read aloud on the phone and copied by hand into court forms.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PSEUDONYM_LENGTH = 6  # 30**6 = 729M: collisions stay rare at a national caseload


def new_pseudonym(rng: secrets.SystemRandom | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return "W-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))


class AgeStatus(StrEnum):
    child = "child"
    adult = "adult"
    uncertain = "uncertain"  # treated as a child until determined otherwise (Guide: Victim Identification §1)


def age_status(dob: date | None, age_estimate: int | None, age_determined: bool, today: date) -> AgeStatus:
    if dob is not None:
        years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        return AgeStatus.adult if years >= 18 else AgeStatus.child
    if age_determined and age_estimate is not None:
        return AgeStatus.adult if age_estimate >= 18 else AgeStatus.child
    return AgeStatus.uncertain


def presumed_child(status: AgeStatus) -> bool:
    return status is not AgeStatus.adult


@dataclass(frozen=True)
class Identity:
    """The victim's real identity. Never logged, never shown outside need-to-know (R-70)."""

    legal_name: str
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    notes: str | None = None

    def __repr__(self) -> str:  # a stray print or traceback must not leak the name
        return "Identity(<redacted>)"


@dataclass(frozen=True)
class Guardian:
    name: str
    relationship: str
    phone: str | None = None
    language: str | None = None

    def __repr__(self) -> str:
        return f"Guardian(<redacted>, relationship={self.relationship!r})"


@dataclass(frozen=True)
class VictimProfile:
    """What may be seen without need-to-know: no name, no contact, no address."""

    gender: str
    nationality: str | None
    preferred_language: str
    age_status: AgeStatus
    escort_gender_preference: str | None
    safe_channels: tuple[str, ...]
    opened_at: datetime
