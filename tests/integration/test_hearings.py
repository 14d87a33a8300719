"""Hearings, measures, resources and calendars through the services, on SQLite and PostgreSQL
(R-60…R-63, R-22): the acceptance items of issue 4."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from tests.calendar_parsers import icalendar_events, libical_available, libical_check, vobject_events
from witness.outputs.calendars import VICTIM_TEXT
from tests.conftest import COORDINATOR, ESCORT, PROSECUTOR, T0, adult_form, child_form
from witness.domain.access import Actor, Role
from witness.errors import ActionBlocked, Forbidden, IllegalTransition, InputProblems
from witness.services import calendar_feeds, consent, hearings, measures, preparation, resources
from witness.services.intake import open_case
from witness.services.sweep import SYSTEM, run as sweep
from witness.store.hearing_tables import appearances, bookings, calendar_events
from witness.store.hearing_tables import measures as measure_rows
from witness.store.risk_tables import risk_assessments, risk_reviews_due
from witness.store.tables import worklist

COURT = "Samut Sakhon Provincial Court"
NAME, ADDRESS, PICKUP = "Canaryname Zyxwvut", "77 Quokkastraat Hidden Lane", "Pickupcanary Soi 9"
WHEN = T0 + timedelta(days=30)  # 2 December 2026, 10:00 in Bangkok: after the reflection period
RESOURCES = {
    "policy": {"escort": {"team_size": 2, "travel_minutes": 60}},
    "resources": [
        {"id": "F1", "kind": "escort_officer", "jurisdiction": "TH", "gender": "female", "trained": True, "sites": [COURT]},
        {"id": "F2", "kind": "escort_officer", "jurisdiction": "TH", "gender": "female", "trained": True, "sites": [COURT]},
        {"id": "M1", "kind": "escort_officer", "jurisdiction": "TH", "gender": "male", "trained": True, "sites": [COURT]},
        {"id": "M2", "kind": "escort_officer", "jurisdiction": "TH", "gender": "male", "trained": True, "sites": [COURT]},
        {"id": "SCREEN-1", "kind": "screen", "jurisdiction": "TH", "sites": [COURT]},
        {"id": "WAIT-1", "kind": "waiting_room", "jurisdiction": "TH", "sites": [COURT]},
        {"id": "VIDEO-1", "kind": "video_suite", "jurisdiction": "TH", "sites": [COURT]},
        {"id": "ID-F1", "kind": "escort_officer", "jurisdiction": "ID", "gender": "female", "trained": True},
        {"id": "ID-F2", "kind": "escort_officer", "jurisdiction": "ID", "gender": "female", "trained": True},
        {"id": "ID-VIDEO", "kind": "video_suite", "jurisdiction": "ID"},
    ],
}
ALL_FEEDS = [("coordinator", "amara", None), ("prosecutor", "somchai", None), ("interpreter", "interp-07", None)]


def _victim(app, docket="TH-SSK-2026-0141", gender="female", preference="female", name=NAME, address=ADDRESS,
            testimony=True, language="km") -> str:
    form = adult_form()
    form["victim"] = dict(form["victim"], legal_name=name, address=address, gender=gender, preferred_language=language,
                          escort_gender_preference=preference, aliases=[name.split()[0]])
    form["proceedings"] = [dict(form["proceedings"][0], docket=docket, prosecutor="somchai")]
    case = open_case(app, COORDINATOR, form)
    if testimony:
        consent.give(app, COORDINATOR, case, "testimony", "written", language, explained=True)
    return case


def _assessed(app, case: str, recommended: list[str]) -> None:
    with app.engine.begin() as c:
        c.execute(insert(risk_assessments).values(
            id=str(uuid.uuid4()), case_id=case, at=app.clock.now(), assessor="amara", trigger="initial", level="high",
            score=35, victim_scale=6, factors="[]", recommended=json.dumps(recommended), answers="x",
            next_review_at=app.clock.now() + timedelta(days=14)))


def _grant(app, hearing_id: str, case: str, kinds: list[str]) -> None:
    mine = {m["kind"]: m["id"] for m in measures.list_measures(app, COORDINATOR, hearing_id) if m["case"] == case}
    for k in kinds:
        if k not in mine:
            mine[k] = measures.propose(app, PROSECUTOR, hearing_id, case, k)
    measures.request(app, PROSECUTOR, [mine[k] for k in kinds])
    for k in kinds:
        measures.decide(app, PROSECUTOR, mine[k], "granted")


def _hearing(app, case: str, docket="TH-SSK-2026-0141", at=WHEN, **witness) -> str:
    w = {"case": case, "interpreter": "interp-07", "pickup_address": PICKUP, **witness}
    return hearings.add(app, PROSECUTOR, docket, at, at + timedelta(hours=3), witnesses=[w])["hearing"]


def _escorts(app, hearing_id: str) -> list[str]:
    with app.engine.connect() as c:
        return sorted(c.execute(select(bookings.c.resource_id).where(
            bookings.c.hearing_id == hearing_id, bookings.c.measure == "escort", bookings.c.status == "booked")).scalars())


def _officer_feeds(app) -> list[tuple[str, str, None]]:
    with app.engine.connect() as c:
        officers = sorted(set(c.execute(select(calendar_events.c.subject)
                                        .where(calendar_events.c.audience == "escort")).scalars()))
    return [("escort", o, None) for o in officers]


def _hearing_events(feed: bytes) -> list[dict]:
    """The hearing events of a feed: the victim's also holds her other dated obligations (R-114), e.g.
    the end of her reflection period."""
    others = {t[k] for t in VICTIM_TEXT.values() for k in ("reflection_end", "instalment", "interview", "testimony",
                                                           "medical_exam")}
    return [e for e in icalendar_events(feed)[1] if e["summary"] not in others]


def _all_feeds(app, case: str) -> dict[str, bytes]:
    feeds = ALL_FEEDS + _officer_feeds(app) + [("victim", None, case)]
    return {f"{a}:{who or case}": calendar_feeds.export(app, COORDINATOR, a, who, case) for a, who, case in feeds}


@pytest.fixture
def loaded(app):
    resources.load(app, COORDINATOR, RESOURCES)
    return app


def test_a_victim_appears_at_a_hearing_only_with_consent_to_testimony(loaded):
    case = _victim(loaded, testimony=False)
    with pytest.raises(ActionBlocked, match="no active consent to testimony"):
        _hearing(loaded, case)
    with loaded.engine.connect() as c:
        assert c.execute(select(appearances)).all() == []


def test_measures_are_recommended_from_the_latest_assessment_with_deadlines_from_the_profile(loaded):
    case = _victim(loaded)
    _assessed(loaded, case, ["pseudonym", "screen"])
    loaded.clock.advance(hours=1)
    _assessed(loaded, case, ["screen", "separate_waiting_room"])  # the latest counts
    hid = _hearing(loaded, case)
    got = {m["kind"]: m for m in measures.list_measures(loaded, COORDINATOR, case)}
    assert set(got) == {"escort", "screen", "separate_waiting_room"}
    assert {m["status"] for m in got.values()} == {"recommended"}
    assert got["screen"]["request_by"] == "2026-11-25T10:00:00+07:00"  # 7 days before, Bangkok time
    assert got["escort"]["source"] == "guide" and got["screen"]["source"] == "risk"
    assert loaded.profile("TH").measure_application.request_days_before_hearing == 7
    assert {m["kind"] for m in measures.list_measures(loaded, PROSECUTOR, hid)} == set(got)


def test_a_late_request_is_made_and_flagged_late_not_hidden(loaded):
    case = _victim(loaded)
    hid = _hearing(loaded, case)
    [escort] = [m for m in measures.list_measures(loaded, COORDINATOR, hid) if m["kind"] == "escort"]
    loaded.clock.at = WHEN - timedelta(days=2)  # deadline 7 days before; others have 3 days to respond
    [r] = measures.request(loaded, PROSECUTOR, [escort["id"]])
    assert r["late"] and r["note"].startswith("LATE") and "response window ends after the hearing" in r["note"]
    assert measures.list_measures(loaded, COORDINATOR, case)[0]["late"] is True
    with loaded.engine.connect() as c:
        assert "measure_late" in set(c.execute(select(worklist.c.kind).where(worklist.c.case_id == case)).scalars())


def test_a_grant_is_booked_at_once_and_a_denial_makes_a_risk_review_due(loaded):
    case = _victim(loaded)
    _assessed(loaded, case, ["screen", "closed_hearing"])
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort", "screen"])
    [closed] = [m for m in measures.list_measures(loaded, COORDINATOR, hid) if m["kind"] == "closed_hearing"]
    measures.request(loaded, PROSECUTOR, [closed["id"]])
    measures.decide(loaded, PROSECUTOR, closed["id"], "denied")
    status = {m["kind"]: m["status"] for m in measures.list_measures(loaded, COORDINATOR, hid)}
    assert status == {"escort": "scheduled", "screen": "scheduled", "closed_hearing": "denied"}
    assert _escorts(loaded, hid) == ["F1", "F2"]
    with loaded.engine.connect() as c:
        due = c.execute(select(risk_reviews_due.c.trigger).where(risk_reviews_due.c.case_id == case)).scalar()
        assert due == "measure_denied"
        assert "measure_denied" in set(c.execute(select(worklist.c.kind).where(worklist.c.case_id == case)).scalars())
    with pytest.raises(IllegalTransition):
        measures.decide(loaded, PROSECUTOR, closed["id"], "granted")


def test_a_female_victim_who_asked_for_female_escorts_never_gets_a_male_only_team(loaded):
    first = _victim(loaded)
    h1 = _hearing(loaded, first)
    _grant(loaded, h1, first, ["escort"])
    assert _escorts(loaded, h1) == ["F1", "F2"]
    # A second woman, same morning, another proceeding: the women are taken, the men are free.
    second = _victim(loaded, docket="TH-SSK-2026-0999", name="Other Canary", address="Elsewhere 1")
    h2 = _hearing(loaded, second, docket="TH-SSK-2026-0999", at=WHEN + timedelta(hours=1))
    _grant(loaded, h2, second, ["escort"])
    assert _escorts(loaded, h2) == []
    view = preparation.plan_hearing(loaded, COORDINATOR, h2)
    [gap] = [c for c in view["conflicts"] if "gender_preference_unmet" in c]
    assert gap.startswith(f"{h2} {second} escort") and f"hearing {h2} (TH-SSK-2026-0999)" in gap
    assert f"booked for hearing {h1} (TH-SSK-2026-0141)" in gap
    with loaded.engine.connect() as c:
        items = c.execute(select(worklist.c.detail, worklist.c.assignee).where(
            worklist.c.case_id == second, worklist.c.kind == "hearing_gap", worklist.c.done_at.is_(None))).all()
    assert [i.assignee for i in items] == ["amara"] and h2 in items[0].detail
    # A coordinator may accept a mixed team only with a recorded reason (DNH-05 is overridable).
    booked = preparation.plan_hearing(loaded, COORDINATOR, h2, book=True, overrides={
        "DNH-05-gender-preference": "she agreed by phone to male officers this once"})
    assert booked["conflicts"] == [] and _escorts(loaded, h2) == ["M1", "M2"]
    # The decision holds when the daily preparation plans the hearing again without anyone present.
    loaded.clock.advance(days=20)
    with loaded.uow(SYSTEM) as uow:
        preparation.prepare_in(uow, [h2])
        uow.commit()
    assert _escorts(loaded, h2) == ["M1", "M2"]


def test_officer_double_booking_across_two_proceedings_is_detected(loaded):
    a = _victim(loaded, gender="male", preference="male", name="Alpha Canary", address="A street")
    h1 = _hearing(loaded, a)
    _grant(loaded, h1, a, ["escort"])
    assert _escorts(loaded, h1) == ["M1", "M2"]
    b = _victim(loaded, docket="TH-BKK-2026-0002", gender="male", preference=None, name="Beta Canary", address="B road")
    h2 = _hearing(loaded, b, docket="TH-BKK-2026-0002", at=WHEN + timedelta(hours=2), escorts=["M1"])
    _grant(loaded, h2, b, ["escort"])
    view = preparation.plan_hearing(loaded, COORDINATOR, h2)
    [clash] = view["conflicts"]
    assert "[double_booking]" in clash and f"M1 is booked for hearing {h1} (TH-SSK-2026-0141)" in clash
    assert _escorts(loaded, h2) == []


def test_a_witness_due_at_an_overlapping_hearing_is_a_conflict_read_from_the_store(loaded):
    """The planner learns where this hearing's own witnesses are due elsewhere (their appearances,
    read by case) — and only theirs: another victim at an overlapping hearing is no conflict here."""
    a = _victim(loaded)
    b = _victim(loaded, docket="TH-BKK-2026-0002", name="Beta Canary", address="B road")
    h1 = _hearing(loaded, a)
    _hearing(loaded, b, docket="TH-BKK-2026-0002", at=WHEN + timedelta(hours=1))  # overlaps, someone else
    h2 = _hearing(loaded, a, at=WHEN + timedelta(hours=2))
    view = preparation.plan_hearing(loaded, COORDINATOR, h2)
    clashes = [c for c in view["conflicts"] if "[witness_double_booked]" in c]
    assert len(clashes) == 1 and f"{a} is due at hearing {h1} (TH-SSK-2026-0141)" in clashes[0]
    later = _hearing(loaded, b, docket="TH-BKK-2026-0002", at=WHEN + timedelta(days=3))
    assert not [c for c in preparation.plan_hearing(loaded, COORDINATOR, later)["conflicts"]
                if "[witness_double_booked]" in c]


def test_moving_a_hearing_updates_every_feed_with_the_same_uid_and_a_higher_sequence(loaded):
    case = _victim(loaded)
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort", "screen"])
    before = {k: _hearing_events(v) for k, v in _all_feeds(loaded, case).items()}
    assert set(before) >= {"coordinator:amara", "prosecutor:somchai", "interpreter:interp-07", "escort:F1", "escort:F2",
                           f"victim:{case}"}
    loaded.clock.advance(days=1)
    hearings.move(loaded, PROSECUTOR, hid, WHEN + timedelta(days=7), reason="adjourned at the defence's request")
    after = {k: _hearing_events(v) for k, v in _all_feeds(loaded, case).items()}
    for key, [old] in before.items():
        [new] = after[key]
        assert new["uid"] == old["uid"] and new["sequence"] > old["sequence"], key
        assert new["status"] == "CONFIRMED"
    assert after[f"victim:{case}"][0]["start"] == WHEN + timedelta(days=7)
    assert "Moved from 2026-12-02 10:00" in after["coordinator:amara"][0]["description"]
    # Exporting again without a change gives the same bytes: SEQUENCE counts changes, not exports.
    assert _all_feeds(loaded, case) == _all_feeds(loaded, case)


def test_cancelling_publishes_the_cancellation_in_every_feed_and_releases_everything(loaded):
    case = _victim(loaded)
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort", "screen"])
    before = {k: _hearing_events(v)[0] for k, v in _all_feeds(loaded, case).items()}
    r = hearings.cancel(loaded, PROSECUTOR, hid, "charges withdrawn against this accused")
    assert r["released"] == 3 and r["measures_cancelled"] == 2
    for key, feed in _all_feeds(loaded, case).items():
        head, _ = icalendar_events(feed)
        [ev] = _hearing_events(feed)
        assert head["method"] == "PUBLISH" and ev["status"] == "CANCELLED", key
        assert ev["uid"] == before[key]["uid"] and ev["sequence"] == before[key]["sequence"] + 1
    assert _escorts(loaded, hid) == []
    with pytest.raises(IllegalTransition):
        hearings.move(loaded, PROSECUTOR, hid, WHEN + timedelta(days=3), reason="too late")


def test_every_feed_parses_back_with_icalendar_and_independent_parsers(loaded):
    case = _victim(loaded)
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort", "screen", "separate_waiting_room"])
    feeds = _all_feeds(loaded, case)
    for key, feed in feeds.items():
        head, events = icalendar_events(feed)
        assert head["timezones"] == ["Asia/Bangkok"] and events and all(e["alarms"] for e in events), key
        assert [(e["uid"], e["sequence"], e["start"]) for e in vobject_events(feed)] == \
            [(e["uid"], e["sequence"], e["start"]) for e in events], key
        if libical_available():
            assert libical_check(feed)["errors"] == [], key


def test_canary_the_victims_real_name_and_address_are_in_no_feed_for_any_audience(loaded):
    case = _victim(loaded, language="th")
    child = open_case(loaded, COORDINATOR, child_form(jurisdiction="ID"))
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort", "screen", "separate_waiting_room", "video_link"])
    feeds = _all_feeds(loaded, case)
    feeds["guardian-less"] = calendar_feeds.export(loaded, COORDINATOR, "coordinator", "dewi")
    canaries = [NAME, *NAME.split(), ADDRESS, "Quokkastraat", PICKUP, "Pickupcanary", "+66 81 234 5678", "Siti",
                "Rahmawati", "Nur Hasanah"]
    for key, feed in feeds.items():
        text = feed.decode("utf-8")
        unfolded = text.replace("\r\n ", "")
        for c in canaries:
            assert c not in unfolded and c.lower() not in unfolded.lower(), (key, c)
    assert child  # a second victim in the store whose identity must not leak either


def test_withdrawing_consent_to_testify_cancels_pending_measures_and_escorts(loaded):
    case = _victim(loaded)
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort", "screen"])
    result = consent.withdraw(loaded, COORDINATOR, case, "testimony")
    assert result["cancelled"] == 3  # the appearance, and the escort and screen measures
    with loaded.uow(COORDINATOR) as uow:  # consent.withdraw called it in its own transaction; again: nothing left
        assert hearings.cancel_for_withdrawn_consent(uow, case, "testimony") == 0
        assert hearings.cancel_for_withdrawn_consent(uow, case, "interview") == 0
        uow.commit()
    assert {m["status"] for m in measures.list_measures(loaded, COORDINATOR, case)} == {"cancelled"}
    assert _escorts(loaded, hid) == []
    for key in ("escort:F1", f"victim:{case}"):
        [ev] = _hearing_events(_all_feeds(loaded, case)[key])
        assert ev["status"] == "CANCELLED", key
    [coordinator] = icalendar_events(_all_feeds(loaded, case)["coordinator:amara"])[1]
    assert coordinator["status"] == "CANCELLED"  # no witness of hers left at that hearing
    # Consent given again: the appearance and its measures start over (same feed UIDs).
    consent.give(loaded, COORDINATOR, case, "testimony", "written", "km", explained=True)
    hearings.appear(loaded, COORDINATOR, hid, {"case": case, "interpreter": "interp-07"})
    assert {m["status"] for m in measures.list_measures(loaded, COORDINATOR, case)} == {"recommended"}


def test_the_sweep_prepares_a_hearing_within_14_days_once_and_lists_a_measure_deadline_as_it_nears(loaded):
    """Prepared once within 14 days; again not every day but when something changed or the clock
    reaches its recheck_at (tests/integration/test_prep_inputs.py). A measure's deadline coming
    near is found by its own follow-up: the coordinator is told 3 days before, once."""
    case = _victim(loaded)
    hid = _hearing(loaded, case)
    loaded.clock.at = WHEN - timedelta(days=13)
    with loaded.engine.connect() as c:
        assert preparation.select_prep(c, loaded.clock.now(), loaded.profiles) == [hid]
    first = sweep(loaded, SYSTEM, loaded.clock.now())
    assert first.changed["hearing_prep"] == 1
    again = sweep(loaded, SYSTEM, loaded.clock.now())
    assert again.selected["hearing_prep"] == 0

    def deadline_items():
        with loaded.engine.connect() as c:
            return list(c.execute(select(worklist.c.kind).where(worklist.c.case_id == case,
                                                                worklist.c.kind == "measure_deadline")).scalars())

    with loaded.engine.connect() as c:
        request_by = c.execute(select(measure_rows.c.request_by).where(measure_rows.c.hearing_id == hid,
                                                                       measure_rows.c.kind == "escort")).scalar_one()
    warn_at = request_by - timedelta(days=3)  # the coordinator is told 3 days before
    assert warn_at > loaded.clock.now() + timedelta(days=1)
    assert deadline_items() == []
    quiet = sweep(loaded, SYSTEM, warn_at - timedelta(hours=1))
    assert quiet.selected["hearing_prep"] == 0 and deadline_items() == []
    near = sweep(loaded, SYSTEM, warn_at)
    assert near.selected["hearing_prep"] == 0 and near.changed["measure_deadline"] == 1
    assert deadline_items() == ["measure_deadline"]
    assert sweep(loaded, SYSTEM, warn_at + timedelta(days=1)).selected["measure_deadline"] == 0
    assert deadline_items() == ["measure_deadline"]


def jakarta_video_link(app) -> tuple[str, dict]:
    """An adult to testify by video link in Indonesia, whose courts allow it only for a child or a
    traumatised witness (config/jurisdictions/ID.yaml): her case, and what adding the hearing said."""
    form = adult_form(jurisdiction="ID")
    form["victim"] = dict(form["victim"], preferred_language="id", escort_gender_preference=None)
    form["proceedings"] = [{"court": "Pengadilan Negeri Jakarta Utara", "docket": "ID-JKU-1", "prosecutor": "somchai"}]
    case = open_case(app, COORDINATOR, form)
    consent.give(app, COORDINATOR, case, "testimony", "written", "id", explained=True)
    return case, hearings.add(app, PROSECUTOR, "ID-JKU-1", WHEN, WHEN + timedelta(hours=2),
                              witnesses=[{"case": case, "mode": "video_link"}])


def test_indonesia_video_link_needs_a_recorded_condition_for_an_adult(loaded):
    case, r = jakarta_video_link(loaded)
    [video] = [m for m in measures.list_measures(loaded, COORDINATOR, case) if m["kind"] == "video_link"]
    assert video["eligibility"] == "condition_unmet" and "child witness, traumatised witness" in video["condition"]
    assert any("[measure_unavailable]" in c and "video_link" in c for c in r["conflicts"])
    measures.record_condition(loaded, COORDINATOR, case, "traumatised_witness")
    [video] = [m for m in measures.list_measures(loaded, COORDINATOR, case) if m["kind"] == "video_link"]
    assert video["eligibility"] == "condition_met" and "applies here: traumatised witness" in video["condition"]


def test_a_resource_file_with_mistakes_names_each_field_and_loads_nothing(app):
    bad = {"resources": [{"id": "X1", "kind": "escort_officer", "jurisdiction": "TH", "trained": True},
                         {"id": "S", "kind": "screen", "jurisdiction": "XX",
                          "hours": [{"days": ["mon"], "from": "10:00", "to": "09:00"}]}]}
    with pytest.raises(InputProblems) as e:
        resources.load(app, COORDINATOR, bad)
    text = str(e.value)
    assert "resources.0: Value error, an escort officer needs a gender" in text
    assert "resources.1.id" in text and "resources.1.jurisdiction" in text and "resources.1.hours.0" in text
    assert resources.list_resources(app, COORDINATOR) == []


def test_only_the_right_roles_load_resources_and_each_export_only_their_own_feed(loaded):
    with pytest.raises(Forbidden):
        resources.load(loaded, PROSECUTOR, RESOURCES)
    with pytest.raises(Forbidden):
        calendar_feeds.export(loaded, ESCORT, "coordinator", "amara")
    with pytest.raises(Forbidden):
        calendar_feeds.export(loaded, Actor("F1", Role.escort), "escort", "F2")
    assert calendar_feeds.export(loaded, Actor("F1", Role.escort), "escort").startswith(b"BEGIN:VCALENDAR")
    with pytest.raises(InputProblems, match="needs --case"):
        calendar_feeds.export(loaded, COORDINATOR, "victim")
    listed = resources.list_resources(loaded, COORDINATOR, kind="escort_officer", jurisdiction="TH")
    assert [r["id"] for r in listed] == ["F1", "F2", "M1", "M2"]


def test_a_child_cannot_be_cross_examined_in_person_by_the_defendant(loaded):
    form = child_form(jurisdiction="ID")
    form["proceedings"] = [{"court": "Pengadilan Negeri Indramayu", "docket": "ID-IDM-9", "prosecutor": "somchai"}]
    case = open_case(loaded, COORDINATOR, form)
    consent.give(loaded, COORDINATOR, case, "testimony", "written", "id", guardian_agreed=True, explained=True)
    with pytest.raises(ActionBlocked, match="DNH-08"):
        hearings.add(loaded, PROSECUTOR, "ID-IDM-9", WHEN, WHEN + timedelta(hours=2),
                     witnesses=[{"case": case, "defendant_cross_examines": True}])
    r = hearings.add(loaded, PROSECUTOR, "ID-IDM-9", WHEN, WHEN + timedelta(hours=2),
                     witnesses=[{"case": case, "mode": "video_link"}])
    kinds = {m["kind"] for m in measures.list_measures(loaded, COORDINATOR, case)}
    assert {"no_defendant_cross_examination", "intermediary", "video_link", "support_person"} <= kinds
    _grant(loaded, r["hearing"], case, ["escort", "video_link"])
    assert _escorts(loaded, r["hearing"]) == ["ID-F1", "ID-F2"]
    guardian = calendar_feeds.export(loaded, COORDINATOR, "guardian", case_id=case)
    [ev] = _hearing_events(guardian)
    assert ev["summary"] == "Sidang pengadilan" and "melalui video" in ev["description"]


def test_key_rotation_rewraps_the_keys_of_pickup_addresses_court_notes_and_reasons(loaded):
    from tests.conftest import ADMIN
    from witness.services.keys import rotate
    from witness.store.hearing_tables import ENCRYPTED
    from witness.store.key_tables import data_keys

    case = _victim(loaded)
    hid = _hearing(loaded, case)
    [escort] = [m for m in measures.list_measures(loaded, COORDINATOR, hid) if m["kind"] == "escort"]
    measures.request(loaded, PROSECUTOR, [escort["id"]])
    measures.decide(loaded, PROSECUTOR, escort["id"], "partially_granted", note="to court only, not back")
    hearings.move(loaded, PROSECUTOR, hid, WHEN + timedelta(days=1), reason="judge ill")
    assert rotate(loaded, ADMIN).active == "k2"
    cipher, found = loaded.cipher, {}
    with loaded.engine.connect() as c:
        cipher = cipher.on(c)  # data keys read on this connection (SQLite: one writer)
        # Values stay under their data keys (the victim's for the pickup address and the decision
        # note); the rotation rewrapped those keys under the new key-encryption key.
        assert set(c.execute(select(data_keys.c.kek_id)).scalars()) == {"k2"}
        for table, _pk, cols, bound in ENCRYPTED:
            for row in c.execute(select(table)):
                for col in cols:
                    value = getattr(row, col)
                    if value:
                        assert value.startswith(("dk:", "dk=")), (table.name, col)
                        found[(table.name, col)] = cipher.decrypt(table.name, col, str(getattr(row, bound)), value)
    assert found == {("appearances", "pickup_address"): PICKUP, ("measures", "decision_note"): "to court only, not back",
                     ("hearing_changes", "reason"): "judge ill"}


def test_reported_settlement_pressure_never_releases_a_booked_escort_on_the_daily_prep(loaded):
    from witness.services import risk

    case = _victim(loaded)
    hid = _hearing(loaded, case)
    _grant(loaded, hid, case, ["escort"])
    assert _escorts(loaded, hid) == ["F1", "F2"]
    risk.report(loaded, COORDINATOR, case, "settlement_pressure")
    loaded.clock.at = WHEN - timedelta(days=10)
    # The sweep prepares it again (the flag is a fact it reads), with no one to override a warning.
    assert sweep(loaded, SYSTEM, loaded.clock.now()).changed["hearing_prep"] == 1
    assert _escorts(loaded, hid) == ["F1", "F2"]
