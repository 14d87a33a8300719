"""The interpreter registry (Guide: Criminal Justice §1 challenge — 'persuasive' translation and
interpreters with a conflict of interest; Medical and Mental Healthcare §4 — trained and vetted
interpreters). Pure: what the registry knows about one interpreter becomes the facts DNH-06 and
DNH-20 read whenever an interpreter is assigned (an appointment, a hearing appearance, a consent).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Vetting(StrEnum):
    pending = "pending"      # registered, not yet checked
    vetted = "vetted"        # trained and checked by the deployment
    suspended = "suspended"  # vetting withdrawn (a complaint under review)


class TieKind(StrEnum):
    conflict = "conflict"    # a declared conflict of interest in a case (ref: the case pseudonym)
    community = "community"  # knows the victim, their family or community (ref: the case pseudonym)
    accused = "accused"      # a tie to an accused person (ref: the accused's label)


@dataclass(frozen=True)
class Tie:
    kind: TieKind
    ref: str


@dataclass(frozen=True)
class Interpreter:
    id: str
    languages: tuple[str, ...]
    vetting: Vetting
    blocked: bool = False
    ties: tuple[Tie, ...] = ()


def speaks(found: Interpreter, language: str) -> bool:
    """Registered for this language; a regional tag counts for its language (my-MM is my)."""
    base = language.split("-", 1)[0].lower()
    return any(lang.split("-", 1)[0].lower() == base for lang in found.languages)


def assignment_facts(found: Interpreter | None, interpreter_id: str, case_id: str, accused_labels,
                     also_blocked: frozenset[str] = frozenset(), language: str | None = None) -> dict:
    """The assign_interpreter details for the Do No Harm engine. `found` is the registry entry (None:
    not registered); `also_blocked` the deployment's WITNESS_INTERPRETER_BLOCKLIST, kept as a second
    source so a deployment that listed ids there loses nothing. An interpreter nobody registered
    cannot be said to be vetted: `vetted` is then None and DNH-20 stays quiet (see the docs)."""
    labels = {a.casefold() for a in accused_labels}
    ties = found.ties if found else ()
    return {
        "interpreter": interpreter_id,
        "blocklisted": interpreter_id in also_blocked or bool(found and found.blocked),
        "declared_conflict": any(t.kind is TieKind.conflict and t.ref == case_id for t in ties),
        "community_link": any(t.kind is TieKind.community and t.ref == case_id for t in ties),
        "accused_link": any(t.kind is TieKind.accused and t.ref.casefold() in labels for t in ties),
        "vetted": None if found is None else found.vetting is Vetting.vetted,
        "speaks": None if found is None or not language else speaks(found, language),
    }
