"""Claim commands and event files refuse mistyped dates and text through the real CLI (fresh
processes, SQLite): exit code 1, one line `field: message`, the text never shown, nothing written
(issue 10 follow-up)."""
import json
import os
import sqlite3

import pytest
import yaml

from tests.e2e.runner import witness

SECRET = "Quokkanote Zyxwvut"


def _witness(env, *args, check=True):
    return witness(env, *args, check=check)


@pytest.fixture
def lawyer(tmp_path):
    """A case of the Indonesian example kind and the legal-aid lawyer assigned to it, as an admin sets them up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env["WITNESS_HOME"] = str(tmp_path / "home")
    _witness(env, "init", "--admin", "root-1")
    admin = dict(env, WITNESS_ACTOR="root-1:admin")
    _witness(admin, "user", "add", "dewi", "--role", "coordinator")
    _witness(admin, "user", "add", "hana", "--role", "legal_aid")
    form = {"jurisdiction": "ID", "coordinator": "dewi",
            "victim": {"legal_name": "Cli Victim", "date_of_birth": "1990-01-01", "gender": "female",
                       "nationality": "ID", "preferred_language": "id", "safe_channels": ["call"]}}
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(form))
    case_id = _witness(dict(env, WITNESS_ACTOR="dewi:coordinator"), "intake", str(path)).stdout.strip()
    _witness(admin, "user", "assign", "hana", "--case", case_id)
    return dict(env, WITNESS_ACTOR="hana:legal_aid"), case_id, tmp_path / "home" / "witness.db"


def _rows(db) -> int:
    with sqlite3.connect(db) as c:
        return sum(c.execute(f"select count(*) from {t}").fetchone()[0]
                   for t in ("claims", "claim_items", "received_events", "custody_events"))


def _refused(env, db, *args) -> str:
    before = _rows(db)
    proc = _witness(env, *args, check=False)
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
    claim = _witness(env, "claim", "new", case_id).stdout.split(":")[0]
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
