"""Calendar subscriptions (R-114): a secret feed link per person and audience, stored hashed,
revocable and rotatable (the old URL then answers 404); the feed carries every dated obligation of
the person's cases, not only hearings, parsed back here with icalendar; no name, address or
pick-up place in any feed. On SQLite and PostgreSQL."""
import hashlib
import logging
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import ADMIN, COORDINATOR, T0, child_form
from tests.integration.test_hearings import ADDRESS, NAME, PICKUP, RESOURCES, WHEN, _assessed, _grant, _hearing, _victim
from tests.web.conftest import csrf_of, make_person, signed_in_client, web_client
from witness.domain.access import Actor, Role
from witness.services import accounts, appointments, claims, resources
from witness.services.intake import open_case
from witness.store.account_tables import calendar_subscriptions

HANA = Actor("hana", Role.legal_aid)
CANARIES = [NAME, "Zyxwvut", "Quokkastraat", "Pickupcanary", "Siti Rahmawati", "Nur Hasanah"]


@pytest.fixture
def store(app):
    """Amara's witness at a hearing in Bangkok (escorts F1 and F2 booked, an interview scheduled,
    a risk review set), and two of her child cases in Indonesia with Hana's claims: one judged and
    not filed (a filing deadline), one awarded in two instalments."""
    resources.load(app, COORDINATOR, RESOURCES)
    hers = _victim(app)
    _assessed(app, hers, ["escort", "screen"])
    hearing = _hearing(app, hers)
    _grant(app, hearing, hers, ["escort"])
    interview = appointments.schedule(app, COORDINATOR, hers, "testimony", WHEN - timedelta(days=3))
    judged = open_case(app, COORDINATOR, child_form())
    awarded = open_case(app, COORDINATOR, child_form())
    make_person(app, "hana", "legal_aid")
    accounts.assign(app, ADMIN, "hana", add_cases=[judged, awarded])
    claims.new(app, HANA, judged, judgment_date="2026-10-20")
    cid = claims.new(app, HANA, awarded)["claim"]
    claims.add_item(app, HANA, cid, "emotional_suffering", "6000000", note="assessed by LPSK")
    claims.file(app, HANA, cid, "2026-11-02")
    claims.award(app, HANA, cid, "6000000", "2026-11-02", payer="the convicted person",
                 instalments=[("2026-12-01", "3000000"), ("2027-01-01", "3000000")])
    return dict(hers=hers, hearing=hearing, interview=interview, judged=judged, awarded=awarded, claim=cid)


