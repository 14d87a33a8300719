"""The protection planner (R-62), pure: gender preference, travel padding, leave and hours, double
booking across proceedings, one witness in two hearings, measures a jurisdiction restricts, no
weaker plan, and the same plan for the same inputs."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from witness.domain.hearing import AppearanceMode
from witness.domain.jurisdiction import MeasureRule
from witness.domain.measure import MeasureKind
from witness.domain.protection import Eligibility, WitnessConditions, eligibility
from witness.domain.resource import EscortPolicy, Hours, Leave, ResourceKind, SchedulingPolicy
from witness.domain.schedule import Busy, ConflictKind, Hearing, Presence, Resource, Witness, plan

COURT = "Samut Sakhon Provincial Court"
NINE = datetime(2026, 12, 14, 2, 0, tzinfo=timezone.utc)  # Monday 09:00 in Bangkok
POLICY = SchedulingPolicy()
ESCORT = MeasureKind.escort


def officer(oid: str, gender: str, **kw) -> Resource:
    return Resource(oid, ResourceKind.escort_officer, kw.pop("jurisdiction", "TH"), "Asia/Bangkok", gender=gender,
                    trained=kw.pop("trained", True), sites=(COURT,), **kw)


def thing(rid: str, kind: ResourceKind, **kw) -> Resource:
    return Resource(rid, kind, "TH", "Asia/Bangkok", sites=(COURT,), **kw)


def witness(case: str = "W-AAAAAA", granted=(ESCORT,), pref: str | None = None, **kw) -> Witness:
    return Witness(case, kw.pop("mode", AppearanceMode.in_person), kw.pop("travel", 60), tuple(granted),
                   gender_preference=pref, **kw)


def hearing(hid: str = "H-1", start: datetime = NINE, hours: float = 3, ws=(), docket: str = "TH-SSK-1") -> Hearing:
    return Hearing(hid, docket, "TH", "Asia/Bangkok", COURT, start, start + timedelta(hours=hours), tuple(ws))


def team(p, hid: str = "H-1", case: str | None = None) -> list[str]:
    return [b.resource_id for b in p.bookings if b.hearing_id == hid and b.measure is ESCORT
            and (case is None or b.case_id == case)]


def test_a_female_victim_who_asked_for_female_escorts_never_gets_a_team_without_the_women_she_asked_for():
    # Every mix of free and busy officers: she gets an all-female team or no team and a conflict.
    for females, males, busy_f in itertools.product(range(4), range(4), range(3)):
        staff = [officer(f"F{i}", "female") for i in range(females)] + [officer(f"M{i}", "male") for i in range(males)]
        busy = [Busy(f"F{i}", NINE - timedelta(hours=3), NINE + timedelta(hours=5), "H-OTHER", "TH-SSK-9")
                for i in range(min(busy_f, females))]
        p = plan([hearing(ws=[witness(pref="female")])], staff, POLICY, busy)
        booked = team(p)
        genders = {r.id: r.gender for r in staff}
        assert all(genders[o] == "female" for o in booked), (females, males, busy_f, booked)
        if not booked:
            assert any(c.kind in (ConflictKind.gender_preference_unmet, ConflictKind.no_resource_free)
                       and c.hearing_id == "H-1" for c in p.conflicts)
        assert len(booked) in (0, POLICY.escort.team_size)


def test_with_a_mixed_team_policy_there_is_always_at_least_one_woman_on_her_team():
    mixed = SchedulingPolicy(escort=EscortPolicy(same_gender_team=False))
    for females, males in itertools.product(range(3), range(3)):
        staff = [officer(f"F{i}", "female") for i in range(females)] + [officer(f"M{i}", "male") for i in range(males)]
        booked = team(plan([hearing(ws=[witness(pref="female")])], staff, mixed))
        if booked:
            assert any(o.startswith("F") for o in booked) and len(booked) == 2
        else:
            assert females == 0 or females + males < 2


def test_when_no_female_officer_is_free_the_conflict_names_the_hearing_and_says_why():
    staff = [officer("F1", "female", leave=(Leave.model_validate({"from": date(2026, 12, 14), "to": date(2026, 12, 18)}),)),
             officer("F2", "female"), officer("M1", "male"), officer("M2", "male")]
    busy = [Busy("F2", NINE - timedelta(hours=2), NINE + timedelta(hours=4), "H-OTHER", "TH-BKK-7")]
    p = plan([hearing("H-7", ws=[witness("W-FEMALE", pref="female")])], staff, POLICY, busy)
    assert team(p, "H-7") == []  # the two free men are NOT booked in her place
    [c] = p.conflicts
    assert c.kind is ConflictKind.gender_preference_unmet and c.hearing_id == "H-7" and c.case_id == "W-FEMALE"
    assert "hearing H-7 (TH-SSK-1)" in c.reason and "asked for female escorts" in c.reason
    assert "F1 is on leave 2026-12-14–2026-12-18" in c.reason
    assert "F2 is booked for hearing H-OTHER (TH-BKK-7)" in c.reason
    assert c.line().startswith("H-7 W-FEMALE escort: [gender_preference_unmet]")


def test_officer_double_booking_across_two_proceedings_is_detected():
    staff = [officer("M1", "male"), officer("M2", "male"), officer("M3", "male")]
    # Officer M1 is already booked for another proceeding's hearing; the victim asked for M1 by name.
    busy = [Busy("M1", NINE - timedelta(hours=1), NINE + timedelta(hours=4), "H-A", "TH-SSK-1", "W-OTHER")]
    p = plan([hearing("H-B", docket="TH-BKK-2", ws=[witness(pinned_escorts=("M1",))])], staff, POLICY, busy)
    [c] = p.conflicts
    assert c.kind is ConflictKind.double_booking and c.hearing_id == "H-B" and c.other_hearing == "H-A"
    assert "M1 is booked for hearing H-A (TH-SSK-1)" in c.reason
    assert team(p, "H-B") == []  # not silently replaced by another officer

    # Two bookings already on record for one officer in two proceedings at the same time.
    clash = [Busy("M2", NINE, NINE + timedelta(hours=3), "H-A", "TH-SSK-1", "W-ONE"),
             Busy("M2", NINE + timedelta(hours=1), NINE + timedelta(hours=5), "H-C", "TH-BKK-2", "W-TWO")]
    p = plan([], staff, POLICY, clash)
    [c] = p.conflicts
    assert c.kind is ConflictKind.double_booking and {c.hearing_id, c.other_hearing} == {"H-A", "H-C"}
    assert "TH-SSK-1" in c.reason and "TH-BKK-2" in c.reason


def test_a_planned_officer_is_not_booked_twice_across_proceedings_in_one_run():
    staff = [officer("M1", "male"), officer("M2", "male")]
    hs = [hearing("H-A", docket="TH-SSK-1", ws=[witness("W-ONE")]),
          hearing("H-B", docket="TH-BKK-2", start=NINE + timedelta(hours=1), ws=[witness("W-TWO")])]
    p = plan(hs, staff, POLICY)
    assert team(p, "H-A") == ["M1", "M2"] and team(p, "H-B") == []
    [c] = p.conflicts
    assert c.kind is ConflictKind.no_resource_free and c.hearing_id == "H-B" and c.other_hearing == "H-A"


def test_an_asked_for_officer_on_leave_is_reported_not_replaced():
    leave = (Leave.model_validate({"from": date(2026, 12, 14), "to": date(2026, 12, 14), "reason": "sick"}),)
    staff = [officer("M1", "male", leave=leave), officer("M2", "male"), officer("M3", "male")]
    p = plan([hearing(ws=[witness(pinned_escorts=("M1",))])], staff, POLICY)
    [c] = p.conflicts
    assert c.kind is ConflictKind.officer_on_leave and "M1 is on sick 2026-12-14–2026-12-14" in c.reason
    assert team(p) == []


def test_escort_windows_are_padded_with_travel_time_both_ways():
    p = plan([hearing(ws=[witness(travel=90)])], [officer("M1", "male"), officer("M2", "male")], POLICY)
    b = p.bookings[0]
    assert b.start == NINE - timedelta(minutes=90 + POLICY.escort.arrival_minutes)
    assert b.end == NINE + timedelta(hours=3, minutes=90)


def test_one_witness_in_two_hearings_is_a_conflict_even_when_only_travel_makes_them_overlap():
    staff = [officer(f"M{i}", "male") for i in range(4)]
    first = hearing("H-A", ws=[witness("W-SAME")])
    # 13:30 hearing: the morning's escort brings him home at 13:00, the afternoon's collects him at 12:00.
    second = hearing("H-B", start=NINE + timedelta(hours=4, minutes=30), docket="TH-BKK-2", ws=[witness("W-SAME")])
    p = plan([second, first], staff, POLICY)
    [c] = p.conflicts
    assert c.kind is ConflictKind.witness_double_booked and c.hearing_id == "H-B" and c.other_hearing == "H-A"
    assert team(p, "H-B") == [] and len(team(p, "H-A")) == 2
    # The same check against a hearing outside this plan.
    p = plan([second], staff, POLICY, presence=[Presence("W-SAME", NINE - timedelta(hours=1), NINE + timedelta(hours=5),
                                                         "H-A", "TH-SSK-1")])
    assert [c.kind for c in p.conflicts] == [ConflictKind.witness_double_booked]


def test_video_link_for_an_adult_in_indonesia_is_reported_with_the_condition_that_applies():
    rule = MeasureRule(available=True, conditions=["child witness", "traumatised witness"])
    adult = eligibility(MeasureKind.video_link, rule, "Indonesia", WitnessConditions(child=False, traumatised=False))
    w = witness("W-ADULT", granted=(), mode=AppearanceMode.video_link, eligibility=((MeasureKind.video_link, adult),))
    h = Hearing("H-ID", "ID-IDM-1", "ID", "Asia/Jakarta", "Pengadilan Negeri Indramayu", NINE, NINE + timedelta(hours=2), (w,))
    [c] = plan([h], [], POLICY).conflicts
    assert c.kind is ConflictKind.measure_unavailable and c.measure is MeasureKind.video_link
    assert "Indonesia allows video_link only for: child witness, traumatised witness" in c.reason
    child = eligibility(MeasureKind.video_link, rule, "Indonesia", WitnessConditions(child=True, traumatised=False))
    assert child.status is Eligibility.condition_met and "applies here: child witness" in child.note


def test_a_measure_the_jurisdiction_does_not_grant_is_a_conflict_and_is_not_booked():
    none = eligibility(MeasureKind.one_way_mirror, MeasureRule(available=False, note="no such rooms"), "Brunei",
                       WitnessConditions(False, False))
    w = witness(granted=(MeasureKind.screen,), eligibility=((MeasureKind.screen, none),))
    p = plan([hearing(ws=[w])], [thing("S1", ResourceKind.screen)], POLICY)
    assert p.bookings == () and p.conflicts[0].kind is ConflictKind.measure_unavailable


def test_hours_and_leave_are_honoured_and_named_when_nothing_is_left():
    hours = (Hours.model_validate({"days": ["mon"], "from": "08:00", "to": "17:00"}),)
    staff = [officer("M1", "male", hours=hours), officer("M2", "male", hours=hours), officer("M3", "male")]
    p = plan([hearing(ws=[witness()])], staff, POLICY)  # pick-up at 07:30: M1 and M2 are not yet on duty
    assert p.bookings == ()
    assert "M1 is off duty then (mon 08:00-17:00)" in p.conflicts[0].reason


def test_untrained_officers_are_never_booked_and_a_short_team_is_not_booked_at_all():
    staff = [officer("M1", "male"), officer("M2", "male", trained=False)]
    p = plan([hearing(ws=[witness()])], staff, POLICY)
    assert p.bookings == ()
    assert p.conflicts[0].kind is ConflictKind.no_resource_free and "team of 2" in p.conflicts[0].reason


def test_suites_screens_rooms_and_accommodation_are_booked_for_what_was_granted():
    granted = (ESCORT, MeasureKind.video_link, MeasureKind.screen, MeasureKind.separate_waiting_room,
               MeasureKind.secure_accommodation, MeasureKind.pseudonym)
    res = [officer("M1", "male"), officer("M2", "male"), thing("V1", ResourceKind.video_suite),
           thing("S1", ResourceKind.screen), thing("R1", ResourceKind.waiting_room),
           thing("A1", ResourceKind.secure_accommodation)]
    p = plan([hearing(ws=[witness(granted=granted)])], res, POLICY)
    assert sorted(b.resource_id for b in p.bookings) == ["A1", "M1", "M2", "R1", "S1", "V1"]
    assert [a.measure for a in p.arranged] == [MeasureKind.pseudonym]
    assert p.conflicts == ()


def test_a_previous_booking_is_kept_while_it_is_still_free():
    staff = [officer(f"M{i}", "male") for i in range(1, 6)]
    p = plan([hearing(ws=[witness(previous=((ESCORT, "M4"), (ESCORT, "M5")))])], staff, POLICY)
    assert team(p) == ["M4", "M5"]


def _scenario():
    staff = [officer(f"F{i}", "female") for i in range(6)] + [officer(f"M{i}", "male") for i in range(6)]
    staff += [thing(f"S{i}", ResourceKind.screen) for i in range(2)] + [thing("V1", ResourceKind.video_suite)]
    hs = []
    for i in range(30):
        ws = [witness(f"W-{i:04d}{j}", granted=(ESCORT, MeasureKind.screen, MeasureKind.video_link),
                      pref=("female", "male", None)[(i + j) % 3], travel=30 + 15 * (i % 4)) for j in range(2)]
        hs.append(hearing(f"H-{i:03d}", NINE + timedelta(hours=2 * (i % 5), days=i // 5), ws=ws, docket=f"D-{i % 3}"))
    return hs, staff


def test_the_same_inputs_give_the_same_plan_in_any_order_and_any_process():
    hs, staff = _scenario()
    first = plan(hs, staff, POLICY)
    assert plan(list(reversed(hs)), list(reversed(staff)), POLICY) == first
    assert first.conflicts and first.bookings  # a busy week: some needs cannot be met
    digest = [(b.hearing_id, b.case_id, b.measure.value, b.resource_id) for b in first.bookings]
    code = ("import json; from tests.unit.test_schedule_planner import _scenario, POLICY; from witness.domain.schedule "
            "import plan; hs, st = _scenario(); p = plan(hs, st, POLICY); print(json.dumps([[b.hearing_id, b.case_id, "
            "b.measure.value, b.resource_id] for b in p.bookings] + [c.line() for c in p.conflicts]))")
    for seed in ("1", "4242"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        assert json.loads(out) == [list(d) for d in digest] + [c.line() for c in first.conflicts]


def test_an_override_allows_other_officers_but_still_takes_the_women_who_are_free_first():
    staff = [officer("F1", "female"), officer("M1", "male"), officer("M2", "male")]
    p = plan([hearing(ws=[witness(pref="female", gender_override=True)])], staff, POLICY)
    assert team(p) == ["F1", "M1"] and p.conflicts == ()


def test_officers_asked_for_by_name_make_up_the_team_and_nobody_else_is_added_beyond_it():
    staff = [officer(f"F{i}", "female") for i in range(1, 5)]
    p = plan([hearing(ws=[witness(pref="female", pinned_escorts=("F3", "F4", "F1"))])], staff, POLICY)
    assert team(p) == ["F1", "F3", "F4"]
    p = plan([hearing(ws=[witness(pref="female", pinned_escorts=("F4",))])], staff, POLICY)
    assert team(p) == ["F1", "F4"]
