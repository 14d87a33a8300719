"""The pure notice rules: urgency, channels, backoff, repeats, escalation, codes, content check."""
import random
from datetime import datetime, timedelta, timezone

from witness.domain.notice import (NORMAL_BACKOFF, URGENT_BACKOFF, Backoff, NoticeKind, case_event_notice,
                                   channels_for, custody_notice, escalation_level_due, language_of, leaks,
                                   new_ack_code, normalise_code, repeat_number)
from witness.domain.proceeding import Custody as C

T = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)


def test_release_escape_bail_and_acquittal_are_urgent_and_a_re_arrest_is_not():
    assert custody_notice(C.detained, C.released) == (NoticeKind.accused_released, True)
    assert custody_notice(C.detained, C.escaped) == (NoticeKind.accused_escaped, True)
    assert custody_notice(C.arrested, C.bailed) == (NoticeKind.accused_released, True)
    assert custody_notice(C.detained, C.acquitted) == (NoticeKind.accused_released, True)
    assert custody_notice(C.released, C.arrested) == (NoticeKind.accused_held, False)
    assert custody_notice(C.bailed, C.released) is None  # still free: nothing changed for the victim
    assert custody_notice(C.arrested, C.detained) is None


def test_only_stages_of_the_criminal_process_are_notified():
    assert case_event_notice("stage_changed", {"to_stage": "trial"}) is NoticeKind.stage_changed
    assert case_event_notice("stage_changed", {"to_stage": "withdrawn"}) is None
    assert case_event_notice("judgment", {}) is NoticeKind.judgment
    assert case_event_notice("something_else", {}) is None


def test_channels_are_the_safe_ones_with_an_address_sms_first():
    assert channels_for(("sms", "email", "call"), {"sms", "email"}, urgent=True) == ["sms", "email"]
    assert channels_for(("sms", "email"), {"sms", "email"}, urgent=False) == ["sms"]
    assert channels_for(("email",), {"sms", "email"}, urgent=True) == ["email"]
    assert channels_for(("sms", "call"), {"email"}, urgent=True) == []  # no phone on file: call / visit


def test_backoff_grows_exponentially_is_capped_and_jittered():
    policy = Backoff(timedelta(seconds=10), timedelta(minutes=5), 20)
    rng = random.Random(1)
    delays = [policy.delay(n, rng).total_seconds() for n in range(1, 12)]
    for n, d in enumerate(delays, start=1):
        step = min(300, 10 * 2 ** (n - 1))
        assert step / 2 <= d <= step
    assert max(delays) <= 300
    assert len({round(policy.delay(3, random.Random(s)).total_seconds(), 3) for s in range(20)}) > 10  # jitter


def test_urgent_alerts_retry_several_times_inside_their_15_minute_deadline():
    rng, waited, tries = random.Random(3), timedelta(0), 1
    while True:
        waited += URGENT_BACKOFF.delay(tries, rng)
        if waited > timedelta(minutes=15):
            break
        tries += 1
    assert tries >= 8
    assert NORMAL_BACKOFF.cap == timedelta(hours=1)


def test_repeats_fall_every_30_minutes_for_24_hours():
    assert repeat_number(T, T + timedelta(minutes=29)) is None
    assert repeat_number(T, T + timedelta(minutes=30)) == 1
    assert repeat_number(T, T + timedelta(minutes=95)) == 3
    assert repeat_number(T, T + timedelta(hours=24)) == 48
    assert repeat_number(T, T + timedelta(hours=24, minutes=1)) is None


def test_escalation_goes_to_the_coordinator_at_the_deadline_and_on_call_at_twice_it():
    assert escalation_level_due(T, T + timedelta(minutes=14), 15) == 0
    assert escalation_level_due(T, T + timedelta(minutes=15), 15) == 1
    assert escalation_level_due(T, T + timedelta(minutes=30), 15) == 2


def test_codes_are_short_unambiguous_and_forgiving_of_how_they_are_typed_back():
    code = new_ack_code()
    assert len(code) == 6 and not set(code) & set("01OILU")
    assert normalise_code(f" {code[:3].lower()}-{code[3:]} ") == code
    assert normalise_code("K7M3Q") is None and normalise_code("K7M3Q0") is None


def test_the_content_check_finds_names_and_addresses_whatever_their_case_and_spacing():
    assert leaks("Hello AUNG  MIN thein, call us", ["Aung Min Thein"])
    assert leaks("visit Room 4,  Mahachai Road", ["Room 4, Mahachai Road"])
    assert not leaks("Call +66 2 000 0001", ["Aung Min Thein", None, ""])


def test_languages_map_to_template_folders():
    assert language_of("tl") == "fil" and language_of("my-MM") == "my" and language_of(None) == "en"