def _link(client) -> str:
    page = client.get("/calendar")
    answer = client.post("/calendar/link", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 200
    found = re.search(r'value="http://testserver(/feeds/[A-Za-z0-9_-]{43}\.ics)"', answer.text)
    assert found and f'href="webcal://testserver{found.group(1)}"' in answer.text
    return found.group(1)


def _events(app, url: str) -> list:
    answer = web_client(app).get(url)  # a calendar app: no cookie, no sign-in
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    for canary in CANARIES:
        assert canary not in answer.text
    return [e for e in Calendar.from_ical(answer.content).walk("VEVENT")]


def test_a_coordinators_feed_carries_every_dated_obligation_of_her_cases(app, store):
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    events = _events(app, _link(amara))
    summaries = {str(e["SUMMARY"]) for e in events}
    hers, judged, awarded, cid = store["hers"], store["judged"], store["awarded"], store["claim"]
    assert f"Hearing TH-SSK-2026-0141: {hers}" in summaries  # the hearing feed
    assert {f"Reflection period ends: {c}" for c in (hers, judged, awarded)} <= summaries
    assert f"Risk review due: {hers}" in summaries
    assert f"Testimony: {hers}" in summaries
    assert any(s.startswith(f"Measure request deadline: {hers} (screen, hearing {store['hearing']})") for s in summaries)
    assert f"Claim filing deadline: " in " ".join(summaries)
    assert {f"Instalment 1 due: claim {cid} ({awarded})", f"Instalment 2 due: claim {cid} ({awarded})"} <= summaries
    by_summary = {str(e["SUMMARY"]): e for e in events}
    deadline = next(e for s, e in by_summary.items() if s.startswith("Claim filing deadline"))
    assert deadline.decoded("DTSTART") == date(2027, 1, 18)  # 90 days after the 20 Oct 2026 judgment, a whole day
    interview = by_summary[f"Testimony: {hers}"]
    assert interview.decoded("DTSTART") == WHEN - timedelta(days=3)
    assert str(interview["DTSTART"].params["TZID"]) == "Asia/Bangkok"  # shown where it happens
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_a_lawyers_feed_has_her_claims_deadlines_and_instalments_and_nothing_else(app, store):
    hana = signed_in_client(app, accounts_person(app, "hana"))
    summaries = sorted(str(e["SUMMARY"]) for e in _events(app, _link(hana)))
    cid, awarded = store["claim"], store["awarded"]
    assert summaries == sorted([f"Claim filing deadline: {_claim_of(app, store['judged'])} ({store['judged']})",
                                f"Instalment 1 due: claim {cid} ({awarded})", f"Instalment 2 due: claim {cid} ({awarded})"])


def test_a_paid_instalment_leaves_the_feed(app, store):
    hana = signed_in_client(app, accounts_person(app, "hana"))
    url = _link(hana)
    claims.pay(app, HANA, store["claim"], "3000000", "IDR", "2026-11-02", "TRX-1")
    summaries = {str(e["SUMMARY"]) for e in _events(app, url)}
    assert f"Instalment 1 due: claim {store['claim']} ({store['awarded']})" not in summaries
    assert f"Instalment 2 due: claim {store['claim']} ({store['awarded']})" in summaries


def test_an_escort_gets_only_her_assignments(app, store):
    f1 = signed_in_client(app, make_person(app, "F1", "escort"))
    summaries = [str(e["SUMMARY"]) for e in _events(app, _link(f1))]
    assert summaries and all(s.startswith(f"Escort {store['hers']}") for s in summaries)


def test_the_token_is_stored_hashed_and_revoking_or_rotating_makes_the_old_url_404(app, store, caplog):
    caplog.set_level(logging.INFO, logger="witness.web.access")
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    first = _link(amara)
    token = first.removeprefix("/feeds/").removesuffix(".ics")
    assert web_client(app).get(first).status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET calendar_feed 200" in logged and token not in logged  # the access log names the page, not the URL
    with app.engine.connect() as c:
        rows = c.execute(select(calendar_subscriptions)).all()
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in repr(rows)
    second = _link(amara)  # rotate
    calendar_app = web_client(app)
    assert calendar_app.get(first).status_code == 404
    assert calendar_app.get(second).status_code == 200
    page = amara.get("/calendar")
    assert "A link made on 2026-11-02 is live." in page.text and second not in page.text  # shown once only
    revoked = amara.post("/calendar/revoke", data={"csrf": csrf_of(page.text)})
    assert revoked.status_code == 200 and "Your link is revoked" in revoked.text
    gone = calendar_app.get(second)
    assert gone.status_code == 404 and gone.text == calendar_app.get("/feeds/" + "A" * 43 + ".ics").text
    assert "You have no live link." in amara.get("/calendar").text


def test_a_disabled_account_or_a_changed_role_ends_the_feed(app, store):
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    url = _link(amara)
    hana = signed_in_client(app, accounts_person(app, "hana"))
    hana_url = _link(hana)
    accounts.disable(app, ADMIN, "amara")
    assert web_client(app).get(url).status_code == 404
    accounts.assign(app, ADMIN, "hana", role="coordinator")
    assert web_client(app).get(hana_url).status_code == 404


def test_an_auditor_has_no_feed(app):
    auditor = signed_in_client(app, make_person(app, "audit-1", "auditor"))
    page = auditor.get("/calendar")
    assert page.status_code == 200 and "Your role has no calendar feed." in page.text
    assert auditor.post("/calendar/link", data={"csrf": csrf_of(page.text)}).status_code == 404


def accounts_person(app, login):
    """Hana's account exists already (made in the fixture): sign in as her."""
    from tests.web.conftest import PASSWORD, Person

    secret = _secret_of(app, login)
    return Person(login, Role.legal_aid, PASSWORD, secret)


def _secret_of(app, login):
    from witness.store.account_tables import accounts as table

    with app.uow(Actor("test", Role.system)) as uow:
        row = uow.conn.execute(select(table.c.totp_secret).where(table.c.login == login)).scalar()
        return uow.cipher.decrypt("accounts", "totp_secret", login, row)


def _claim_of(app, case_id):
    from witness.store.claim_tables import claims as table

    with app.engine.connect() as c:
        return c.execute(select(table.c.id).where(table.c.case_id == case_id)).scalar()
