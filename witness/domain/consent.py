"""Consent per scope (R-22): recorded with language, interpreter and method, withdrawable at any time."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

SIMPLE_SCOPES = ("interview", "testimony", "medical_exam", "shelter_stay", "return", "name_disclosure")
# data_sharing and notification carry a qualifier: who receives the data, which channel is safe.
_SCOPE = re.compile(r"^(interview|testimony|medical_exam|shelter_stay|return|name_disclosure"
                    r"|data_sharing:[a-z0-9_.-]{2,60}|notification:(sms|email|call|visit|letter))$")


def valid_scope(scope: str) -> bool:
    return bool(_SCOPE.match(scope))


def scope_error(scope: str) -> str | None:
    if valid_scope(scope):
        return None
    return ("unknown consent scope; use one of " + ", ".join(SIMPLE_SCOPES)
            + ", data_sharing:<recipient>, notification:<sms|email|call|visit|letter>")


class Method(StrEnum):
    written = "written"
    oral = "oral"


@dataclass(frozen=True)
class Consent:
    scope: str
    given_at: datetime
    method: Method
    language: str
    recorded_by: str
    interpreter: str | None = None
    guardian_agreed: bool = False
    withdrawn_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        return self.given_at <= now and (self.withdrawn_at is None or self.withdrawn_at > now)


def has_consent(consents: list[Consent], scope: str, now: datetime) -> bool:
    return any(c.scope == scope and c.active_at(now) for c in consents)


# What a withdrawal cancels. Each later feature that depends on a consent lists itself here,
# so that withdrawing the consent reaches it. Support services never appear here.
DEPENDENTS: dict[str, tuple[str, ...]] = {
    "interview": ("appointment:interview",),
    "testimony": ("appointment:testimony",),
    "medical_exam": ("appointment:medical_exam",),
}


def dependents_of(scope: str) -> tuple[str, ...]:
    if scope.startswith("data_sharing:"):
        return ("data_share:" + scope.split(":", 1)[1],)
    return DEPENDENTS.get(scope, ())
