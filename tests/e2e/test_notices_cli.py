"""The notices commands through the real CLI, in fresh processes, on the default SQLite store,
delivering into loopback servers: event -> notices -> relay -> ack."""
import json
import os
import re

import pytest
import yaml

from tests.e2e.runner import init_store, table_rows, witness
from tests.notice_fixtures import sms_sink, smtp_sink  # noqa: F401
from witness.settings import PROJECT_ROOT


def _witness(env, *args, check=True):
    return witness(env, *args, check=check)


@pytest.fixture
def home(tmp_path, smtp_sink, sms_sink):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator", WITNESS_ALLOW_CLOCK="1",
               WITNESS_SMTP_PORT=str(smtp_sink.port), WITNESS_SMS_GATEWAY_URL=sms_sink.url)
    init_store(env)
    form = yaml.safe_load((PROJECT_ROOT / "examples" / "intake-thailand-adult.yaml").read_text())
    form["opened_at"] = "2026-11-02T10:00:00+07:00"
    ids = []
    for n in range(2):
        form["victim"]["legal_name"] = f"Cli Victim {n}"
        path = tmp_path / f"intake{n}.yaml"
        path.write_text(yaml.safe_dump(json.loads(json.dumps(form, default=str))))
        ids.append(_witness(env, "--now", "2026-11-02T10:00:00+07:00", "intake", str(path)).stdout.strip())
    return env, ids, tmp_path


def _event(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
    return str(path)


def test_an_event_file_alerts_the_victims_and_the_relay_delivers_and_the_code_acknowledges(home, sms_sink):
    env, (a, b), tmp = home
    schema = json.loads(_witness(env, "schema", "event").stdout)
    assert "CustodyEventIn" in schema["$defs"] and "CaseEventIn" in schema["$defs"]
    release = _event(tmp, "release.yaml", {"type": "custody", "event_id": "TH-DOC-1", "docket": "TH-SSK-2026-0141",
                                           "accused": "Accused A (boat captain)", "custody": "released",
                                           "occurred_at": "2026-11-03T08:00:00+07:00", "source": "prison-feed"})
    now = ["--now", "2026-11-03T08:05:00+07:00"]
    assert "recorded for 2 case(s)" in _witness(env, *now, "event", release).stdout
    assert "seen before: nothing done" in _witness(env, *now, "event", release).stdout
    listed = _witness(env, *now, "notices").stdout
    assert listed.count("accused_released") == 3 and listed.count("queued") == 3 and "URGENT" in listed
    out = _witness(dict(env, WITNESS_ACTOR="relay-1:admin"), "relay", "--now", "2026-11-03T08:05:00+07:00").stdout
    assert "sent 3" in out
    assert len(sms_sink.messages) == 2
    assert "Cli Victim" not in listed + out
    code = re.findall(r"\b[2-9A-Z]{6}\b", sms_sink.messages[0].body)[-1]
    acked = _witness(env, *now, "ack", code.lower()).stdout
    first = re.search(r"acknowledged: (W-\w+)", acked).group(1)
    other = b if first == a else a
    contact = _witness(env, *now, "ack", "--case", other).stdout
    assert "contact recorded" in contact
    sent = json.loads(_witness(env, *now, "notices", "--status", "sent", "--json").stdout)
    assert len(sent) == 3 and all(n["acknowledged_at"] for n in sent if n["recipient"] == "victim")


def test_historical_and_case_events_from_files(home):
    env, (a, b), tmp = home
    now = ["--now", "2026-11-03T08:05:00+07:00"]
    old = _event(tmp, "old.json", {"events": [
        {"type": "custody", "event_id": "OLD-1", "docket": "TH-SSK-2026-0141", "accused": "Accused A (boat captain)",
         "custody": "released", "occurred_at": "2025-01-01T00:00:00+07:00", "historical": True}]})
    assert "historical, so no notices" in _witness(env, *now, "event", old).stdout
    assert _witness(env, *now, "notices").stdout.strip() == "no notices"
    hearing = _event(tmp, "hearing.yaml", {"type": "case", "event_id": "COURT-77", "kind": "hearing_moved",
                                          "docket": "TH-SSK-2026-0141", "at": "2026-12-01T09:30:00+07:00",
                                          "occurred_at": "2026-11-03T08:00:00+07:00"})
    assert "recorded for 2 case(s)" in _witness(env, *now, "event", hearing).stdout
    assert _witness(env, *now, "notices", "--case", a).stdout.count("hearing_moved") == 1
    bad = _event(tmp, "bad.yaml", {"type": "case", "event_id": "X", "kind": "hearing_set", "cases": [a],
                                   "occurred_at": "2026-11-03T08:00:00"})
    proc = _witness(env, *now, "event", bad, check=False)
    assert proc.returncode == 1 and "needs a UTC offset" in proc.stderr
    refused = _witness(dict(env, WITNESS_ACTOR="officer-9:escort"), *now, "notices", check=False)
    assert refused.returncode == 1 and "may not" in refused.stderr


def test_the_notice_list_says_why_a_queued_alert_has_not_gone_out(home, sms_sink):
    env, _, tmp = home
    release = _event(tmp, "release.yaml", {"type": "custody", "event_id": "TH-DOC-9", "docket": "TH-SSK-2026-0141",
                                           "accused": "Accused A (boat captain)", "custody": "released",
                                           "occurred_at": "2026-11-03T08:00:00+07:00", "source": "prison-feed"})
    now = ["--now", "2026-11-03T08:05:00+07:00"]
    _witness(env, *now, "event", release)
    sms_sink.mode = "temporary"  # the gateway answers 503
    out = _witness(dict(env, WITNESS_ACTOR="relay-1:admin"), "relay", "--now", "2026-11-03T08:05:00+07:00").stdout
    assert "retrying 2" in out
    listed = _witness(env, *now, "notices").stdout
    assert listed.count("(last failure: SMS gateway answered HTTP 503)") == 2
    table = table_rows(listed)
    assert listed.splitlines()[0].split() == ["CREATED", "CASE", "KIND", "TO", "CHANNEL", "LANG", "STATUS", "TRIES", "NOTE"]
    sms = [r for r in table if r["CHANNEL"] == "sms"]
    assert len(sms) == 2 and all(r["STATUS"] == "queued" and r["TRIES"] == "1" and r["NOTE"].startswith("URGENT")
                                 and r["CREATED"] == "2026-11-03 01:05 UTC" for r in sms), sms
    rows = json.loads(_witness(env, *now, "notices", "--json").stdout)
    assert {n["last_error"] for n in rows if n["channel"] == "sms"} == {"SMS gateway answered HTTP 503"}
    assert "Cli Victim" not in listed
