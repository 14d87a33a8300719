"""The map of the system: every hook is registered here by name, in code (docs/wiring.md).

Nothing is found by scanning for magic names: a hook that is not listed here is not called, and
tests/unit/test_wiring.py fails when a module defines a hook this map does not list, or lists one
with the wrong signature. To add a handler, a follow-up or a command, write it in its own module
and add one line below.

Each section imports its parts when it is first asked for, not when this module is imported: the
command line then starts without loading every service (no SQLAlchemy for `witness --help`), and
the modules that dispatch (events, custody, guardrails, consent, sweep, keys, the table registry)
can import this map without an import loop. It is the one module allowed to know every part;
tests/unit/test_wiring.py checks that the rest of the import graph has no loop.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable


# --- events -> handlers, in the publisher's transaction (witness.services.events.publish) -------

@lru_cache(maxsize=None)
def event_handlers() -> dict[type, tuple[Callable, ...]]:
    """Each event type and what handles it, in order: handler(uow, event)."""
    from witness.domain import events as ev  # a dozen frozen dataclasses: ~15 ms no read command needs
    from witness.services import outbox

    # Every case event may be told to the victim: the outbox decides which kinds make a notice.
    tell = (outbox.on_case_event,)
    return {
        ev.StageChanged: tell,
        ev.HearingSet: tell,
        ev.HearingMoved: tell,
        ev.HearingCancelled: tell,
        ev.ReflectionEnding: tell,
        ev.MeasureDecided: tell,
        ev.Judgment: tell,
        ev.RestitutionAwarded: tell,
        ev.RestitutionPaid: tell,
        ev.RiskReviewDue: tell,
        ev.AccusedCustodyChanged: (outbox.on_custody_change,),
    }


def handlers_for(event_type: type) -> tuple[Callable, ...]:
    try:
        return event_handlers()[event_type]
    except KeyError:
        # Publishing something nobody handles is a wiring mistake, not a quiet no-op.
        raise LookupError(f"{event_type.__name__}: no handler registered in witness.wiring") from None


# --- the follow-up sweep (witness.services.sweep), run in this order --------------------------

@lru_cache(maxsize=None)
def follow_ups() -> tuple:
    """FollowUp(name, select(conn, now, profiles) -> ids, process(uow, ids, profiles) -> int)."""
    from witness.services import claim_follow_ups, custody_feed, preparation, recommendations, risk, sweep

    return (
        sweep.REFLECTION_DECIDED,
        sweep.REFLECTION_ENDED,
        sweep.REFLECTION_ENDING,
        claim_follow_ups.FILING_DEADLINE,
        claim_follow_ups.INSTALMENT_OVERDUE,
        claim_follow_ups.AWARD_UNPAID,
        custody_feed.CUSTODY_FEED_STALE,
        preparation.HEARING_PREP,
        recommendations.MEASURE_DEADLINE,
        risk.REVIEW_DUE,
        risk.INITIAL_DUE,
        risk.RELEASE_ESCALATION,
        *_care_follow_ups(),
    )


def _care_follow_ups() -> tuple:
    """Shelter stays, detention, a child's guardian and stalled proceedings (issue 12, items 5 and 6)."""
    from witness.services import accommodation, detention, guardians

    return (accommodation.STAY_CHECK, detention.DETENTION_LIMIT, guardians.GUARDIAN_PENDING,
            guardians.CHILD_PROCEEDINGS_STALLED)


# --- what other areas add to a decision --------------------------------------------------------

@lru_cache(maxsize=None)
def fact_providers() -> tuple[Callable, ...]:
    """Extra guardrail facts: provider(conn, case_id, now) -> {CaseFacts field: value}."""
    from witness.services import acknowledgements, claims, guardians
    from witness.services import consent as consents

    return (
        claims.case_facts,            # pending_claim (DNH-11, DNH-12), unresolved_claims (DNH-14)
        acknowledgements.case_facts,  # victim_notified_since_custody_change (DNH-07)
        guardians.case_facts,         # guardian_accused_link (DNH-21)
        consents.case_facts,          # explained_scopes: information sheets explained (DNH-31)
    )


