"""`witness event FILE` through the real CLI, in fresh processes, on the default SQLite store: a
file is checked whole and applied whole (issue 10 items 1 and 5)."""
import json
import os
import sqlite3

import pytest
import yaml

from tests.e2e.runner import init_store, witness
from witness.settings import PROJECT_ROOT

NOW = ["--now", "2026-11-03T08:05:00+07:00"]
DOCKET = "TH-SSK-2026-0141"
CAPTAIN = "Accused A (boat captain)"
CANARIES = ["Eventcanary Qoxwyz", "Qoxwyz", "Mahachai", "234 5678"]


def _witness(env, *args, check=True):
    return witness(env, *args, check=check)


@pytest.fixture
def home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator", WITNESS_ALLOW_CLOCK="1")
    init_store(env)
    form = yaml.safe_load((PROJECT_ROOT / "examples" / "intake-thailand-adult.yaml").read_text())
    form["victim"]["legal_name"] = CANARIES[0]
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(json.loads(json.dumps(form, default=str))))
    case = _witness(env, "--now", "2026-11-02T10:00:00+07:00", "intake", str(path)).stdout.strip()
    return env, case, tmp_path


def _file(tmp_path, name, events):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"events": events}))
    return str(path)


def _custody(event_id, custody, at="2026-11-03T08:00:00+07:00", **over):
    return {"type": "custody", "event_id": event_id, "docket": DOCKET, "accused": CAPTAIN, "custody": custody,
            "occurred_at": at, **over}


def _hearing(event_id, cases, **over):
    return {"type": "case", "event_id": event_id, "kind": "hearing_set", "cases": cases,
            "at": "2026-12-14T09:00:00+07:00", "occurred_at": "2026-11-03T07:00:00+07:00", **over}


def _counts(tmp_path) -> dict[str, int]:
    """Rows in every table of the store."""
    with sqlite3.connect(tmp_path / "home" / "witness.db") as db:
        names = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
        return {n: db.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def _refused(env, tmp, path):
    before = _counts(tmp)
    proc = _witness(env, *NOW, "event", path, check=False)
    assert _counts(tmp) == before, "a refused file wrote something"
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr and not any(c in proc.stderr for c in CANARIES)
    return proc


def test_a_good_event_an_unknown_case_and_another_good_event_write_nothing_until_the_file_is_fixed(home):
    env, case, tmp = home
    events = [_hearing("H-SET-1", [case]), _hearing("H-SET-2", ["W-NOSUCH"]), _custody("TH-DOC-1", "released")]
    proc = _refused(env, tmp, _file(tmp, "mixed.yaml", events))
    assert proc.returncode == 1
    assert proc.stderr.strip() == "events.1.cases: no case W-NOSUCH"
    # Fixed and sent again whole: every event is recorded, in one go.
    events[1]["cases"] = [case]
    out = _witness(env, *NOW, "event", _file(tmp, "fixed.yaml", events)).stdout.splitlines()
    assert out == ["H-SET-1: recorded for 1 case(s)", "H-SET-2: recorded for 1 case(s)",
                   "TH-DOC-1: recorded for 1 case(s)"]
    listed = json.loads(_witness(env, *NOW, "notices", "--case", case, "--json").stdout)
    to_victim = sorted(n["kind"] for n in listed if n["recipient"] == "victim")
    assert to_victim == ["accused_released", "hearing_set", "hearing_set"]


def test_every_problem_of_the_file_is_listed_with_its_event_and_field(home):
    env, case, tmp = home
    events = [_custody("E-0", "released", at="2026-11-03T08:00:00"),  # no UTC offset
              _custody("E-1", "escaped", at="2062-11-03T08:00:00+07:00"),  # a typo for 2026
              _custody("E-2", "escaped", accused="Accused Z"),
              {"type": "case", "event_id": "E-3", "kind": "judgment", "occurred_at": "2026-11-03T07:00:00+07:00"},
              _hearing("E-4", [case], docket="TH-NONE-1"),
              _custody("E-5", "paroled")]
    proc = _refused(env, tmp, _file(tmp, "bad.yaml", events))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["events.0.occurred_at", "events.1.occurred_at",
                                                      "events.2.accused", "events.3", "events.4.docket",
                                                      "events.5.custody"]
    assert "needs a UTC offset" in lines[0] and "ahead of the clock" in lines[1]
    assert lines[2] == f"events.2.accused: no accused with this label in proceeding {DOCKET}"


def test_a_single_event_dated_in_the_future_is_refused_with_a_named_field(home):
    env, case, tmp = home
    path = tmp / "one.json"
    path.write_text(json.dumps(_custody("TYPO-1", "detained", at="2099-12-31T00:00:00+00:00")))
    proc = _refused(env, tmp, str(path))
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("events.0.occurred_at: is in the future (more than 5 minutes ahead of the clock); "
                                   "give the time it happened")


def test_a_late_release_alerts_and_says_it_goes_to_the_worklist_to_reconcile(home):
    env, case, tmp = home
    _witness(env, *NOW, "event", _file(tmp, "held.yaml", [_custody("TH-DOC-2", "detained")]))
    out = _witness(env, *NOW, "event", _file(tmp, "late.yaml", [_custody("TH-DOC-1", "released",
                                                                          at="2026-11-03T06:00:00+07:00")])).stdout
    assert out.strip() == ("TH-DOC-1: recorded for 1 case(s); out of order, on the coordinator's worklist to "
                           "reconcile")
    assert "accused_released" in _witness(env, *NOW, "notices", "--case", case).stdout
    assert "is older than the recorded custody" in _witness(env, *NOW, "worklist").stdout
