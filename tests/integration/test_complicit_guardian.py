"""A child's guardian linked to an accused gets nothing about the case (DNH-22): no notice is
queued for them, what was queued is withdrawn when the link is recorded, a notice already on its
way is stopped by the relay and becomes a task for the coordinator, their calendar is refused, and
their agreement to a consent does not count. SQLite and PostgreSQL."""
import pytest
from sqlalchemy import insert, select

from tests.conftest import COORDINATOR, PROSECUTOR, T0, child_form
from tests.notice_fixtures import (DOCKET, accused_a, child, rows, sms_sink, smtp_sink,  # noqa: F401
                                   transports)
from witness.errors import ActionBlocked
from witness.services import calendar_feeds, consent, documents, guardians
from witness.services.custody import change_custody
from witness.services.intake import open_case
from witness.services.relay import relay
from witness.store.care_tables import guardian_records
from witness.store.tables import worklist

LINKED = {"name": "Pak Joko", "relationship": "uncle", "accused_link": "Accused A"}


def _release(app, event_id="EV-1"):
    return change_custody(app, COORDINATOR, event_id, accused_a(app), custody="released", occurred_at=T0)


def _to(app, case, recipient):
    return [(r.channel, r.status) for r in rows(app, case_id=case, recipient=recipient)]


def test_no_notice_is_queued_for_a_guardian_linked_to_an_accused(app):
    kid = child(app)
    guardians.record(app, COORDINATOR, kid, LINKED)
    _release(app)
    assert _to(app, kid, "guardian") == []
    assert _to(app, kid, "victim") == [("sms", "queued")]  # the child is still told


def test_recording_the_link_withdraws_what_was_queued_for_the_guardian(app):
    kid = child(app)
    _release(app)
    assert _to(app, kid, "guardian") == [("sms", "queued")]
    guardians.record(app, COORDINATOR, kid, LINKED)
    assert _to(app, kid, "guardian") == [("sms", "cancelled")]
    assert [r.dead_reason for r in rows(app, case_id=kid, recipient="guardian")] == [
        "withheld: the guardian is linked to an accused (DNH-22)"]
    assert _to(app, kid, "victim") == [("sms", "queued")]


def test_recording_the_link_closes_an_open_task_to_call_or_visit_the_guardian(app, transports):
    kid = child(app, guardian_phone=None)  # no phone: the guardian is told by a call / visit task
    _release(app)
    relay(app, transports, T0)
    open_tasks = lambda: c.execute(select(worklist.c.detail).where(  # noqa: E731
        worklist.c.case_id == kid, worklist.c.kind == "notice_call", worklist.c.done_at.is_(None),
        worklist.c.detail.like("%call or visit the guardian%"))).all()
    with app.engine.connect() as c:
        assert len(open_tasks()) == 1
    guardians.record(app, COORDINATOR, kid, LINKED)
    with app.engine.connect() as c:
        assert open_tasks() == []


def test_a_guardian_notice_on_its_way_when_the_link_is_found_is_stopped_and_the_coordinator_tells_the_child(
        app, transports, sms_sink):
    kid = child(app, guardian_phone="+62 812 0000 1111")
    _release(app)
    # The link recorded by another path while the notice waits (no withdrawal ran): the relay's own check.
    with app.engine.begin() as c:
        c.execute(insert(guardian_records).values(case_id=kid, recorded_at=T0, recorded_by="amara",
                                                  accused_link="recorded as linked to Accused A"))
    relay(app, transports, T0)
    assert "+6281200001111" not in {m.to for m in sms_sink.messages}
    assert _to(app, kid, "guardian") == [("sms", "cancelled")]
    relay(app, transports, T0)  # nothing left for the guardian, and no call / visit task to them either
    with app.engine.connect() as c:
        tasks = c.execute(select(worklist.c.assignee, worklist.c.detail).where(
            worklist.c.case_id == kid, worklist.c.kind == "notice_call")).all()
    assert [t.assignee for t in tasks] == ["amara"]
    assert tasks[0].detail.startswith(f"{kid}: URGENT: the accused released notice was not sent to the guardian, who is "
                                      "linked to an accused (DNH-22)")
    assert not any("call or visit the guardian" in t.detail for t in tasks)


def test_the_guardians_calendar_is_refused_while_the_link_stands_and_given_once_an_independent_guardian_is_recorded(app):
    kid = child(app)
    guardians.record(app, COORDINATOR, kid, LINKED)
    with pytest.raises(ActionBlocked, match="DNH-22-complicit-guardian-contact: the child's guardian is linked to an "
                                            "accused"):
        calendar_feeds.export(app, COORDINATOR, "guardian", case_id=kid)
    assert calendar_feeds.export(app, COORDINATOR, "victim", case_id=kid)  # the child's own still goes
    guardians.record(app, COORDINATOR, kid, {"name": "Ibu Sari", "relationship": "court-appointed guardian"})
    assert calendar_feeds.export(app, COORDINATOR, "guardian", case_id=kid)