@lru_cache(maxsize=None)
def fact_providers_many() -> dict[Callable, Callable]:
    """The same facts for many cases at once, where a provider has it: provider ->
    many(conn, case_ids, now) -> {case_id: {CaseFacts field: value}}. The relay checks a batch of
    notices with guardrails.case_facts_many; a provider missing here is asked case by case."""
    from witness.services import acknowledgements, claims, guardians
    from witness.services import consent as consents

    return {claims.case_facts: claims.case_facts_many, acknowledgements.case_facts: acknowledgements.case_facts_many,
            guardians.case_facts: guardians.case_facts_many, consents.case_facts: consents.case_facts_many}


@lru_cache(maxsize=None)
def consent_withdrawn() -> tuple[Callable, ...]:
    """cancel(uow, case_id, scope) -> how many pending acts it cancelled (witness.services.consent.withdraw)."""
    from witness.services import hearings, referrals

    return (hearings.cancel_for_withdrawn_consent,  # appearances, measures, escorts, bookings
            referrals.revoke_for_withdrawn_consent)  # data shares with the recipient


# --- the store -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def table_modules() -> tuple:
    """Every module that defines tables: importing them fills `metadata` (witness.store.all_tables)."""
    from witness.store import (account_tables, care_tables, claim_tables, document_tables, hearing_tables, key_tables,
                               notice_tables, risk_tables, sweep_tables, tables)

    return (tables, account_tables, care_tables, claim_tables, document_tables, hearing_tables, notice_tables, risk_tables,
            sweep_tables, key_tables) + _issue12_tables()


def _issue12_tables() -> tuple:
    """Return plans and information sheets, data shares, the interpreter registry (issue 12)."""
    from witness.store import interpreter_tables, referral_tables, return_tables

    return (interpreter_tables, referral_tables, return_tables)


@lru_cache(maxsize=None)
def encrypted_columns() -> tuple[tuple, ...]:
    """(table, primary key, encrypted columns, column the ciphertext is bound to): what key rotation
    re-encrypts (witness.services.keys.rotate). Each table module lists its own."""
    from witness.store import (account_tables, care_tables, claim_tables, hearing_tables, notice_tables, risk_tables,
                               tables)

    return (*account_tables.ENCRYPTED, *care_tables.ENCRYPTED, *claim_tables.ENCRYPTED, *hearing_tables.ENCRYPTED,
            *notice_tables.ENCRYPTED,
            *risk_tables.ENCRYPTED, *tables.ENCRYPTED, *(e for m in _issue12_tables() for e in m.ENCRYPTED))


# --- entry points --------------------------------------------------------------------------

def commands() -> tuple[Callable, ...]:
    """register(app) of each command module, in the order `witness --help` lists them; command
    modules import only typer at the top, so importing them here keeps start-up fast. `schemas`
    makes the `schema` group the areas after it add to."""
    from witness.commands import (appointments, audit, care, cases, claims, consent, demo, deployments, documents, hearings,
                                  keys, notices, reflection, risk, schemas, support, sweep, web, worklist)

    return (keys.register, cases.register, appointments.register, sweep.register, worklist.register, demo.register,
            deployments.register, consent.register, reflection.register, support.register, care.register,
            audit.register,
            schemas.register,
            claims.register, documents.register, hearings.register, notices.register, risk.register, web.register,
            *_issue12_commands()) + _store_commands()


def _issue12_commands() -> tuple[Callable, ...]:
    from witness.commands import interpreters, referrals, returns

    return (returns.register, referrals.register, interpreters.register)


def _store_commands() -> tuple[Callable, ...]:
    """Several machines (issue 15): erasing a victim's key, the database's roles, backups."""
    from witness.commands import backup, db, erasure

    return (erasure.register, db.register, backup.register)


def demo_chapters() -> tuple[Callable, ...]:
    """The demonstration's chapters, in the order they are told: chapter(ctx), ctx a witness.demo.DemoContext."""
    from witness.demos import claims, documents, hearings, notices, returns, risk

    return (risk.chapter, hearings.chapter, documents.chapter, notices.chapter, claims.chapter, returns.chapter)
