"""The worklist tells a coordinator what to do first (issue 14, item 1): urgent "call or visit now"
items above everything older, closed when the victim is reached, put off or closed only with a
reason from a list (audited), one open stale-feed item per feed, times in the case's zone, and the
next command on every item. The clock is injected: no test sleeps."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import COORDINATOR, OTHER_COORDINATOR, T0
from tests.notice_fixtures import accused_a, sms_sink, smtp_sink, transports, victim  # noqa: F401
from witness.errors import InputProblems, NotFound
from witness.services import acknowledgements, worklist
from witness.services.custody import change_custody
from witness.services.relay import relay
from witness.services.sweep import SYSTEM, run
from witness.store.tables import audit_log
from witness.store.tables import worklist as worklist_table


def _release(app, event_id="EV-1", **over):
    return change_custody(app, COORDINATOR, event_id, accused_a(app), **{"custody": "released", "occurred_at": T0, **over})


def _older_routine_items(app, case_id):
    """Items a producer made days earlier, due long before the release: oldest-due-first would put
    them on top."""
    with app.engine.begin() as conn:
        worklist.add_items(conn, [
            worklist.item(f"t:{n}", case_id, kind, "amara", T0 - timedelta(days=5 - n), T0 - timedelta(days=6),
                          f"{case_id}: routine {n}")
            for n, kind in enumerate(["translation_missing", "victim_decided", "reassess_risk"])])


def _audit(app, action):
    with app.engine.connect() as c:
        return [r.purpose for r in c.execute(select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.seq))]


def test_the_urgent_call_or_visit_item_comes_first_then_safety_then_the_rest(app, transports):
    a = victim(app, 1, channels=("call",))  # no digital channel: the release alert becomes a call task
    _older_routine_items(app, a)
    _release(app)
    relay(app, transports, T0)
    items = worklist.open_items(app, COORDINATOR)
    assert items[0]["kind"] == "notice_call" and items[0]["urgent"] and "call or visit" in items[0]["detail"]
    assert items[0]["next"] == f"call or visit now, then: witness ack --case {a}"
    rest = [i["kind"] for i in items[1:]]
    assert rest.index("reassess_risk") < rest.index("translation_missing")  # safety before routine, though due later
    assert all(not i["urgent"] for i in items[1:])


def test_urgent_items_are_closed_when_contact_is_recorded_and_the_audit_says_how_many(app, transports, smtp_sink):
    a = victim(app, 1, channels=("email",))
    _release(app)
    smtp_sink.mode = "temporary"
    relay(app, transports, T0)
    relay(app, transports, T0 + timedelta(minutes=40))  # past the deadline: "call or visit now"
    assert [i["kind"] for i in worklist.open_items(app, COORDINATOR) if i["urgent"]] == ["urgent_undelivered"]
    acknowledgements.record_contact(app, COORDINATOR, a)
    assert [i for i in worklist.open_items(app, COORDINATOR) if i["urgent"]] == []
    with app.engine.connect() as c:
        closed = c.execute(select(worklist_table).where(worklist_table.c.kind == "urgent_undelivered")).all()
    # The coordinator's item and the on-call person's (escalated after twice the deadline) alike.
    assert sorted(r.assignee for r in closed) == ["amara", "oncall-mainland"]
    assert {r.done_by for r in closed} == {"contact:amara"}
    assert _audit(app, "notice.contact")[-1] == "contact recorded; 1 alerts acknowledged, 2 urgent worklist items closed"


def test_done_and_snooze_take_a_reason_from_a_list_and_are_audited(app, transports):
    a = victim(app, 1, channels=("call",))
    _older_routine_items(app, a)
    _release(app)
    relay(app, transports, T0)
    items = {i["kind"]: i for i in worklist.open_items(app, COORDINATOR)}
    urgent, routine = items["notice_call"], items["translation_missing"]
    with pytest.raises(InputProblems) as refused:
        worklist.snooze(app, COORDINATOR, urgent["id"], "1d", "planned_later")
    assert refused.value.problems[0][0] == "item"
    with pytest.raises(InputProblems) as refused:
        worklist.mark_done(app, COORDINATOR, routine["id"], "told Somchai")  # free text could carry a name
    assert refused.value.problems == [("reason", "use one of done, contacted, not_needed, handled_elsewhere")]
    with pytest.raises(NotFound):  # someone else's item answers like a missing one
        worklist.mark_done(app, OTHER_COORDINATOR, routine["id"], "done")
    due = worklist.snooze(app, COORDINATOR, items["victim_decided"]["id"], "1d", "waiting_for_victim")
    assert due == T0 + timedelta(days=1) and due.utcoffset() == timedelta(hours=7)  # Bangkok time
    worklist.mark_done(app, COORDINATOR, routine["id"], "not_needed")
    assert _audit(app, "worklist.done")[-1] == f"translation_missing item {routine['id']} done: not_needed"
    assert _audit(app, "worklist.snooze")[-1].endswith(": waiting_for_victim")
    left = worklist.open_items(app, COORDINATOR)
    assert routine["id"] not in [i["id"] for i in left]
    assert left[-1]["kind"] == "victim_decided" and left[-1]["urgency"] == 3  # put off: at the end, "later"


def test_a_feed_that_goes_quiet_again_leaves_one_open_item_not_two(app):
    victim(app, 1)
    _release(app)
    later = T0 + timedelta(hours=73)  # TH allows 72 hours
    assert run(app, SYSTEM, later).changed["custody_feed_stale"] == 1
    app.clock.advance(hours=75)
    change_custody(app, COORDINATOR, "EV-2", accused_a(app), "detained", later + timedelta(hours=2))
    assert run(app, SYSTEM, later + timedelta(hours=80)).changed["custody_feed_stale"] == 1  # quiet again
    stale = [i for i in worklist.open_items(app, COORDINATOR) if i["kind"] == "custody_feed_stale"]
    assert len(stale) == 1 and "no custody update has arrived since" in stale[0]["detail"]
    assert stale[0]["next"] == f"witness event FILE (the custody update), then: witness worklist done {stale[0]['id']}"


def test_times_are_in_the_case_jurisdiction_and_an_item_about_no_case_in_the_coordinators_zone(app, transports):
    a = victim(app, 1, channels=("call",))
    _release(app)
    relay(app, transports, T0)
    with app.engine.begin() as conn:
        worklist.add_items(conn, [worklist.item("t:none", None, "custody_reconcile", "amara", T0, T0, "reconcile")])
    for i in worklist.open_items(app, COORDINATOR):
        assert i["due_local"].utcoffset() == timedelta(hours=7), i["kind"]  # Thailand, case or not
        assert i["due_local"] == i["due_at"]


def test_adding_items_counts_only_the_new_ones_whether_the_key_was_stored_before_or_repeated_in_the_batch(app):
    # The sweep reports (and audits) this count as the cases it changed: a key already there, or
    # twice in one call, must count once or not at all, on SQLite (driver rowcount) as on PostgreSQL.
    a = victim(app, 1)
    with app.engine.begin() as conn:
        first = worklist.add_items(conn, [worklist.item(f"n:{i}", a, "risk_review", "amara", T0, T0, "due")
                                          for i in range(3)])
        again = worklist.add_items(conn, [worklist.item(f"n:{i}", a, "risk_review", "amara", T0, T0, "due")
                                          for i in (1, 2, 3, 4, 4)])
        nothing = worklist.add_items(conn, [worklist.item("n:0", a, "risk_review", "amara", T0, T0, "due")])
        stored = conn.execute(select(worklist_table.c.key).where(worklist_table.c.key.like("n:%"))).scalars().all()
    assert (first, again, nothing) == (3, 2, 0)
    assert sorted(stored) == ["n:0", "n:1", "n:2", "n:3", "n:4"]


def test_listed_keys_are_this_kind_for_these_cases_open_or_done(app):
    """What a producer skips before building items: only its own kind, only the cases asked for,
    and a done item too (its key is taken: inserting it again would be refused anyway)."""
    a, b = victim(app, 1), victim(app, 2)
    with app.engine.begin() as conn:
        worklist.add_items(conn, [
            worklist.item("d:A:1", a, "measure_deadline", "amara", T0, T0, "a"),
            worklist.item("d:A:2", a, "measure_deadline", "amara", T0, T0, "a, done"),
            worklist.item("r:A:1", a, "risk_review", "amara", T0, T0, "another kind"),
            worklist.item("d:B:1", b, "measure_deadline", "amara", T0, T0, "another case")])
        conn.execute(worklist_table.update().where(worklist_table.c.key == "d:A:2").values(done_at=T0, done_by="amara"))
    with app.engine.connect() as conn:
        assert worklist.listed_keys(conn, [a], "measure_deadline") == {"d:A:1", "d:A:2"}
        assert worklist.listed_keys(conn, [a, b], "measure_deadline") == {"d:A:1", "d:A:2", "d:B:1"}
        assert worklist.listed_keys(conn, [], "measure_deadline") == set()
