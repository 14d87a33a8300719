"""The Today page and its actions (R-112): urgent release alerts first, done, snooze, record contact."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import COORDINATOR, adult_form
from tests.web.conftest import csrf_of, make_person, signed_in_client
from witness.errors import InputProblems, NotFound
from witness.services import worklist
from witness.services.intake import open_case
from witness.services.worklist import add_items, item


@pytest.fixture
def items(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    now = app.clock.now()
    with app.engine.begin() as conn:
        add_items(conn, [
            item("a", case_id, "risk_review", "amara", now - timedelta(days=2), now, f"{case_id}: risk review overdue"),
            item("b", case_id, "release_escalation", "amara", now, now, f"{case_id}: accused released, victim not reached"),
            item("c", case_id, "claim_filing_deadline", "amara", now + timedelta(days=3), now, f"{case_id}: claim deadline"),
            item("d", case_id, "risk_review", "dewi", now, now, "someone else's"),
        ])
        ids = dict(conn.exec_driver_sql("select key, id from worklist").all())
    return case_id, ids


def test_today_puts_urgent_release_alerts_first_then_due_then_later(app, items):
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = client.get("/today").text
    order = [page.index(t) for t in ("accused released", "risk review overdue", "claim deadline")]
    assert order == sorted(order)
    assert page.index("Urgent: release alerts") < order[0] < page.index("Due now") < order[1] < page.index("Coming up")
    assert "someone else's" not in page
    urgent_band = page[page.index("Urgent: release alerts"):page.index("Due now")]
    assert "Record contact with" in urgent_band and "Snooze" not in urgent_band


def _ours(app) -> list[str]:
    """The open items this module added (intake adds its own: a shelter without shelter_stay consent)."""
    return [i["key"] for i in worklist.open_items(app, COORDINATOR) if i["key"] in {"a", "b", "c", "d"}]


def test_done_clears_the_item_and_only_the_assignee_may(app, items):
    case_id, ids = items
    worklist.mark_done(app, COORDINATOR, ids["a"])
    assert _ours(app) == ["b", "c"]
    with pytest.raises(NotFound):
        worklist.mark_done(app, COORDINATOR, ids["d"])
    with pytest.raises(NotFound):
        worklist.mark_done(app, COORDINATOR, ids["a"])  # already done


def test_snooze_moves_an_item_later_with_a_listed_reason_but_never_an_urgent_alert(app, items):
    case_id, ids = items
    due = worklist.snooze(app, COORDINATOR, ids["a"], "1d", "waiting_for_victim")
    assert due == app.clock.now() + timedelta(days=1)
    assert _ours(app) == ["b", "a", "c"]
    with pytest.raises(InputProblems) as err:
        worklist.snooze(app, COORDINATOR, ids["b"], "forever", "bored")
    assert [p for p, _ in err.value.problems] == ["item", "period", "reason"]


def test_snooze_and_done_through_the_page(app, items):
    case_id, ids = items
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    token = csrf_of(client.get("/today").text)
    refused = client.post(f"/today/{ids['b']}/snooze", data={"csrf": token, "period": "1h", "reason": "planned_later"})
    assert refused.status_code == 422 and "item: an urgent release alert cannot be snoozed" in refused.text
    assert client.post(f"/today/{ids['a']}/snooze", data={"csrf": token, "period": "3d",
                                                         "reason": "planned_later"}).status_code == 303
    assert client.post(f"/today/{ids['c']}/done", data={"csrf": token}).status_code == 303
    assert _ours(app) == ["b", "a"]
    assert client.post(f"/cases/{case_id}/contact", data={"csrf": token}).headers["location"] == "/today"


def test_an_urgent_alert_offers_the_call_script_and_escalation_to_the_person_on_call(app):
    """The design's urgent band: Record contact, Call script (the victim's language and the
    coordinator's), Escalate (on call for the case's state gets the item; the coordinator keeps hers)."""
    from witness.services import custody

    case_id = open_case(app, COORDINATOR, adult_form())  # a Burmese speaker (my) in Thailand
    accused = custody.find_accused(app, "TH-SSK-2026-0141", "Accused A")
    custody.change_custody(app, COORDINATOR, "ev-1", accused, "released", app.clock.now())
    now = app.clock.now()
    with app.engine.begin() as conn:
        add_items(conn, [item("u", case_id, "release_escalation", "amara", now, now, f"URGENT {case_id}: released")])
        urgent_id = conn.exec_driver_sql("select id from worklist where key = 'u'").scalar()
    client = signed_in_client(app, make_person(app, "amara", "coordinator"))
    page = client.get("/today").text
    band = page[page.index("Urgent: release alerts"):page.index("Due now")]
    assert f'href="/cases/{case_id}/call-script"' in band and f'action="/today/{urgent_id}/escalate"' in band
    tried = re.search(r'<p class="tried">Tried: ([^<]*)</p>', band).group(1)
    assert "sms (queued)" in tried  # the release alert the custody change queued by her safe channel

    script = client.get(f"/cases/{case_id}/call-script")
    assert script.status_code == 200
    burmese = script.text[script.text.index('id="said-h"'):script.text.index('id="staff-h"')]
    english = script.text[script.text.index('id="script-staff"'):]
    assert 'lang="my"' in burmese and any("\u1000" <= ch <= "\u109f" for ch in burmese)  # Myanmar script
    assert "has been released from custody" in english and "+66 2 000 0001" in english  # amara's number

    token = csrf_of(page)
    assert client.post(f"/today/{urgent_id}/escalate", data={"csrf": token}).headers["location"] == "/today"
    with app.engine.connect() as conn:  # the on-call person's worklist (config/oncall.yaml: TH is mainland)
        oncall = conn.execute(text("select assignee, case_id, kind, detail from worklist where done_at is null"
                                   " and assignee like :prefix"), {"prefix": "oncall%"}).all()
        conn.rollback()
    assert [tuple(r[:3]) for r in oncall] == [("oncall-mainland", case_id, "release_escalation")]
    assert "escalated by amara" in oncall[0][3]
    assert "u" in [i["key"] for i in worklist.open_items(app, COORDINATOR)]  # hers stays open until contact
    refused = client.post(f"/today/{urgent_id}/escalate", data={"csrf": token})
    assert refused.status_code == 303  # twice: nothing more (deterministic keys)
    routine = [i for i in worklist.open_items(app, COORDINATOR) if not i["urgent"]]
    if routine:  # intake's own follow-ups are not urgent: they are not escalated
        answer = client.post(f"/today/{routine[0]['id']}/escalate", data={"csrf": token})
        assert answer.status_code == 422 and "item: only an urgent alert" in answer.text


def test_the_call_script_is_for_the_case_s_coordinators_only_and_says_so_when_no_accused_is_free(app):
    case_id = open_case(app, COORDINATOR, adult_form())
    amara = signed_in_client(app, make_person(app, "amara", "coordinator"))
    assert 'id="script-none"' in amara.get(f"/cases/{case_id}/call-script").text
    dewi = signed_in_client(app, make_person(app, "dewi", "coordinator"))
    assert dewi.get(f"/cases/{case_id}/call-script").status_code == 404
