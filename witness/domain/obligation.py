"""Dated obligations (R-114): everything with a date that a person must act on or be at, besides
the hearings themselves — the end of a reflection period, a risk review, an interview, a measure's
filing deadline, a claim's filing deadline, an instalment. A person's calendar feed carries them.

Pure: the service reads the rows; this module says what each is called, which role keeps which
kind, and how long an event lasts. Pseudonyms, record ids and kinds only: no name, no place.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from witness.domain.access import Role


@dataclass(frozen=True)
class Obligation:
    kind: str  # one of KINDS
    key: str  # what it is about (a case, measure, claim or appointment id; "CL-…#2" an instalment)
    case_id: str  # the pseudonym
    tz: str  # the jurisdiction's zone: the event is shown in local time
    at: datetime | None = None  # a moment (aware), or
    on: date | None = None  # a whole day (claim deadlines and instalments are days in law)
    detail: str = ""  # a short, pseudonymous line: ids and kinds only

    @property
    def uid_seed(self) -> str:
        # The date is part of the identity: a moved deadline is a new event and the old one leaves
        # the feed, which every calendar app handles, unlike a changed event without a SEQUENCE store.
        return f"{self.kind}:{self.key}:{(self.at or self.on).isoformat()}"


KINDS = ("reflection_end", "risk_review", "appointment", "measure_deadline", "claim_deadline", "instalment")

# Which kinds each role's feed carries: the coordinator follows everything on their cases; the
# prosecutor what touches the criminal process; the lawyer their claims. Escorts and interpreters
# have their assignments (the hearing feed) and nothing else (R-112: "nothing else").
KINDS_BY_ROLE: dict[Role, frozenset[str]] = {
    Role.coordinator: frozenset(KINDS),
    Role.prosecutor: frozenset({"reflection_end", "appointment", "measure_deadline"}),
    Role.legal_aid: frozenset({"claim_deadline", "instalment"}),
}

# How long a timed event lasts in a calendar (a deadline is a moment; 15 minutes keeps it visible).
DURATION = {"appointment": timedelta(hours=1)}
DEFAULT_DURATION = timedelta(minutes=15)
# Obligations this far in the past still show (yesterday's missed deadline matters); older drop off.
KEEP_PAST = timedelta(days=7)


def kinds_for(role: Role) -> frozenset[str]:
    return KINDS_BY_ROLE.get(role, frozenset())


def summary(o: Obligation) -> str:
    if o.kind == "instalment":
        claim, n = o.key.split("#")
        return f"Instalment {n} due: claim {claim} ({o.case_id})"
    return {
        "reflection_end": f"Reflection period ends: {o.case_id}",
        "risk_review": f"Risk review due: {o.case_id}",
        "appointment": f"{o.detail.capitalize() or 'Appointment'}: {o.case_id}",
        "measure_deadline": f"Measure request deadline: {o.case_id} ({o.detail})",
        "claim_deadline": f"Claim filing deadline: {o.key} ({o.case_id})",
    }[o.kind]


def description(o: Obligation) -> str:
    return {
        "reflection_end": "The victim's reflection and recovery period ends. Record their decision; nothing "
                          "may be asked of them before it is theirs to give.",
        "risk_review": "A risk reassessment is due. Review with the victim and record it.",
        "appointment": "Scheduled with the victim's consent. Check the interpreter and the escort.",
        "measure_deadline": "The last moment to file this protective measure request for the hearing.",
        "claim_deadline": "The last day to file the restitution claim after the judgment.",
        "instalment": "An instalment of the restitution award is due; record the payment when it arrives.",
    }[o.kind]
