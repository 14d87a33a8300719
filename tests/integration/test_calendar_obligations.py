"""Calendars hold more than hearings (issue 14, item 5; R-63, R-114): interviews and examinations,
measure filing deadlines, the end of the reflection period and restitution instalments, each
audience only its own — the victim (and guardian) in their language, the coordinator, the prosecutor,
the lawyer, the escort. Every feed is read back with icalendar, vobject and libical, and none carries
a legal name, an address or a pick-up place. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.calendar_parsers import icalendar_events, libical_available, libical_check, vobject_events
from tests.conftest import ADMIN, COORDINATOR, PROSECUTOR, child_form
from tests.integration.test_hearings import ADDRESS, NAME, PICKUP, RESOURCES, WHEN, _assessed, _grant, _hearing, _victim
from witness.domain.access import Actor, Role
from witness.outputs.calendars import VICTIM_TEXT
from witness.services import accounts, appointments, calendar_feeds, claims, reflection, resources, subscriptions
from witness.services.intake import open_case

HANA = Actor("hana", Role.legal_aid)
ESCORT = Actor("F1", Role.escort)
CANARIES = [NAME, ADDRESS, PICKUP, "Canaryname", "Zyxwvut", "Quokkastraat", "Pickupcanary", "Siti Rahmawati",
            "Nur Hasanah"]


@pytest.fixture
def store(app):
    """Her hearing in Bangkok (escorts F1 and F2), a testimony appointment, a measure to file, her
    reflection period running; a child in Indonesia whose claim was awarded in two instalments."""
    resources.load(app, COORDINATOR, RESOURCES)
    hers = _victim(app)  # Khmer
    _assessed(app, hers, ["escort", "screen"])
    hearing = _hearing(app, hers)
    _grant(app, hearing, hers, ["escort"])
    appointments.schedule(app, COORDINATOR, hers, "testimony", WHEN - timedelta(days=3))
    child = open_case(app, COORDINATOR, child_form())  # Bahasa Indonesia, a guardian
    for login, role in (("hana", "legal_aid"), ("somchai", "prosecutor"), ("amara", "coordinator"), ("F1", "escort")):
        accounts.add(app, ADMIN, login, role)
    accounts.assign(app, ADMIN, "hana", add_cases=[child])
    cid = claims.new(app, HANA, child)["claim"]
    claims.add_item(app, HANA, cid, "emotional_suffering", "6000000", note="assessed by LPSK")
    claims.file(app, HANA, cid, "2026-11-02")
    claims.award(app, HANA, cid, "6000000", "2026-11-02", payer="the convicted person",
                 instalments=[("2026-12-01", "3000000"), ("2027-01-01", "3000000")])
    return dict(hers=hers, child=child, claim=cid, hearing=hearing)


def _read(feed: bytes) -> list[dict]:
    """The events as icalendar reads them, checked against vobject and libical, canaries absent."""
    text = feed.decode("utf-8")
    for canary in CANARIES:
        assert canary not in text, canary
    _, events = icalendar_events(feed)
    assert [(e["uid"], e["sequence"], e["start"]) for e in vobject_events(feed)] == \
        [(e["uid"], e["sequence"], e["start"]) for e in events]
    if libical_available():
        seen = libical_check(feed)
        assert seen["errors"] == [], seen["errors"]
        assert sorted(u for u, _ in seen["events"]) == sorted(e["uid"] for e in events)
    assert len({e["uid"] for e in events}) == len(events)
    return events


def _own_feed(app, actor: Actor) -> bytes:
    return subscriptions.feed(app, subscriptions.issue(app, actor))


def test_the_victims_feed_holds_her_hearing_her_appointment_and_the_end_of_her_reflection_in_khmer(app, store):
    feed = calendar_feeds.export(app, COORDINATOR, "victim", case_id=store["hers"])
    app.clock.advance(minutes=5)  # a later export of the same facts gives the same bytes
    assert calendar_feeds.export(app, COORDINATOR, "victim", case_id=store["hers"]) == feed
    events = _read(feed)
    t = VICTIM_TEXT["km"]
    by_summary = {e["summary"]: e for e in events}
    assert set(by_summary) == {t["hearing"], t["testimony"], t["reflection_end"]}
    assert by_summary[t["testimony"]]["start"] == WHEN - timedelta(days=3)
    assert t["appointment_note"] in by_summary[t["testimony"]]["description"]
    for e in events:  # what she needs, in her words: no pseudonym, no docket, no staff wording
        assert store["hers"] not in e["summary"] + e["description"] and "TH-SSK" not in e["description"]
        assert "deadline" not in e["summary"].lower() and "risk" not in e["description"].lower()
    # her decision ends the period at once: the event leaves her feed before any sweep
    reflection.decide(app, COORDINATOR, store["hers"], "cooperate")
    after = _read(calendar_feeds.export(app, COORDINATOR, "victim", case_id=store["hers"]))
    assert t["reflection_end"] not in {e["summary"] for e in after}


def test_the_childs_and_her_guardians_feeds_hold_the_instalments_due_to_her_in_indonesian(app, store):
    t = VICTIM_TEXT["id"]
    for audience in ("victim", "guardian"):
        events = _read(calendar_feeds.export(app, COORDINATOR, audience, case_id=store["child"]))
        due = sorted(e["start"] for e in events if e["summary"] == t["instalment"])
        assert due == [date(2026, 12, 1), date(2027, 1, 1)], audience  # whole days, as the award sets them
        assert all(store["claim"] not in e["description"] for e in events)
        assert t["reflection_end"] in {e["summary"] for e in events}
    paid = claims.pay(app, HANA, store["claim"], "3000000", "IDR", "2026-11-02", "TRX-1")
    assert paid
    events = _read(calendar_feeds.export(app, COORDINATOR, "victim", case_id=store["child"]))
    assert [e["start"] for e in events if e["summary"] == t["instalment"]] == [date(2027, 1, 1)]


def test_each_staff_audience_keeps_only_its_own_obligations(app, store):
    hers, child, cid, hearing = store["hers"], store["child"], store["claim"], store["hearing"]
    prosecutor = {e["summary"] for e in _read(_own_feed(app, PROSECUTOR))}
    assert f"Hearing TH-SSK-2026-0141: 1 protected witness" in prosecutor
    assert f"Testimony: {hers}" in prosecutor and f"Reflection period ends: {hers}" in prosecutor
    assert any(s.startswith(f"Measure request deadline: {hers} (screen, hearing {hearing})") for s in prosecutor)
    assert not [s for s in prosecutor if s.startswith(("Instalment", "Claim filing", "Risk review"))]
    assert not [s for s in prosecutor if child in s]  # not her case
    coordinator = {e["summary"] for e in _read(_own_feed(app, COORDINATOR))}
    assert {f"Testimony: {hers}", f"Reflection period ends: {hers}", f"Reflection period ends: {child}",
            f"Instalment 1 due: claim {cid} ({child})", f"Instalment 2 due: claim {cid} ({child})"} <= coordinator
    assert any(s.startswith(f"Measure request deadline: {hers}") for s in coordinator)
    lawyer = sorted(e["summary"] for e in _read(_own_feed(app, HANA)))
    assert lawyer == [f"Instalment 1 due: claim {cid} ({child})", f"Instalment 2 due: claim {cid} ({child})"]
    escort = [e["summary"] for e in _read(_own_feed(app, ESCORT))]
    assert escort and all(s.startswith(f"Escort {hers}") for s in escort)  # her assignments, nothing else
