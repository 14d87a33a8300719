"""The relay at speed (issue 16 item 4): the Do No Harm facts of a batch read at once, several SMTP
connections at a time, and still every notice sent once and marked once; why a try failed is shown."""
from collections import Counter

from sqlalchemy import insert, select

from tests.conftest import COORDINATOR, T0
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.outputs.transports.pool import TransportPool
from witness.outputs.transports.smtp import SmtpTransport
from witness.services.custody import change_custody
from witness.services.guardrails import case_facts, case_facts_many
from witness.services.notices import list_notices
from witness.services.relay import relay
from witness.store.notice_tables import notice_attempts
from witness.store.risk_tables import case_flags


def test_the_facts_of_many_cases_at_once_are_the_facts_of_each_case(app, transports):
    ids = [victim(app, n, channels=("sms",)) for n in range(3)] + [victim(app, 3, channels=("call",))]
    before = victim(app, 4, channels=("sms",), docket="TH-OTHER-2026-0001")  # no accused freed
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)  # accused facts differ from default
    relay(app, transports, T0)  # reached by SMS, except the one with a call task only
    with app.engine.begin() as c:
        c.execute(insert(case_flags).values(case_id=ids[1], flag="settlement_pressure", at=T0, by="amara"))
    with app.engine.connect() as c:
        many = case_facts_many(c, ids + [before, "W-NOSUCH"], T0)
        one = {cid: case_facts(c, cid, T0) for cid in ids + [before]}
    assert many == one and set(many) == set(ids) | {before}
    assert many[ids[1]].settlement_pressure_reported and not many[ids[0]].settlement_pressure_reported
    assert many[ids[0]].victim_notified_since_custody_change and not many[ids[3]].victim_notified_since_custody_change


def test_four_smtp_connections_deliver_every_notice_once_and_mark_each(app, smtp_sink):
    for n in range(30):
        victim(app, n, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    pool = TransportPool(lambda: SmtpTransport("127.0.0.1", smtp_sink.port, "notices@witness.invalid", timeout=5), 4)
    try:
        report = relay(app, {"email": pool}, T0, batch_size=10)
    finally:
        pool.close()
    assert report.sent == 31 and report.batches == 4
    keys = Counter(m.key for m in smtp_sink.messages)
    assert set(keys) == {r.idempotency_key for r in rows(app)} and set(keys.values()) == {1}
    with app.engine.connect() as c:
        outcomes = Counter(a.outcome for a in c.execute(select(notice_attempts)))
    assert outcomes == {"sent": 31} and {r.status for r in rows(app)} == {"sent"}


def test_the_notice_list_shows_why_the_last_try_failed(app, smtp_sink):
    victim(app, 1, channels=("sms", "email"))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    smtp_sink.mode = "temporary"
    email = SmtpTransport("127.0.0.1", smtp_sink.port, "notices@witness.invalid", timeout=5)
    try:
        report = relay(app, {"email": email}, T0)  # and no SMS gateway configured
    finally:
        email.close()
    assert report.urgent_failed == 3
    listed = {(n["recipient"], n["channel"]): n for n in list_notices(app, COORDINATOR)}
    assert listed[("victim", "sms")]["last_error"] == "no sms transport configured"
    assert listed[("victim", "email")]["last_error"] == "recipient refused: SMTP 451 4.3.0"
    assert listed[("victim", "sms")]["status"] == "queued"


def test_a_batch_reads_its_victims_data_keys_in_one_query_not_one_per_victim(app, smtp_sink):
    from sqlalchemy import event

    for n in range(6):
        victim(app, n, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    reads = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM data_keys" in statement:
            reads.append(statement)

    email = SmtpTransport("127.0.0.1", smtp_sink.port, "notices@witness.invalid", timeout=5)
    event.listen(app.engine, "before_cursor_execute", count)
    try:
        report = relay(app, {"email": email}, T0)
    finally:
        event.remove(app.engine, "before_cursor_execute", count)
        email.close()
    assert report.sent == 7 and report.batches == 1
    # The six victims' keys at once, and the shared key (the reply codes are under it).
    assert len(reads) <= 2, reads
    bodies = {m.to: m.body for m in smtp_sink.messages}
    assert "victim5@mail.example" in bodies and all("Qwxz" not in b for b in bodies.values())


def test_a_preloaded_cipher_decrypts_as_one_reading_key_by_key_and_an_erased_victim_stays_erased(app):
    from sqlalchemy import update

    from witness.store.key_tables import data_keys
    from witness.store.tables import identities

    ids = [victim(app, n, channels=("sms",)) for n in range(3)]
    with app.engine.begin() as c:
        c.execute(update(data_keys).where(data_keys.c.owner == ids[2]).values(kek_id=None, wrapped=None))
    with app.engine.connect() as c:
        stored = {r.case_id: r.phone for r in c.execute(select(identities.c.case_id, identities.c.phone))}
        loaded, plain = app.cipher.on(c), app.cipher.on(c)
        loaded.preload(ids + ["W-NOSUCH"])
        got = {cid: loaded.decrypt("identities", "phone", cid, stored[cid]) for cid in ids}
        assert got == {cid: plain.decrypt("identities", "phone", cid, stored[cid]) for cid in ids}
    assert got[ids[0]] == "+66810000000" and got[ids[2]] is None
