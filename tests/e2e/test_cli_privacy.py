"""Through the real CLI, in fresh processes, on the default SQLite store.

The canary: a victim's legal name, address and phone entered at intake must not be found as
plaintext in the database file, its WAL, anything else under the witness home, or any output
shown to a role without need-to-know.
"""
import json
import os
from pathlib import Path

import pytest
import yaml

from tests.e2e.runner import init_store, witness

NAME = "Canaryname Zyxwvut"
ADDRESS = "77 Quokkastraat Hidden Lane"
PHONE = "+66 80 999 1234"
CANARIES = [NAME, ADDRESS, "Quokkastraat", "Zyxwvut", "80 999 1234", "809991234"]  # the phone as typed and as stored (E.164)


def _witness(env, *args, check=True):
    return witness(env, *args, check=check)


@pytest.fixture
def home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator")
    init_store(env)
    # Hold a connection open so the CLI processes are never the last to close: SQLite then keeps
    # the -wal file, and the canary search covers it (deleted plaintext lingers there).
    import sqlite3
    holder = sqlite3.connect(tmp_path / "home" / "witness.db")
    holder.execute("select count(*) from cases").fetchall()
    form = {
        "jurisdiction": "TH", "coordinator": "amara", "opened_at": "2026-11-02T10:00:00+07:00",
        "victim": {"legal_name": NAME, "aliases": ["Zyxwvut the younger"], "date_of_birth": "1990-01-01",
                   "gender": "female", "preferred_language": "km", "address": ADDRESS,
                   "contact": {"phone": PHONE}, "notes": f"{NAME} fears her uncle", "safe_channels": ["call"]},
        "proceedings": [{"court": "Bangkok Criminal Court", "docket": "TH-BKK-1",
                         "accused": [{"label": "Accused Q", "custody": "detained", "relationship": "family"}]}],
        "services": ["shelter"],
    }
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(form))
    case_id = _witness(env, "intake", str(path)).stdout.strip()
    yield env, case_id, tmp_path
    holder.close()


def test_the_legal_name_is_nowhere_in_plaintext_and_never_shown_without_need_to_know(home):
    env, case_id, tmp = home
    outputs = []
    def as_(actor, *args, check=True):
        proc = _witness(dict(env, WITNESS_ACTOR=actor), *args, check=check)
        outputs.append(f"{actor} {args}: {proc.stdout}{proc.stderr}")
        return proc

    # The assigned coordinator does see it: proves the canary really went in.
    assert NAME in as_("amara:coordinator", "case", "show", case_id).stdout
    # Roles without need-to-know, and every other command's output:
    assert as_("dewi:coordinator", "case", "show", case_id, check=False).returncode == 1  # not her case
    assert as_("dewi:coordinator", "case", "show", case_id, "--json", check=False).returncode == 1
    as_("audit-1:auditor", "case", "show", case_id, "--json")
    assert as_("officer-9:escort", "case", "show", case_id, check=False).returncode == 1
    as_("amara:coordinator", "case", "list")
    as_("somchai:prosecutor", "stage", case_id, "trial", "--reason", "skip", check=False)
    as_("amara:coordinator", "reflection", "decide", case_id, "cooperate")
    as_("amara:coordinator", "sweep")
    as_("amara:coordinator", "worklist")
    as_("audit-1:auditor", "audit", "verify")
    bad = tmp / "bad.yaml"
    bad.write_text(yaml.safe_dump({"jurisdiction": "TH", "coordinator": "amara",
                                   "victim": {"legal_name": NAME, "preferred_language": "km",
                                              "contact": {"phone": NAME}, "date_of_birth": ADDRESS}}))
    assert as_("amara:coordinator", "intake", str(bad), check=False).returncode == 1

    shown = "\n".join(outputs[1:])
    for canary in CANARIES:
        assert canary not in shown, f"{canary!r} leaked into CLI output"

    files = [p for p in (tmp / "home").rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") and p.stat().st_size > 0 for p in files), "expected a WAL file to search"
    for p in files:
        blob = p.read_bytes()
        for canary in CANARIES:
            assert canary.encode() not in blob, f"{canary!r} found in plaintext in {p.name}"


def test_case_show_answers_without_importing_prefect_or_weasyprint(home):
    env, case_id, tmp = home
    from tests.conftest import COORDINATOR, adult_form
    from witness.bootstrap import build_app
    from witness.services.intake import open_case
    from witness.settings import Settings
    populated = build_app(Settings(home=tmp / "home"))
    for i in range(300):
        form = adult_form()
        form["victim"] = dict(form["victim"], legal_name=f"Victim {i}")
        open_case(populated, COORDINATOR, form)
    populated.engine.dispose()
    proc = witness(dict(env, PYTHONPROFILEIMPORTTIME="1"), "case", "show", case_id, "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["case"] == case_id
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "prefect" not in imported and "weasyprint" not in imported
    # Speed is measured by benchmarks/ (no wall-clock assertions in tests): here only what is imported.


def test_invalid_input_prints_one_line_per_problem_and_exits_1(home, tmp_path):
    env, _, _ = home
    path = Path(__file__).resolve().parents[2] / "examples" / "intake-three-mistakes.yaml"
    proc = _witness(env, "intake", str(path), check=False)
    assert proc.returncode == 1
    assert [line.split(":")[0] for line in proc.stderr.strip().splitlines()] == [
        "victim.date_of_birth", "proceedings.0.accused.0.custody", "consents.0.scope"]
    header, *listed = _witness(env, "case", "list").stdout.strip().splitlines()
    assert header.split()[0] == "CASE" and len(listed) == 1  # only the fixture's case: nothing was written


def test_running_without_a_key_refuses_with_a_clear_message(home):
    env, case_id, tmp = home
    (tmp / "home" / "keys" / "keyring.json").rename(tmp / "elsewhere.json")
    proc = _witness(env, "case", "show", case_id, check=False)
    assert proc.returncode == 1
    assert "no encryption key" in proc.stderr and "refusing to start" in proc.stderr
