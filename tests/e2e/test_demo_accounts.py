"""`witness demo` makes one account per role on the demonstration's cases, with one-time set-up
links, so a new user signs in to `witness web` on the demo's store at once (issue 13). The story runs
in simulated time that lies wholly before the real now: a sign-in after the demo is an audit row
dated later than every row of the story, and `witness audit verify` stays intact (it reported time
running backwards when the story ran months ahead of the real clock)."""
import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import ADMIN, AUDITOR
from tests.e2e.conftest import TODAY  # the real now as the demo ran; the `demo` fixture is its one run
from tests.web.conftest import PASSWORD, csrf_of
from witness.bootstrap import build_app
from witness.clock import FixedClock
from witness.demo import STORY_DAYS, story_start
from witness.services import audit, roster
from witness.settings import Settings
from witness.store.tables import audit_log


def _app(demo, at):
    return build_app(Settings(home=demo.store, database_url=None, key_file=None), FixedClock(at))


@pytest.mark.parametrize("now", [TODAY, datetime(2027, 3, 8, 2, 59, tzinfo=timezone.utc),
                                 datetime(2027, 3, 8, 3, 0, tzinfo=timezone.utc) + timedelta(days=STORY_DAYS),
                                 datetime(2031, 1, 1, tzinfo=timezone.utc)])
def test_the_story_starts_on_a_monday_at_ten_in_bangkok_at_least_story_days_back(now):
    start = story_start(now)
    assert start.weekday() == 0 and (start.hour, start.minute) == (3, 0)
    assert now - timedelta(days=STORY_DAYS + 7) < start <= now - timedelta(days=STORY_DAYS)


def test_the_whole_story_lies_before_today_and_the_accounts_are_made_today(demo):
    app = _app(demo, TODAY)
    with app.engine.connect() as conn:
        rows = [(r.seq, r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc), r.action)
                for r in conn.execute(select(audit_log.c.seq, audit_log.c.at, audit_log.c.action).order_by(audit_log.c.seq))]
    today_from = next(i for i, (_, at, _) in enumerate(rows) if at == TODAY)
    story, after = [at for _, at, _ in rows[:today_from]], rows[today_from:]
    assert max(story) < TODAY and max(story) - min(story) < timedelta(days=STORY_DAYS)  # STORY_DAYS covers it
    assert {at for _, at, _ in after} == {TODAY}  # the accounts, then the report's reads
    assert after[0][2] in ("account.add", "account.reset")
    app.engine.dispose()


def test_one_account_per_role_on_the_demos_cases(demo):
    assert [(a.login, a.role) for a in demo.accounts] == [
        ("amara", "coordinator"), ("somchai", "prosecutor"), ("hana", "legal_aid"), ("TH-SSK-M02", "escort"),
        ("audit-1", "auditor"), ("root-1", "admin")]
    app = _app(demo, TODAY)
    people = {p["login"]: p for p in roster.people(app, ADMIN)}
    thai = sorted(re.findall(r"^- (W-\w+) \(TH\)", demo.report.read_text(), re.M))
    indonesian = re.findall(r"^- (W-\w+) \(ID\)", demo.report.read_text(), re.M)
    assert len(thai) == 2 and people["somchai"]["cases"] == thai and people["hana"]["cases"] == indonesian
    assert all(p["setup_link_until"] == TODAY + timedelta(hours=72) for p in people.values())
    assert all(a.token not in demo.report.read_text() for a in demo.accounts)  # links only on the terminal
    app.engine.dispose()


def test_a_sign_in_after_the_demo_keeps_the_audit_log_intact(demo):
    from starlette.testclient import TestClient

    from witness.web.app import create_app

    app = _app(demo, TODAY + timedelta(minutes=5))
    token = next(a.token for a in demo.accounts if a.login == "somchai")
    with TestClient(create_app(app), follow_redirects=False) as client:
        setup = client.get(f"/setup/{token}")
        secret = re.search(r'<code id="totp-key">([A-Z2-7]+)</code>', setup.text).group(1)
        done = client.post(f"/setup/{token}", data={"csrf": csrf_of(setup.text), "password": PASSWORD,
                                                     "repeat": PASSWORD, "code": pyotp.TOTP(secret).at(app.clock.now())})
        assert done.status_code == 303
        app.clock.advance(seconds=30)
        page = client.get("/signin")
        signed = client.post("/signin", data={"csrf": csrf_of(page.text), "login": "somchai", "password": PASSWORD,
                                              "code": pyotp.TOTP(secret).at(app.clock.now())})
        assert signed.status_code == 303
        hearings = client.get("/hearings")
        assert hearings.status_code == 200 and "TH-SSK-2026-0141" in hearings.text
    check = audit.verify(app, AUDITOR)
    assert check.ok, check.problems
    app.engine.dispose()


def test_the_demo_command_prints_each_accounts_set_up_link_once(monkeypatch, tmp_path, capsys):
    from pathlib import Path

    import witness.demo
    from witness.cli import run
    from witness.demo import DemoAccount, DemoRun

    made = DemoRun(tmp_path / "out" / "report.md", tmp_path / "out" / "store",
                   [DemoAccount("amara", "coordinator", "tok-a"), DemoAccount("audit-1", "auditor", "tok-b")])
    monkeypatch.setattr(witness.demo, "run_demo", lambda out: made if Path(out) == tmp_path / "out" else None)
    assert run(["demo", "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"demo finished; report: {tmp_path}/out/report.md",
        f"sign in to the demo: WITNESS_HOME={tmp_path}/out/store witness web, then open your role's link "
        "(each works once, for 72 hours):",
        "  amara (coordinator): http://127.0.0.1:8000/setup/tok-a",
        "  audit-1 (auditor): http://127.0.0.1:8000/setup/tok-b"]


def test_the_story_shows_a_return_refused_on_oral_consent_and_an_interpreter_refused_for_a_tie(demo):
    """Issue 12's acceptance: the demonstration tells both refusals with the rule's own words, then the
    compliant return going through."""
    report = demo.report.read_text()
    assert re.search(r"explains the return information sheet to W-\w+ through interp-12: \*\*refused\*\* — "
                     r"assign_interpreter on W-\w+ stopped by Do No Harm rules:\n\[block\] DNH-06-interpreter: the "
                     r"interpreter is linked to the victim's community or to the accused", report)
    assert re.search(r"plans W-\w+'s return on his oral consent: \*\*refused\*\* — plan_return on W-\w+ stopped by "
                     r"Do No Harm rules:\n\[block\] DNH-13-act-consent: the victim's consent to return is recorded as "
                     r"oral", report)
    assert re.search(r"plans W-\w+'s return, sending nothing to the Myanmar authorities: done\.", report)
