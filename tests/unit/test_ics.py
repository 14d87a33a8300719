"""The RFC 5545 writer (witness/outputs/ics.py): lines folded at 75 octets without cutting a
character, TEXT escaped so every parser reads back exactly what was written."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from tests.calendar_parsers import icalendar_events, libical_available, libical_check, vobject_events
from witness.outputs import ics

AWKWARD = "Back\\slash; semi, comma\nnew line — ศาลจังหวัดสมุทรสาคร ต่ำ น้ำ " + "ဖုန်းဆက်ပါ။ " * 8 + "x" * 90


def test_every_folded_line_fits_75_octets_and_unfolds_to_the_original():
    for line in ("SUMMARY:" + "a" * 300, "DESCRIPTION:" + "ก" * 120, "X:" + "é" * 100, "UID:short"):
        folded = ics.fold(line)
        parts = folded.removesuffix("\r\n").split("\r\n")
        assert all(len(p.encode("utf-8")) <= 75 for p in parts), line[:20]
        assert all(p.startswith(" ") for p in parts[1:])
        assert folded.replace("\r\n ", "").removesuffix("\r\n") == line


def test_text_with_every_special_character_reads_back_exactly_in_three_parsers():
    stamp = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
    events = [ics.vevent(uid="u-1@witness", sequence=2, stamp=stamp, start=stamp + timedelta(days=3),
                         end=stamp + timedelta(days=3, hours=1), tz="Asia/Bangkok", summary=AWKWARD, description=AWKWARD,
                         location="Room 3, annex", status="CONFIRMED", organizer="mailto:calendar@witness.invalid",
                         alarms=[(timedelta(days=-1), AWKWARD), (timedelta(minutes=-90), "soon")]),
              ics.vevent(uid="u-2@witness", sequence=0, stamp=stamp, start=date(2027, 1, 1), end=date(2027, 1, 2),
                         tz=None, summary="whole day", description="", location=None, status="CANCELLED",
                         organizer="mailto:calendar@witness.invalid")]
    feed = ics.vcalendar(prodid="-//witness//test//EN", name="Test; name", uid="cal-1", zones=["Asia/Bangkok"],
                         events=events)
    head, [timed, whole] = icalendar_events(feed)
    assert timed["summary"] == AWKWARD and timed["description"] == AWKWARD and timed["location"] == "Room 3, annex"
    assert timed["sequence"] == 2 and timed["alarms"] == 2 and timed["start"] == stamp + timedelta(days=3)
    assert whole["start"] == date(2027, 1, 1) and whole["status"] == "CANCELLED"
    assert head["timezones"] == ["Asia/Bangkok"] and head["method"] == "PUBLISH"
    assert [e["description"] for e in vobject_events(feed)] == [AWKWARD, ""]
    if libical_available():
        assert libical_check(feed)["errors"] == []


def test_durations_are_written_as_icalendar_writes_them():
    assert [ics.duration(d) for d in (timedelta(days=-1), timedelta(hours=-3), timedelta(minutes=-90),
                                      timedelta(0), timedelta(days=1, hours=2))] == ["-P1D", "-PT3H", "-PT1H30M", "PT0S",
                                                                                     "P1DT2H"]
