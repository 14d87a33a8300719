"""The relay against real loopback servers (aiosmtpd, an HTTP SMS gateway): delivery, keys,
urgent first, backoff, escalation, dead letters, repeats, acknowledgement, leases (R-52, R-53).
The clock is injected: no test sleeps."""
import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import COORDINATOR, OTHER_COORDINATOR, T0
from tests.notice_fixtures import (accused_a, rows, sms_sink, smtp_sink, transports,  # noqa: F401
                                   victim)
from witness.domain.notice import URGENT_BACKOFF
from witness.errors import Forbidden, NotFound
from witness.services import acknowledgements, notices
from witness.services.custody import change_custody
from witness.domain.events import HearingMoved, Judgment
from witness.services.events import publish
from witness.services.relay import claim, relay
from witness.store.notice_tables import notice_attempts
from witness.store.tables import cases, worklist

CODE = re.compile(r"\b([2-9A-Z]{6})\b")


def _release(app, event_id="EV-1", custody="released"):
    return change_custody(app, COORDINATOR, event_id, accused_a(app), custody, T0)


def _attempts(app, notice_id):
    with app.engine.connect() as c:
        return c.execute(select(notice_attempts).where(notice_attempts.c.notice_id == notice_id)
                         .order_by(notice_attempts.c.id)).all()


def _work(app, kind=None):
    with app.engine.connect() as c:
        q = select(worklist).order_by(worklist.c.id)
        return c.execute(q.where(worklist.c.kind == kind) if kind else q).all()


def _code_in(text):
    return CODE.findall(text)[-1]


def test_it_delivers_sms_and_email_with_the_notice_key_in_a_header(app, transports, smtp_sink, sms_sink):
    victim(app, 1, channels=("sms", "email"), phone="+66 81 777 0001", email="a@mail.example")
    _release(app)
    report = relay(app, transports, T0)
    assert report.sent == 3 and report.dead == report.retrying == 0
    keys = {r.idempotency_key: r for r in rows(app)}
    assert {(m.key, m.to) for m in sms_sink.messages} == {
        (r.idempotency_key, "+66817770001") for r in keys.values() if r.channel == "sms"}  # stored E.164
    assert {m.key for m in smtp_sink.messages} == {k for k, r in keys.items() if r.channel == "email"}
    victim_mail = next(m for m in smtp_sink.messages if m.to == "a@mail.example")
    assert victim_mail.subject == "အရေးကြီး - ယခုချက်ချင်း ဖတ်ပါ"  # Burmese, the victim's language
    assert "+66 2 000 0001" in victim_mail.body  # whom to call: the coordinator's number
    assert all(r.status == "sent" and r.attempts == 1 for r in rows(app))
    assert [a.outcome for r in rows(app) for a in _attempts(app, r.id)] == ["sent"] * 3
    assert relay(app, transports, T0 + timedelta(minutes=1)).claimed == 0  # nothing sent twice


def test_urgent_notices_go_out_before_everything_else(app, transports, sms_sink):
    a = victim(app, 1)
    with app.uow(COORDINATOR) as uow:
        for n in range(3):
            publish(uow, HearingMoved(case_ids=[a], at=T0 + timedelta(days=n + 5), event_id=f"H-{n}"))
        uow.commit()
    _release(app)
    relay(app, transports, T0, batch_size=1)
    texts = [m.body for m in sms_sink.messages]
    assert "လွှတ်ပေး" in texts[0]  # the release alert ("released") first
    assert len(texts) == 4


