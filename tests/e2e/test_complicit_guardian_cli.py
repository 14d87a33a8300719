"""On the real command line: a guardian linked to an accused gets no calendar (DNH-22), their
agreement to a consent is refused, and `witness care show` gives where the victim stays or is held
to the coordinator only. Refusals: exit code and message. SQLite and PostgreSQL."""
import json

import pytest

from tests.conftest import COORDINATOR, adult_form, child_form
from tests.e2e.runner import add_accounts, cli_env, witness
from witness.services import guardians
from witness.services.intake import open_case


@pytest.fixture
def env(app):
    add_accounts(app)
    return cli_env(app)


def _linked_child(app):
    form = child_form(proceedings=[{"court": "PN Medan", "docket": "ID-MDN-5", "accused": [
        {"label": "Accused R", "custody": "at_large", "relationship": "recruiter_agent"}]}])
    case = open_case(app, COORDINATOR, form)
    guardians.record(app, COORDINATOR, case, {"name": "Pak Joko", "relationship": "uncle", "accused_link": "Accused R"})
    return case


def test_the_linked_guardians_calendar_is_refused_and_no_file_is_written(app, env, tmp_path):
    case = _linked_child(app)
    out = tmp_path / "guardian.ics"
    proc = witness(env, "calendar", "--audience", "guardian", "--case", case, "--out", str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == f"publish_calendar on {case} stopped by Do No Harm rules:"
    assert lines[1].startswith("[block] DNH-22-complicit-guardian-contact: the child's guardian is linked to an "
                               "accused (recorded as linked to Accused R)")
    assert "Pak Joko" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_consent_with_the_linked_guardians_agreement_is_refused_in_one_line(app, env):
    case = _linked_child(app)
    proc = witness(env, "consent", "give", case, "interview", "--method", "oral", "--language", "id",
                   "--guardian-agreed")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "guardian_agreed: the child's guardian is linked to an accused (recorded as linked to Accused R); their "
        "agreement does not count: record an independent guardian first (witness guardian record)"]


def test_care_show_gives_the_place_to_the_coordinator_only(app, env):
    form = adult_form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    case = open_case(app, COORDINATOR, form)
    assert witness(env, "detention", "start", case, "police_cell").returncode == 0
    mine = json.loads(witness(env, "care", "show", case, check=True).stdout)
    assert mine["detention"]["kind"] == "police_cell" and [s["kind"] for s in mine["accommodation"]] == ["shelter"]
    theirs = witness(cli_env(app, actor="somchai:prosecutor"), "care", "show", case, check=True)
    seen = json.loads(theirs.stdout)
    assert seen["detention"] is None and seen["accommodation"] is None
    assert "police_cell" not in theirs.stdout
