"""Terminal injection (issue 10.7): values stored with control characters (as an older version, or
a direct database write, could leave them) are shown escaped, never obeyed, in every listing;
JSON output keeps the exact value. Values are written straight into the store, bypassing input
checks, on SQLite and PostgreSQL; the real CLI reads them in fresh processes."""
import json

import pytest
from sqlalchemy import select, update

from tests.conftest import COORDINATOR, adult_form
from tests.e2e.runner import add_accounts, cli_env, witness
from witness.services.intake import open_case
from witness.store.tables import accused, case_proceedings, cases, identities, proceedings, relationships

# Clear the screen, recolour, return to the start of the line and forge a case row; set the window
# title (OSC ... BEL); reverse the text (RLO); a one-byte CSI (C1); DEL.
FORGED = "W-FORGED  TH  trial  adult  amara"
HOSTILE = f"\x1b[2J\x1b[31mX\r\n{FORGED}\x1b]0;o\x07\u202eevil\x9b31m\x7f\ttab"  # fits 80 with a prefix
RAW = ("\x1b", "\r", "\x07", "\x9b", "\x7f", "\u202e", "\t")


def _run(app, actor, *args):
    proc = witness(cli_env(app, actor=actor), *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def hostile(app):
    add_accounts(app)
    mine = open_case(app, COORDINATOR, adult_form())
    other = open_case(app, COORDINATOR, adult_form())
    with app.engine.begin() as c:
        c.execute(update(cases).where(cases.c.id == other).values(coordinator="dewi" + HOSTILE))
        c.execute(update(identities).where(identities.c.case_id == mine).values(
            legal_name=app.cipher.on(c).encrypt("identities", "legal_name", mine, "Aung" + HOSTILE)))
        proceeding = c.execute(select(case_proceedings.c.proceeding_id).where(case_proceedings.c.case_id == mine)).scalar()
        c.execute(update(proceedings).where(proceedings.c.id == proceeding).values(court="Court" + HOSTILE))
        accused_id = c.execute(select(relationships.c.accused_id).where(relationships.c.case_id == mine)).scalar()
        c.execute(update(accused).where(accused.c.id == accused_id).values(label="Accused A" + HOSTILE))
    return app, mine, other


def _no_raw_controls(out: str) -> None:
    for ch in RAW:
        assert ch not in out, f"raw {ch!r} reached the terminal"
    assert not any(line.startswith("W-FORGED") for line in out.splitlines()), "a forged line was printed"


def test_case_list_prints_one_line_per_case_whatever_the_coordinator_field_holds(hostile):
    app, mine, other = hostile
    out = _run(app, "audit-1:auditor", "case", "list")
    _no_raw_controls(out)
    header, *rows = out.splitlines()
    assert header.split() == ["CASE", "STATE", "STAGE", "AGE", "COORDINATOR"]
    lines = {line.split()[0]: line for line in rows}
    assert sorted(lines) == sorted([mine, other])  # two cases, two lines (and the header)
    assert "dewi\\x1b[2J\\x1b[31mX\\x0d\\x0aW-FORGED" in lines[other]


def test_case_show_escapes_names_courts_and_accused_labels(hostile):
    app, mine, _ = hostile
    out = _run(app, "amara:coordinator", "case", "show", mine)
    _no_raw_controls(out)
    assert "legal_name: Aung\\x1b[2J" in out
    assert "at Court\\x1b[2J" in out
    assert "accused Accused A\\x1b[2J" in out and "\\u202eevil\\x9b31m\\x7f\\x09tab" in out


def test_json_output_escapes_control_characters_and_keeps_the_exact_value(hostile):
    app, mine, _ = hostile
    out = _run(app, "amara:coordinator", "case", "show", mine, "--json")
    _no_raw_controls(out)
    view = json.loads(out)
    assert view["identity"]["legal_name"] == "Aung" + HOSTILE
    assert view["proceedings"][0]["accused"][0]["label"] == "Accused A" + HOSTILE