def test_smtp_refusing_mail_backs_off_and_the_alert_escalates_within_the_deadline(app, transports, smtp_sink):
    a = victim(app, 1, channels=("email",))
    _release(app)
    smtp_sink.mode = "temporary"
    rng = random.Random(7)
    at, gaps, escalated_at = T0, [], None
    victim_row = rows(app, recipient="victim")[0]
    while at <= T0 + timedelta(minutes=31):
        relay(app, transports, at, rng=rng)
        if escalated_at is None and _work(app, "urgent_undelivered"):
            escalated_at = at
        at += timedelta(seconds=10)
    tries = _attempts(app, victim_row.id)
    gaps = [(b.started_at - a_.started_at).total_seconds() for a_, b in zip(tries, tries[1:])]
    assert all(t.outcome == "temporary" and t.error == "recipient refused: SMTP 451 4.3.0" for t in tries)
    # Capped exponential backoff with jitter: the waits grow, never beyond the cap (+ one tick).
    assert gaps[0] < gaps[3] and max(gaps) <= URGENT_BACKOFF.cap.total_seconds() + 10
    assert len(tries) >= 8  # still trying hard inside the first half hour
    # The profile's deadline is 15 minutes: escalated to the coordinator then, to on call at 30.
    assert escalated_at == T0 + timedelta(minutes=15)
    first = _work(app, "urgent_undelivered")
    assert {(w.case_id, w.assignee) for w in first} == {(a, "amara"), (a, "oncall-mainland")}
    assert "witness ack --case" in first[0].detail
    assert [r.escalation_level for r in rows(app, recipient="victim")] == [2]
    staff = {(r.recipient, r.recipient_ref, r.kind) for r in rows(app) if r.kind == "urgent_undelivered"}
    assert staff == {("coordinator", "amara", "urgent_undelivered"), ("oncall", "oncall-mainland", "urgent_undelivered")}
    # Mail flows again: the alert is delivered at its next try, and nothing escalates further.
    smtp_sink.mode = "accept"
    relay(app, transports, at + URGENT_BACKOFF.cap)
    assert rows(app, recipient="victim")[0].status == "sent"
    assert "victim1@mail.example" in {m.to for m in smtp_sink.messages}


def test_permanent_failures_are_dead_lettered_where_a_person_sees_them(app, transports, smtp_sink, sms_sink):
    a = victim(app, 1, channels=("email",), email="gone@mail.example")
    _release(app)
    smtp_sink.mode = "permanent"
    report = relay(app, transports, T0)
    assert report.dead == 2  # the victim's alert and the coordinator's copy
    dead = notices.list_notices(app, COORDINATOR, status="dead")
    assert {(d["case"], d["recipient"]) for d in dead} == {(a, "victim"), (a, "coordinator:amara")}
    assert all(d["dead_reason"] == "recipient refused: SMTP 550 5.1.1" for d in dead)
    items = _work(app, "notice_dead_letter")
    assert {i.assignee for i in items} == {"amara"}
    assert any(i.case_id == a and "URGENT" in i.detail and "call or visit" in i.detail for i in items)
    assert not any("gone@mail.example" in (i.detail or "") for i in items)
    relay(app, transports, T0 + timedelta(hours=1))
    assert rows(app, recipient="victim")[0].attempts == 1  # a dead letter is not retried


def test_errors_never_keep_the_recipients_number(app, transports, sms_sink):
    victim(app, 1, phone="+66 81 444 5555")
    _release(app)
    sms_sink.mode = "permanent"
    relay(app, transports, T0)
    with app.engine.connect() as c:
        errors = [r.error for r in c.execute(select(notice_attempts))]
        details = [w.detail for w in c.execute(select(worklist))]
    assert "SMS gateway answered HTTP 400" in errors
    assert not any("444 5555" in (t or "") for t in errors + details)


def test_temporary_failures_end_on_the_dead_letter_list_after_the_last_try(app, transports, sms_sink):
    a = victim(app, 1)
    with app.uow(COORDINATOR) as uow:
        publish(uow, Judgment(case_ids=[a], event_id="J-1"))
        uow.commit()
    sms_sink.mode = "temporary"
    at = T0
    for _ in range(40):
        relay(app, transports, at)
        at += timedelta(hours=1)
    victim_row = [r for r in rows(app, recipient="victim")][0]
    assert victim_row.status == "dead" and victim_row.attempts == 10
    assert victim_row.dead_reason.startswith("gave up after 10 attempts")


