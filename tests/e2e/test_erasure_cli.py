"""`witness case erase`: what it prints, what it refuses, and a chain that still verifies."""
from datetime import datetime, timedelta, timezone

from tests.conftest import COORDINATOR, adult_form
from tests.e2e.runner import _app, add_accounts, cli_env, witness
from witness.clock import FixedClock
from witness.services import cases as case_service
from witness.services.intake import open_case


def test_erase_destroys_the_key_refuses_what_it_must_and_the_chain_still_verifies(tmp_path):
    env = cli_env(home=tmp_path / "home", actor="root-1:admin")
    witness(env, "init", check=True)
    app = _app(env)
    # Set up in the past, so that the command line's own rows (at the real time) come after it.
    start = datetime.now(timezone.utc) - timedelta(days=200)
    app.clock = FixedClock(start)
    closed, still_open = open_case(app, COORDINATOR, adult_form()), open_case(app, COORDINATOR, adult_form())
    app.clock = FixedClock(start + timedelta(days=120))
    case_service.change_stage(app, COORDINATOR, closed, "withdrawn", "stopped cooperating")
    case_service.change_stage(app, COORDINATOR, closed, "closed", "support ended")
    app.engine.dispose()
    add_accounts(env)  # now, after the past

    refused = witness(env, "case", "erase", still_open, "--reason", "victim_request")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        f"case {still_open}: stage is reflection; only a closed case can be erased"]
    by_coordinator = witness(dict(env, WITNESS_ACTOR="amara:coordinator"), "case", "erase", closed, "--reason", "victim_request")
    assert by_coordinator.returncode == 1 and len(by_coordinator.stderr.strip().splitlines()) == 1
    assert "case.erase" in by_coordinator.stderr or "not allowed" in by_coordinator.stderr.lower()

    done = witness(env, "case", "erase", closed, "--reason", "victim_request", check=True)
    assert done.stdout.startswith(f"{closed} erased: its data key is destroyed;")
    shown = witness(dict(env, WITNESS_ACTOR="amara:coordinator"), "case", "show", closed, "--json", check=True)
    assert "Aung Min Thein" not in shown.stdout
    again = witness(env, "case", "erase", closed, "--reason", "victim_request")
    assert again.returncode == 1 and again.stderr.strip().splitlines() == [f"case {closed}: already erased"]
    verified = witness(dict(env, WITNESS_ACTOR="audit-1:auditor"), "audit", "verify", check=True)
    assert verified.stdout.startswith("audit log verified")
