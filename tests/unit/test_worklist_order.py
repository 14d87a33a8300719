"""The order a coordinator works through (witness/domain/worklist.py): urgent first, then what is
due and about someone's safety, then the rest of what is due, then what is not due yet."""
from datetime import datetime, timedelta, timezone

from witness.domain.worklist import ordered

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def _item(n, kind, hours_ago, detail="x"):
    return {"id": n, "kind": kind, "detail": detail, "due_at": NOW - timedelta(hours=hours_ago)}


def test_a_blocked_interpreters_replacement_comes_before_routine_items_due_earlier():
    # The interpreter was blocked (a tie to the accused, DNH-06) before an interview: finding
    # another vetted one is about the victim's safety, not paperwork.
    items = [_item(1, "shelter_stay_check", 48), _item(2, "claim_filing_deadline", 30),
             _item(3, "interpreter_replace", 1), _item(4, "release_escalation", 0.5),
             _item(5, "risk_review", -24)]
    assert [i["id"] for i in ordered(items, NOW)] == [4, 3, 1, 2, 5]


def test_a_call_task_is_urgent_only_when_the_notice_it_stands_for_was():
    items = [_item(1, "notice_call", 5, "W-AAAAAA: call or visit the victim"),
             _item(2, "notice_call", 1, "W-BBBBBB: URGENT: call or visit the victim"),
             _item(3, "victim_decided", 9)]
    assert [i["id"] for i in ordered(items, NOW)] == [2, 1, 3]
