"""Claim commands and event files refuse mistyped dates and text through the real CLI (fresh
processes, SQLite): exit code 1, one line `field: message`, the text never shown, nothing written
(issue 10 follow-up)."""
import json
import sqlite3

import pytest
import yaml

from tests.e2e.runner import cli_env, init_store, witness

SECRET = "Quokkanote Zyxwvut"


@pytest.fixture
def lawyer(tmp_path):
    """An Indonesian case and the legal-aid lawyer assigned to it, as an admin assigns them."""
    env = cli_env(home=tmp_path / "home", actor=None)
    init_store(env)
    form = {"jurisdiction": "ID", "coordinator": "dewi",
            "victim": {"legal_name": "Cli Victim", "date_of_birth": "1990-01-01", "gender": "female",
                       "nationality": "ID", "preferred_language": "id", "safe_channels": ["call"]}}
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(form))
    case_id = witness(dict(env, WITNESS_ACTOR="dewi:coordinator"), "intake", str(path), check=True).stdout.strip()
    witness(dict(env, WITNESS_ACTOR="root-1:admin"), "user", "assign", "hana", "--case", case_id, check=True)
    return dict(env, WITNESS_ACTOR="hana:legal_aid"), case_id, tmp_path / "home" / "witness.db"


def _rows(db) -> int:
    with sqlite3.connect(db) as c:
        return sum(c.execute(f"select count(*) from {t}").fetchone()[0]
                   for t in ("claims", "claim_items", "received_events", "custody_events"))


def _refused(env, db, *args) -> str:
    before = _rows(db)
    proc = witness(env, *args)
    assert proc.returncode == 1 and proc.stdout == ""
    assert SECRET not in proc.stderr and "Traceback" not in proc.stderr
    assert _rows(db) == before
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_claim_commands_refuse_a_date_without_dashes_and_text_with_an_escape_or_a_line_break(lawyer):
    env, case_id, db = lawyer
    assert _refused(env, db, "claim", "new", case_id, "--judgment-date", "20261101") == \
        "judgment_date: write the date as YYYY-MM-DD"
    assert _refused(env, db, "claim", "new", case_id, "--note", f"{SECRET}\x1b[2K") == \
        "note: contains a control character (U+001B at position 19); remove it"
    claim = witness(env, "claim", "new", case_id, check=True).stdout.split(":")[0]
    assert _refused(env, db, "claim", "item", claim, "medical_costs", "100", "--evidence", f"RS-1\n{SECRET}") == \
        "evidence: contains a control or invisible character (U+000A at position 5); remove it"


def test_an_event_file_with_an_escape_in_an_event_id_is_refused_naming_the_event_and_field(lawyer, tmp_path):
    env, case_id, db = lawyer
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": [
        {"type": "case", "event_id": "H-1", "kind": "hearing_set", "cases": [case_id],
         "at": "2026-12-14T09:00:00+07:00", "occurred_at": "2026-11-01T09:00:00+07:00"},
        {"type": "case", "event_id": f"H\x1b]0;{SECRET}\x07", "kind": "judgment", "cases": [case_id],
         "occurred_at": "2026-11-01T09:00:00+07:00"}]}))
    assert _refused(dict(env, WITNESS_ACTOR="dewi:coordinator"), db, "event", str(path)) == \
        "events.1.event_id: contains a control or invisible character (U+001B at position 2); remove it"
