"""Informed consent (Guide: Criminal Justice §1; Medical and Mental Healthcare §3): before the victim
consents to testify, to have their name disclosed, to a medical examination or to return, someone
explains the information sheet — the process, the risks, the choices — in a language they understand,
through an interpreter if needed. That explanation is recorded (when, language, interpreter), and
DNH-31 refuses the consent without it. Silence is never consent: only written or oral is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from witness.domain.guardrails import INFORMED_SCOPES

# Words a person may type for "the victim said nothing": refused by name, not as an unknown method.
SILENCE = frozenset({"silence", "silent", "implied", "tacit", "none", "no_objection", "nodded"})
SILENCE_IS_NOT_CONSENT = ("silence is never consent (Guide: Medical and Mental Healthcare §3); record written or "
                          "oral consent the victim actually gave, or nothing")


@dataclass(frozen=True)
class Explanation:
    scope: str
    explained_at: datetime
    language: str
    interpreter: str | None
    recorded_by: str


def needs_explanation(scope: str) -> bool:
    return scope in INFORMED_SCOPES


def explained_scopes(explanations, now: datetime) -> tuple[str, ...]:
    """The scopes whose sheet was explained by `now` (an explanation dated later does not count yet)."""
    return tuple(sorted({e.scope for e in explanations if e.explained_at <= now}))