def test_a_letter_to_a_linked_guardian_is_refused_and_nothing_is_written(app):
    kid = child(app)
    guardians.record(app, COORDINATOR, kid, LINKED)
    with pytest.raises(ActionBlocked, match="DNH-22-complicit-guardian-contact"):
        documents.generate(app, COORDINATOR, documents.Request("victim_letter", kid, recipient="guardian"))
    assert documents.register(app, COORDINATOR, kid) == []
    assert documents.generate(app, COORDINATOR, documents.Request("victim_letter", kid)).version == 1  # the child's own


def test_a_childs_consent_needs_a_recorded_guardian_with_no_accused_link(app):
    pending = open_case(app, COORDINATOR, child_form(guardian=None))
    with pytest.raises(ActionBlocked, match="^guardian_agreed: no guardian is recorded yet"):
        consent.give(app, COORDINATOR, pending, "interview", "oral", "id", guardian_agreed=True)
    kid = child(app)
    guardians.record(app, COORDINATOR, kid, LINKED)
    with pytest.raises(ActionBlocked, match=r"^guardian_agreed: the child's guardian is linked to an accused "
                                            r"\(recorded as linked to Accused A\)"):
        consent.give(app, COORDINATOR, kid, "interview", "oral", "id", guardian_agreed=True)
    with app.engine.connect() as c:
        from witness.store.tables import consents
        assert c.execute(select(consents.c.id).where(consents.c.case_id.in_([pending, kid]))).all() == []
    guardians.record(app, COORDINATOR, kid, {"name": "Ibu Sari", "relationship": "court-appointed guardian"})
    consent.give(app, COORDINATOR, kid, "interview", "oral", "id", guardian_agreed=True)


def test_the_complicity_alert_names_the_consents_the_guardian_agreed_to_before_the_link_was_found(app):
    """Consents given with the guardian's agreement before the link was known may have served the
    accused: the urgent item lists their scopes for review (withdrawn ones and the child's own are not listed)."""
    kid = child(app)
    consent.give(app, COORDINATOR, kid, "interview", "oral", "id", guardian_agreed=True)
    consent.give(app, COORDINATOR, kid, "return", "written", "id", guardian_agreed=True, explained=True)
    consent.give(app, COORDINATOR, kid, "medical_exam", "written", "id", guardian_agreed=True, explained=True)
    consent.withdraw(app, COORDINATOR, kid, "medical_exam")
    guardians.record(app, COORDINATOR, kid, LINKED)
    with app.engine.connect() as c:
        (detail,) = c.execute(select(worklist.c.detail).where(worklist.c.case_id == kid,
                                                             worklist.c.kind == "guardian_complicity")).scalars()
    assert detail.endswith("Review the consents this guardian agreed to: interview, return.")
    assert "Pak Joko" not in detail


def test_the_complicity_alert_lists_no_consents_when_the_guardian_agreed_to_none(app):
    kid = child(app)
    guardians.record(app, COORDINATOR, kid, LINKED)
    with app.engine.connect() as c:
        (detail,) = c.execute(select(worklist.c.detail).where(worklist.c.case_id == kid,
                                                             worklist.c.kind == "guardian_complicity")).scalars()
    assert "Review the consents" not in detail


def test_the_list_of_consents_to_review_is_cut_to_the_room_left_in_the_item_and_counts_the_rest(app):
    from witness.services.guardians import _consents_to_review

    kid = child(app)
    consent.give(app, COORDINATOR, kid, "interview", "oral", "id", guardian_agreed=True)
    consent.give(app, COORDINATOR, kid, "return", "written", "id", guardian_agreed=True, explained=True)
    with app.engine.connect() as c:
        assert _consents_to_review(c, kid, 500) == " Review the consents this guardian agreed to: interview, return."
        full = len(" Review the consents this guardian agreed to: interview, return.")
        assert _consents_to_review(c, kid, full) != "" and _consents_to_review(c, kid, full - 1) == ""
    # Many long scopes: as many as fit, and the rest counted.
    shown = " Review the consents this guardian agreed to: " + ", ".join(f"data_sharing:agency-{n:02d}" for n in range(3))
    fake = [f"data_sharing:agency-{n:02d}" for n in range(8)]
    from unittest import mock

    with mock.patch("witness.services.guardians.sorted", create=True, side_effect=lambda scopes: fake):
        with app.engine.connect() as c:
            cut = _consents_to_review(c, kid, len(shown) + len(" and 5 more (case page)."))
    assert cut == shown + " and 5 more (case page)."
