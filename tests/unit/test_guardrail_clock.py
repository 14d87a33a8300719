"""`changes_after`: before the instant it gives, no rule that reads the clock answers differently.

The hearing planner prepares a hearing again at that instant and not before (unless a fact is
written), so an instant missing here would leave a plan standing on an answer that no longer holds.
Every rule's harmful and compliant action (tests/unit/test_guardrail_rules.py), with its consents,
reflection period and accused moved around the present, is evaluated at instants up to it."""
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.unit.test_guardrail_rules import CASES, NOW
from witness.domain.guardrails import RELEASE_FOLLOWUP_MINUTES, AccusedFacts, Proposed, changes_after, evaluate
from witness.domain.proceeding import Custody

STEPS = [timedelta(seconds=1), timedelta(minutes=1), timedelta(minutes=14), timedelta(hours=1), timedelta(days=1),
         timedelta(days=2), timedelta(days=5), timedelta(days=7) - timedelta(seconds=1), timedelta(days=10),
         timedelta(days=30), timedelta(days=89), timedelta(days=400)]


def _variants(case):
    """The case as written, and with each clock-bound fact moved so it changes soon after NOW."""
    yield case
    yield replace(case, consents=tuple(replace(c, given_at=NOW + timedelta(days=2)) for c in case.consents))
    yield replace(case, consents=tuple(replace(c, withdrawn_at=NOW + timedelta(days=3)) for c in case.consents))
    yield replace(case, reflection=replace(case.reflection, decided_at=NOW - timedelta(days=1)))
    yield replace(case, reflection=replace(case.reflection, ends_at=NOW + timedelta(hours=5)))
    freed = AccusedFacts("B", Custody.escaped, NOW - timedelta(minutes=5), "employer")
    yield replace(case, accused=case.accused + (freed,))
    yield replace(case, accused=(freed,))
    yield replace(case, accused=case.accused + (freed,), victim_notified_since_custody_change=True)


ACTIONS = [(rule, side, kind, case, details) for rule, pair in CASES.items()
           for side, (kind, case, details) in zip(("harmful", "compliant"), pair)]


@pytest.mark.parametrize("rule,side,kind,case,details", ACTIONS, ids=[f"{a[0]}-{a[1]}" for a in ACTIONS])
def test_no_rule_answers_differently_before_the_instant_changes_after_gives(rule, side, kind, case, details):
    for facts in _variants(case):
        until = changes_after(facts, NOW, details)
        before = evaluate(Proposed(kind, facts, details), NOW)
        for step in STEPS:
            at = NOW + step
            if until is not None and at >= until:
                break
            assert evaluate(Proposed(kind, facts, details), at) == before, (
                f"{rule} ({side}) answers differently at NOW+{step} though changes_after gave {until}")


def test_the_instants_are_the_ones_the_rules_read():
    kind, case, details = CASES["DNH-01-reflection-consent"][0]
    assert changes_after(case, NOW) == case.reflection.ends_at  # undecided: the period's end
    decided = replace(case, reflection=replace(case.reflection, decided_at=NOW - timedelta(days=1)))
    assert changes_after(decided, NOW) is None
    given_later = replace(decided, consents=tuple(replace(c, given_at=NOW + timedelta(days=2))
                                                  for c in CASES["DNH-01-reflection-consent"][1][1].consents))
    assert changes_after(given_later, NOW) == NOW + timedelta(days=2)
    freed = replace(decided, accused=(AccusedFacts("A", Custody.bailed, NOW - timedelta(minutes=5), "employer"),))
    assert changes_after(freed, NOW) == NOW - timedelta(minutes=5) + timedelta(minutes=RELEASE_FOLLOWUP_MINUTES)
    assert changes_after(freed, NOW, {"deadline_minutes": 60}) == NOW + timedelta(minutes=55)
    long_ago = replace(decided, accused=(AccusedFacts("A", Custody.bailed, NOW - timedelta(days=3), "employer"),))
    assert changes_after(long_ago, NOW) is None
