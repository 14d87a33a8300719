"""The documents witness produces, and what each may carry (R-80, R-81, R-83).

A filing goes to the court or the police in the court's language of the jurisdiction; what the
victim receives is in the victim's language. Only documents for a need-to-know recipient may ever
carry the legal name, and then only when the guardrail allows it (DNH-03).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Kind:
    name: str
    filing: bool  # True: court's language; False: the victim's language
    recipients: tuple[str, ...]  # the first is the default
    may_name: bool  # may the legal name ever appear (with consent and a need-to-know recipient)
    about: Literal["hearing", "claim", None] = None

    @property
    def recipient(self) -> str:
        return self.recipients[0]


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("protective_measures", True, ("court",), True, "hearing"),
    Kind("video_link", True, ("court",), True, "hearing"),
    Kind("closed_hearing", True, ("court",), True, "hearing"),
    # Police escorts get a pickup reference and a pseudonym, never a name or an address.
    Kind("escort_request", True, ("police",), False, "hearing"),
    Kind("restitution_claim", True, ("court", "legal_aid", "prosecutor"), True, "claim"),
    # A letter may be read over the victim's shoulder: no name, no address.
    Kind("victim_letter", False, ("victim", "guardian"), False),
    Kind("information_sheet", False, ("victim", "guardian"), False),
    Kind("consent_record", False, ("victim", "guardian", "coordinator"), True),
)}
