"""`witness check` on the real command line (issue 11): a detail the action does not read is a
one-line refusal (it was a TypeError), and after the reflection period ended without consent the
dry run names the same rule that then stops `witness schedule`. On SQLite and PostgreSQL."""
import os
import subprocess

import pytest

from tests.conftest import COORDINATOR, adult_form
from tests.e2e.runner import add_accounts, witness
from witness.services.intake import open_case


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return witness(env, *args)


@pytest.fixture
def case_env(app):
    add_accounts(app)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(app.settings.home), WITNESS_DATABASE_URL=app.settings.database_url,
               WITNESS_ACTOR="somchai:prosecutor", WITNESS_ALLOW_CLOCK="1")
    form = adult_form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    return env, open_case(app, COORDINATOR, form)


def test_a_detail_the_action_does_not_read_is_refused_in_one_line(case_env):
    env, case = case_env
    proc = _run(env, "check", case, "schedule_appearance", "--detail", "kind=interview")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "detail.kind: schedule_appearance reads act, at, examiner_gender, in_person_cross_examination_by_defendant, "
        "interviewer_gender"]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_check_names_the_rule_that_then_stops_schedule_after_the_reflection_period(case_env):
    env, case = case_env
    later = ("--now", "2026-11-25T10:00:00+07:00")  # the 15-day period ended on the 17th; no consent to testify
    check = _run(env, *later, "check", case, "schedule_appearance", "--detail", "act=testimony",
                 "--detail", "at=2026-11-30T09:00:00+07:00")
    assert check.returncode == 0
    assert "no findings" not in check.stdout
    assert check.stdout.startswith("[block] DNH-13-act-consent: the victim has no active consent to testimony")
    schedule = _run(env, *later, "schedule", case, "testimony", "--at", "2026-11-30T09:00:00+07:00")
    assert schedule.returncode == 1
    lines = schedule.stderr.strip().splitlines()
    assert lines[0] == f"schedule_appearance on {case} stopped by Do No Harm rules:"
    assert lines[1].startswith("[block] DNH-13-act-consent: the victim has no active consent to testimony")
