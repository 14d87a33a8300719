"""What the demonstration's report must show (issue 14, acceptance): a notice that cannot be
delivered is a dead letter listed with its reason, and its coordinator is given the task of reaching
the victim another way — a failure never looks like a success."""
import re

from tests.conftest import ADMIN
from tests.e2e.conftest import TODAY
from witness.bootstrap import build_app
from witness.clock import FixedClock
from witness.services import notices, worklist
from witness.settings import Settings


def test_the_report_lists_each_dead_letter_with_its_reason(demo):
    report = demo.report.read_text()
    listed = re.search(r"^- Dead-letter list: (\d+) notices?\.", report, re.M)
    assert listed and int(listed.group(1)) >= 1
    letters = re.findall(r"^- `(W-\w+) (\w+) -> (\w+) by (\w+) \((\w+)\): dead after \d+ tr(?:y|ies), reason: (.+)`$",
                         report, re.M)
    assert len(letters) == int(listed.group(1))
    assert {(kind, channel, reason) for _, kind, _, channel, _, reason in letters} == {
        ("accused_held", "sms", "SMS gateway answered HTTP 400")}


def test_each_dead_letter_in_the_report_is_one_in_the_store_with_a_task_for_the_coordinator(demo):
    app = build_app(Settings(home=demo.store, database_url=None, key_file=None), FixedClock(TODAY))
    dead = notices.list_notices(app, ADMIN, status="dead")
    report = demo.report.read_text()
    assert dead and all(f"`{n['case']} {n['kind']} -> {n['recipient']} by {n['channel']}" in report
                        and n["dead_reason"] in report for n in dead)
    tasks = [i for i in worklist.open_items(app, ADMIN, True) if i["kind"] == "notice_dead_letter"]
    assert sorted(t["case_id"] for t in tasks) == sorted(n["case"] for n in dead)
    assert all(t["assignee"] == "amara" and "could not be delivered (SMS gateway answered HTTP 400)" in t["detail"]
               for t in tasks)
    app.engine.dispose()
