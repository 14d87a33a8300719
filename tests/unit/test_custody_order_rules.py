"""The pure rules that keep a date from silencing a custody alert (issue 10 item 1), and the event
file's per-event problems (item 5)."""
from datetime import datetime, timedelta, timezone

import pytest

from witness.domain.event import parse_event_file
from witness.domain.notice import NoticeKind, custody_notice
from witness.domain.proceeding import MAX_AHEAD, Custody as C, Order, ahead_of_clock, frees, place

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)


def test_a_date_a_little_ahead_of_the_clock_passes_and_further_ahead_is_refused():
    assert ahead_of_clock(NOW + MAX_AHEAD, NOW) is None
    assert "ahead of the clock" in ahead_of_clock(NOW + MAX_AHEAD + timedelta(seconds=1), NOW)
    assert ahead_of_clock(datetime(9999, 12, 31, tzinfo=timezone.utc), NOW)


def test_an_event_is_late_only_against_a_record_that_could_be_true():
    assert place(NOW, NOW - timedelta(hours=1), NOW) is Order.in_order
    assert place(NOW, NOW, NOW) is Order.in_order
    assert place(NOW - timedelta(hours=2), NOW - timedelta(hours=1), NOW) is Order.late
    assert place(NOW, datetime(9999, 12, 31, tzinfo=timezone.utc), NOW) is Order.over_future


@pytest.mark.parametrize("freed", [C.released, C.escaped, C.bailed, C.acquitted])
def test_a_freeing_event_always_frees_when_the_order_is_uncertain(freed):
    assert frees(C.detained, freed)
    assert not frees(C.released, freed)  # in order, already free: nothing changed for the victim
    assert frees(C.released, freed, Order.late) and frees(C.released, freed, Order.over_future)
    assert custody_notice(C.escaped, freed, Order.late)[1] is True


def test_a_held_event_out_of_order_tells_the_victim_nothing():
    assert custody_notice(C.released, C.arrested) == (NoticeKind.accused_held, False)
    assert custody_notice(C.released, C.arrested, Order.late) is None
    assert custody_notice(C.released, C.arrested, Order.over_future) is None
    assert not frees(C.detained, C.arrested, Order.late)


def test_every_bad_event_of_a_file_is_named_by_its_index_without_the_union_tag():
    good = {"type": "custody", "event_id": "E", "accused_id": "a", "custody": "released",
            "occurred_at": "2026-11-02T10:00:00+07:00"}
    events, problems = parse_event_file({"events": [good, {**good, "occurred_at": "2026-11-02T10:00:00"},
                                                    {**good, "custody": "paroled"}, {"type": "nope"}]})
    assert [e is not None for e in events] == [True, False, False, False]
    assert [(n, path) for n, path, _ in problems] == [(1, "events.1.occurred_at"), (2, "events.2.custody"),
                                                      (3, "events.3")]
    assert all("paroled" not in msg for _, _, msg in problems)


def test_a_file_that_is_not_a_list_of_events_is_refused_as_a_whole():
    assert parse_event_file([1])[1] == [(-1, "(top level)", "expected a mapping of fields")]
    assert parse_event_file({"events": []})[1] == [(-1, "events", "give a list of at least one event")]
    assert parse_event_file({"events": [], "extra": 1})[1][0][1] == "extra"