def test_unacknowledged_alerts_repeat_every_30_minutes_and_a_code_stops_them(app, transports, sms_sink):
    a = victim(app, 1)
    _release(app)
    relay(app, transports, T0)
    code = _code_in(sms_sink.messages[0].body)
    relay(app, transports, T0 + timedelta(minutes=29))
    assert len(sms_sink.messages) == 1
    relay(app, transports, T0 + timedelta(minutes=30))
    relay(app, transports, T0 + timedelta(minutes=31))
    assert len(sms_sink.messages) == 2
    reminder = sms_sink.messages[1]
    # The SMS leads with the code, then says it is a reminder (templates/notices/my/*.sms.txt).
    assert reminder.body.startswith(f"{code} ဟု") and "သတိပေးချက် -" in reminder.body
    assert reminder.key != sms_sink.messages[0].key  # a repeat is a new notice with its own key
    relay(app, transports, T0 + timedelta(minutes=61))
    assert len(sms_sink.messages) == 3
    assert acknowledgements.acknowledge(app, COORDINATOR, code.lower()) == [a]  # typed back in lower case
    relay(app, transports, T0 + timedelta(minutes=95))
    assert len(sms_sink.messages) == 3
    with pytest.raises(NotFound):
        acknowledgements.acknowledge(app, COORDINATOR, code)  # already used


def test_alerts_stop_repeating_after_24_hours(app, transports, sms_sink):
    victim(app, 1)
    _release(app)
    at = T0
    while at <= T0 + timedelta(hours=26):
        relay(app, transports, at)
        at += timedelta(minutes=30)
    repeats = [r.repeat_no for r in rows(app, recipient="victim")]
    assert repeats == list(range(0, 49))  # the first, then one every 30 minutes up to 24 hours


def test_recorded_contact_acknowledges_and_stops_escalation(app, transports, smtp_sink):
    a = victim(app, 1, channels=("email",))
    _release(app)
    smtp_sink.mode = "temporary"
    relay(app, transports, T0)
    with pytest.raises(Forbidden):
        acknowledgements.record_contact(app, OTHER_COORDINATOR, a)
    assert acknowledgements.record_contact(app, COORDINATOR, a) == 1
    relay(app, transports, T0 + timedelta(minutes=40))
    assert _work(app, "urgent_undelivered") == []
    assert [r.status for r in rows(app, recipient="victim")] == ["cancelled"]


def test_a_channel_unmarked_after_queueing_is_not_used(app, transports, sms_sink):
    a = victim(app, 1)
    _release(app)
    with app.engine.begin() as c:  # the victim tells the coordinator her phone is no longer safe
        c.execute(update(cases).where(cases.c.id == a).values(safe_channels="call"))
    report = relay(app, transports, T0)
    assert sms_sink.messages == []
    assert report.rerouted == 1
    r = rows(app, recipient="victim")[0]
    assert r.channel == "worklist" and r.status == "sent"
    outcomes = [(t.outcome, t.error) for t in _attempts(app, r.id)]
    assert outcomes[0][0] == "blocked" and "DNH-09-unsafe-channel" in outcomes[0][1]
    task = _work(app, "notice_call")
    assert [(t.case_id, t.assignee) for t in task] == [(a, "amara")]
    assert "URGENT" in task[0].detail and "has been released" in task[0].detail
    assert "Say it in my (reviewed text): သင့်အမှုတွင်" in task[0].detail  # the Burmese text to read out


def test_an_expired_lease_lets_another_relay_finish_the_work(app, transports, sms_sink):
    victim(app, 1)
    _release(app)
    taken = claim(app, T0, notices_actor(), "relay-a", lease=timedelta(minutes=5))
    assert len(taken) == 2
    assert relay(app, transports, T0 + timedelta(minutes=4), owner="relay-b").claimed == 0
    report = relay(app, transports, T0 + timedelta(minutes=5), owner="relay-b")
    assert report.sent == 2
    victim_row = rows(app, recipient="victim")[0]
    assert [(t.relay, t.outcome) for t in _attempts(app, victim_row.id)] == [("relay-a", "unknown"), ("relay-b", "sent")]


def notices_actor():
    from witness.services.relay import SYSTEM
    return SYSTEM


def test_two_relays_at_once_never_take_the_same_notice(app):
    for n in range(6):
        victim(app, n)
    _release(app)
    first = claim(app, T0, notices_actor(), "relay-a", batch_size=4)
    second = claim(app, T0, notices_actor(), "relay-b", batch_size=10)
    assert len(first) == 4 and len(second) == 3
    assert not {p.id for p in first} & {p.id for p in second}
