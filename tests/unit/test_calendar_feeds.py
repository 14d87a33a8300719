"""Calendar feeds (R-63), pure: what each audience sees, the victim's language, and .ics output
that three independent parsers read back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.calendar_parsers import icalendar_events, libical_available, libical_check, vobject_events
from witness.outputs.calendars import (AUDIENCES, VICTIM_TEXT, HearingView, StoredEvent, WitnessView, contents,
                                       render, victim_language)

NINE = datetime(2026, 12, 14, 2, 0, tzinfo=timezone.utc)
STAMP = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


def _view(lang="my", guardian=None, moved=None) -> HearingView:
    w = WitnessView(case_id="W-AB23CD", coordinator="amara", mode="video_link", language=lang, guardian_language=guardian,
                    pickup_ref="P-XY7Z9K", interpreter="interp-07", interpreter_language=lang,
                    measures=(("escort", "scheduled", None, False), ("screen", "granted", None, False),
                              ("video_link", "requested", NINE.isoformat(), True)),
                    escort_team=("TH-SSK-F01", "TH-SSK-F02"), escort_start=NINE - timedelta(minutes=90),
                    escort_end=NINE + timedelta(hours=4), gaps=("H-1 W-AB23CD secure_accommodation: [no_resource_free] x",))
    return HearingView("H-1", "TH-SSK-2026-0141", "Samut Sakhon Provincial Court", "Room 3", "trial", "Asia/Bangkok",
                       NINE, NINE + timedelta(hours=3), False, moved, "somchai", (w,))


def _feeds(view: HearingView, status="CONFIRMED", sequence=0) -> dict[str, bytes]:
    out = {}
    for (audience, subject), content in contents(view).items():
        ev = StoredEvent(f"uid-{audience}-{subject}@witness", sequence, status, STAMP, content)
        out[f"{audience}:{subject}"] = render(audience, subject, [ev], content.get("lang", "en"))
    return out


def test_every_audience_gets_its_own_event_and_nothing_more():
    feeds = _feeds(_view(guardian="th"))
    assert sorted(feeds) == ["coordinator:amara", "escort:TH-SSK-F01", "escort:TH-SSK-F02", "guardian:W-AB23CD",
                             "interpreter:interp-07", "prosecutor:somchai", "victim:W-AB23CD"]
    _, [escort] = icalendar_events(feeds["escort:TH-SSK-F01"])
    assert escort["start"] == NINE - timedelta(minutes=90)  # the escort's window: pick-up to return
    assert "P-XY7Z9K" in escort["description"] and "never written in this calendar" in escort["description"]
    _, [prosecutor] = icalendar_events(feeds["prosecutor:somchai"])
    assert "video_link: requested — LATE request" in prosecutor["description"]
    _, [coordinator] = icalendar_events(feeds["coordinator:amara"])
    assert "GAP: H-1 W-AB23CD secure_accommodation" in coordinator["description"]
    assert escort["location"] == "" and "video-link room (the coordinator gives the place by phone)" in escort["description"]
    _, [victim] = icalendar_events(feeds["victim:W-AB23CD"])
    assert "W-AB23CD" not in victim["description"] + victim["summary"]  # the victim needs no pseudonym
    assert "TH-SSK-2026-0141" not in victim["description"] and victim["location"] == ""


@pytest.mark.parametrize("lang", ["en", "th", "id", "my", "km", "vi", "ms"])
def test_the_victims_feed_is_in_their_language(lang):
    feed = _feeds(_view(lang=lang))["victim:W-AB23CD"]
    head, [ev] = icalendar_events(feed)
    t = VICTIM_TEXT[lang]
    assert ev["summary"] == t["hearing"]
    assert t["pickup"].format(time="07:30") in ev["description"] and t["video"] in ev["description"]
    assert t["call"] in ev["description"] and ev["alarms"] == 2


def test_every_language_has_every_string_and_an_unknown_one_falls_back_to_english():
    keys = set(VICTIM_TEXT["en"])
    for lang, strings in VICTIM_TEXT.items():
        assert set(strings) == keys and all(s.strip() for s in strings.values()), lang
    assert {"en", "th", "id", "my", "km"} <= set(VICTIM_TEXT)
    assert victim_language("lo") == "en" and victim_language("th-TH") == "th" and victim_language(None) == "en"


def test_a_cancellation_is_published_in_a_publish_feed_without_reminders():
    for key, feed in _feeds(_view(), status="CANCELLED", sequence=3).items():
        head, [ev] = icalendar_events(feed)
        assert head["method"] == "PUBLISH" and ev["status"] == "CANCELLED" and ev["sequence"] == 3, key
        assert ev["alarms"] == 0
    _, [victim] = icalendar_events(_feeds(_view(lang="th"), status="CANCELLED")["victim:W-AB23CD"])
    assert victim["summary"] == VICTIM_TEXT["th"]["cancelled"]


def test_every_feed_parses_back_with_icalendar_vobject_and_libical_and_they_agree():
    feeds = _feeds(_view(guardian="id", moved=NINE - timedelta(days=7)), sequence=2)
    use_libical = libical_available()
    for key, feed in feeds.items():
        head, events = icalendar_events(feed)
        assert head["version"] == "2.0" and head["timezones"] == ["Asia/Bangkok"], key
        others = vobject_events(feed)
        assert [(e["uid"], e["sequence"], e["start"], e["end"]) for e in others] == \
            [(e["uid"], e["sequence"], e["start"], e["end"]) for e in events], key
        if use_libical:
            seen = libical_check(feed)
            assert seen["errors"] == [], (key, seen["errors"])
            assert seen["events"] == [[e["uid"], e["sequence"]] for e in events]


def test_rendering_the_same_events_twice_gives_the_same_bytes():
    assert _feeds(_view()) == _feeds(_view())


def test_render_refuses_an_unknown_audience():
    with pytest.raises(ValueError):
        render("journalist", "x", [])
    assert "guardian" in AUDIENCES


def test_a_witness_whose_recorded_statement_is_used_is_told_not_to_come():
    view = _view(lang="km")
    w = view.witnesses[0]
    from dataclasses import replace
    view = replace(view, witnesses=(replace(w, mode="recorded", escort_team=(), escort_start=None, escort_end=None),))
    _, [ev] = icalendar_events(_feeds(view)["victim:W-AB23CD"])
    assert VICTIM_TEXT["km"]["recorded"] in ev["description"] and VICTIM_TEXT["km"]["video"] not in ev["description"]
