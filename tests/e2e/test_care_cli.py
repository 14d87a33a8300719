"""Issue 12, items 5, 6, 8, 9 on the real command line (helper GB): `witness guardian record`,
`witness detention start|end`, `witness shelter providers|place`, `witness media breach`,
`witness reflection extend --beyond-cap`. Refusals: exit code and one line. SQLite and PostgreSQL."""
import json

import pytest

from tests.conftest import COORDINATOR, adult_form, child_form
from tests.e2e.runner import add_accounts, cli_env, witness
from witness.services.intake import open_case


@pytest.fixture
def env(app):
    add_accounts(app)
    return cli_env(app)


def _refused(proc, line: str):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [line]
    assert "Traceback" not in proc.stderr


def test_a_guardian_recorded_from_a_file_for_a_child_opened_without_one(app, env, tmp_path):
    case = open_case(app, COORDINATOR, child_form(guardian=None))
    shown = witness(env, "care", "show", case)
    assert shown.returncode == 0 and json.loads(shown.stdout)["guardian"] == "pending"
    file = tmp_path / "guardian.json"
    file.write_text(json.dumps({"name": "Ibu Sari Wulandari", "relationship": "court-appointed guardian"}))
    proc = witness(env, "guardian", "record", case, str(file))
    assert (proc.returncode, proc.stdout) == (0, f"{case}: guardian recorded\n")
    assert "Wulandari" not in proc.stdout + proc.stderr
    assert json.loads(witness(env, "care", "show", case).stdout)["guardian"] == "recorded"


def test_guardian_refusals_exit_1_in_one_line(app, env, tmp_path):
    adult = open_case(app, COORDINATOR, adult_form())
    file = tmp_path / "guardian.json"
    file.write_text(json.dumps({"name": "Someone Else", "relationship": "mother"}))
    _refused(witness(env, "guardian", "record", adult, str(file)),
             f"case: {adult} is an adult's; an adult's family or carer is not their guardian")
    child = open_case(app, COORDINATOR, child_form(guardian=None))
    file.write_text(json.dumps({"name": "Someone Else"}))
    _refused(witness(env, "guardian", "record", child, str(file)), "relationship: Field required")


def test_detention_start_and_its_refusals(app, env):
    case = open_case(app, COORDINATOR, adult_form())
    _refused(witness(env, "detention", "start", case, "jail"),
             "kind: use one of immigration_detention, protective_custody, police_cell, prison")
    proc = witness(env, "detention", "start", case, "immigration_detention")
    assert proc.returncode == 0 and proc.stdout.startswith(f"{case}: detention (immigration_detention) recorded")
    assert witness(env, "detention", "end", case).returncode == 0
    proc = witness(env, "detention", "end", case)
    assert proc.returncode != 0 and proc.stderr.strip().splitlines() == [f"case: {case} is not recorded as detained"]


def test_shelter_providers_and_a_placement_that_does_not_fit(app, env):
    case = open_case(app, COORDINATOR, adult_form(services=[], consents=[
        {"scope": "shelter_stay", "method": "written", "language": "my"}]))
    proc = witness(env, "shelter", "providers", case)
    assert proc.returncode == 0
    assert [line.split()[0] for line in proc.stdout.splitlines()] == ["th-open-shelter-men", "th-state-shelter-1"]
    assert proc.stdout.splitlines()[1].endswith("does not fit: does not take male residents")
    _refused(witness(env, "shelter", "place", case, "shelter", "th-state-shelter-1"),
             "provider: th-state-shelter-1 does not fit this victim: does not take male residents")
    proc = witness(env, "shelter", "place", case, "open_shelter", "th-open-shelter-men")
    assert (proc.returncode, proc.stdout) == (0, f"{case}: open_shelter started with th-open-shelter-men\n")


def test_a_media_breach_on_the_command_line(app, env):
    case = open_case(app, COORDINATOR, adult_form())
    proc = witness(env, "media", "breach", case)
    assert proc.returncode == 0 and "URGENT item on the worklist, risk reassessment due" in proc.stdout
    _refused(witness(env, "media", "breach", "W-NOSUCH"), "case: no case 'W-NOSUCH'")


def test_reflection_beyond_the_cap_where_it_is_practice_and_where_it_is_law(app, env):
    th = open_case(app, COORDINATOR, adult_form())
    at_t0 = ("--now", "2026-11-02T10:00:00+07:00")  # the case's opening (tests/conftest.py T0)
    proc = witness(dict(env, WITNESS_ALLOW_CLOCK="1"), *at_t0, "reflection", "extend", th, "100", "--reason",
                   "pregnant", "--beyond-cap")
    assert proc.returncode == 0 and proc.stdout.startswith(f"{th}: reflection period now ends 2027-02-25")
    idn = open_case(app, COORDINATOR, child_form())
    _refused(witness(env, "reflection", "extend", idn, "200", "--reason", "needs longer", "--beyond-cap"),
             "beyond_cap: ID's maximum of 90 days is law; the period cannot be extended past it")
