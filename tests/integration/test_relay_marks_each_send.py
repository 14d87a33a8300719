"""Each notice is recorded as sent the moment its transport accepts it, not with the rest of its
batch: a relay that stops mid-batch leaves at most the one in flight to be sent again.
(tests/e2e/test_relay_crash.py kills a real relay process; these are the quick, exact versions.)"""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from tests.conftest import COORDINATOR, T0
from tests.helpers import synchronous_commit_default
from tests.notice_fixtures import accused_a, rows, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.services.custody import change_custody
from witness.services.relay import LEASE, relay
from witness.store.notice_tables import notice_attempts


class RelayDied(BaseException):
    """The relay's process ending mid-batch: a BaseException, so no `except Exception` stops it."""


class DiesMidBatch:
    """Hands `accepted` messages to the real transport, then dies on the next one: before
    handing it over, or after the server has taken it (the relay never hears back)."""

    def __init__(self, inner, accepted: int, handed_over: bool):
        self.inner, self.accepted, self.handed_over, self.calls = inner, accepted, handed_over, 0

    def send(self, message) -> None:
        self.calls += 1
        if self.calls > self.accepted:
            if self.handed_over:
                self.inner.send(message)
            raise RelayDied()
        self.inner.send(message)


def _release_alerts(app, victims: int = 5) -> int:
    for n in range(victims):
        victim(app, n, channels=("email",))
    change_custody(app, COORDINATOR, "EV-1", accused_a(app), "released", T0)
    return len(rows(app))  # one per victim and one for the coordinator


@pytest.mark.parametrize("handed_over", [False, True], ids=["dies-before-handing-over", "dies-after-the-server-took-it"])
def test_it_has_recorded_every_accepted_notice_when_it_dies_mid_batch_and_a_later_relay_sends_only_the_rest(
        app, transports, smtp_sink, handed_over):
    total = _release_alerts(app)
    dying = dict(transports, email=DiesMidBatch(transports["email"], accepted=3, handed_over=handed_over))

    with pytest.raises(RelayDied):
        relay(app, dying, T0, owner="dying-relay")

    assert len(rows(app, status="sent")) == 3  # recorded one by one, before the relay died
    assert len(rows(app, status="sending")) == total - 3
    report = relay(app, transports, T0 + LEASE, owner="next-relay")
    assert report.sent == total - 3
    keys = Counter(m.key for m in smtp_sink.messages)
    assert set(keys) == {r.idempotency_key for r in rows(app)} and {r.status for r in rows(app)} == {"sent"}
    assert sum(keys.values()) == total + (1 if handed_over else 0)  # only the one in flight, twice


def test_a_notice_whose_mark_the_store_refuses_is_recorded_with_its_batch_and_the_batch_goes_on(
        app, transports, smtp_sink):
    total = _release_alerts(app)
    refused = []

    def refuse_the_first_mark(conn, cursor, statement, parameters, context, executemany):
        # The store busy for the first per-notice mark only (SQLite: another writer past busy_timeout).
        if not refused and statement.startswith("UPDATE notices SET status") and "sent_at" in statement:
            refused.append(statement)
            raise OperationalError(statement, parameters, Exception("database is locked"))

    event.listen(app.engine, "before_cursor_execute", refuse_the_first_mark)
    try:
        report = relay(app, transports, T0, owner="busy-relay")
    finally:
        event.remove(app.engine, "before_cursor_execute", refuse_the_first_mark)

    assert refused and report.sent == total
    assert len(smtp_sink.messages) == total
    assert {r.status for r in rows(app)} == {"sent"}
    with app.engine.connect() as c:
        attempts = c.execute(select(notice_attempts.c.notice_id, notice_attempts.c.outcome)).all()
    assert sorted(a.outcome for a in attempts) == ["sent"] * total
    assert relay(app, transports, T0 + LEASE + timedelta(seconds=1)).claimed == 0


def test_the_marks_commit_without_waiting_for_the_disk_and_every_other_transaction_still_waits(app, transports):
    """The safety level in force as each mark goes out, read on that very DBAPI connection; then a
    transaction on each pooled connection (the one that marked among them) is fully synced again."""
    sqlite = app.engine.dialect.name == "sqlite"
    query = "PRAGMA synchronous" if sqlite else "SHOW synchronous_commit"
    seen: list[str] = []

    def look(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE notices SET status") and "sent_at" in statement:
            seen.append(str(cursor.connection.execute(query).fetchone()[0]))

    total = _release_alerts(app, victims=2)
    event.listen(app.engine, "before_cursor_execute", look)
    try:
        assert relay(app, transports, T0).sent == total
    finally:
        event.remove(app.engine, "before_cursor_execute", look)
    relaxed, full = ("1", "2") if sqlite else ("off", synchronous_commit_default(app.engine))  # SQLite: 1 = NORMAL, 2 = FULL
    assert seen and set(seen) == {relaxed}
    conns = [app.engine.connect() for _ in range(6)]  # every pooled connection at once
    try:
        for c in conns:
            with c.begin():
                assert str(c.exec_driver_sql(query).scalar()) == full
    finally:
        for c in conns:
            c.close()
